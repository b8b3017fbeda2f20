import express from "express";
import type { Config } from "../config";
import { escapeHtml } from "../crm/transcript";
import { demoCrmCompany, demoCrmUsers } from "./company";
import { checkAuthorizeRequest, consentRedirect, isAppClient, type RegisteredApp, RevokeRequest, TokenRequest } from "./contract/oauth";
import { sendOAuthError } from "./contract/responses";
import { type DemoCrmStore, isRevoked } from "./store";
import { demoCrmScope, demoCrmTokenResponse, signDemoCrmCode, verifyDemoCrmGrant } from "./tokens";

// Pipedrive's OAuth server as the official client uses it (pipedrive.md §1; the rules and their
// pages in contract/oauth.ts, shared with the tests' fake): a consent page that hands our callback
// a code, the token endpoint (Basic client auth, form body) for the code exchange and refreshes,
// and revoke. The consent page lets the visitor pick which demo user "logged in".

/** The demo CRM's /oauth router; `store` remembers what /oauth/revoke ended. */
export function demoCrmOAuth(config: Config, store: DemoCrmStore) {
  const oauth = express.Router();
  const usedCodes = new Set<string>();
  const app: RegisteredApp = { clientId: config.demoCrm.clientId, clientSecret: config.demoCrm.clientSecret, redirectUri: config.pipedrive.redirectUri };

  oauth.get("/authorize", (request, response) => {
    const checked = checkAuthorizeRequest(app, request.query);
    if (!checked.ok) return void response.status(400).type("text/plain").send(checked.reason);
    const choices = demoCrmUsers
      .map((user) => {
        const allow = new URLSearchParams({ ...checked.request, user: String(user.id) });
        return `<li><a href="authorize/allow?${escapeHtml(allow.toString())}">${escapeHtml(user.name)}</a> <small>(user ${user.id})</small></li>`;
      })
      .join("");
    const deny = new URLSearchParams({ ...checked.request });
    response
      .type("html")
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo CRM — allow Switchboard</title></head>` +
          `<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto">` +
          `<h1>Demo CRM</h1><p>Switchboard asks to read deals and people and to write notes and activities in <b>${escapeHtml(demoCrmCompany.name)}</b>` +
          ` (scopes: ${escapeHtml(demoCrmScope)}).</p><p>Allow and continue as:</p><ul>${choices}</ul>` +
          `<p><a href="authorize/deny?${escapeHtml(deny.toString())}">Deny</a></p></body></html>`,
      );
  });

  oauth.get("/authorize/allow", (request, response) => {
    const checked = checkAuthorizeRequest(app, request.query);
    const user = demoCrmUsers.find((candidate) => candidate.id === Number(request.query.user));
    if (!checked.ok || !user)
      return void response
        .status(400)
        .type("text/plain")
        .send(checked.ok ? "Unknown user." : checked.reason);
    response.redirect(302, consentRedirect(checked.request, { code: signDemoCrmCode(config.demoCrm.tokenKey, user.id) }));
  });

  oauth.get("/authorize/deny", (request, response) => {
    const checked = checkAuthorizeRequest(app, request.query);
    if (!checked.ok) return void response.status(400).type("text/plain").send(checked.reason);
    response.redirect(302, consentRedirect(checked.request, { denied: true }));
  });

  oauth.post("/token", express.urlencoded({ extended: false }), (request, response) => {
    if (!request.is("application/x-www-form-urlencoded"))
      return void sendOAuthError(response, 400, "invalid_request", "invalid_request: content must be application/x-www-form-urlencoded");
    if (!isAppClient(app, request.get("authorization"))) return void sendOAuthError(response, 401, "invalid_client", "invalid_client: client is invalid");
    const parsed = TokenRequest.safeParse(request.body);
    if (!parsed.success) return void sendOAuthError(response, 400, "invalid_request", "invalid_request: grant_type, code or refresh_token missing");
    const body = parsed.data;
    if (body.grant_type === "authorization_code") {
      const grant = verifyDemoCrmGrant(config.demoCrm.tokenKey, body.code, "code");
      if (!grant || usedCodes.has(grant.nonce)) return void sendOAuthError(response, 400, "invalid_grant", "invalid_grant: authorization code is invalid");
      if (body.redirect_uri !== app.redirectUri) return void sendOAuthError(response, 400, "invalid_request", "invalid_request: redirect_uri is invalid");
      usedCodes.add(grant.nonce);
      return void response.json(demoCrmTokenResponse(config, grant.userId));
    }
    const grant = verifyDemoCrmGrant(config.demoCrm.tokenKey, body.refresh_token, "refresh");
    if (!grant || isRevoked(store, grant)) return void sendOAuthError(response, 400, "invalid_grant", "invalid_grant: refresh token is invalid");
    // Like Pipedrive: the same refresh token comes back with a new access token.
    response.json(demoCrmTokenResponse(config, grant.userId, body.refresh_token));
  });

  // Revoking the refresh token uninstalls the app for its user; an access token ends alone; an
  // unknown token is answered 200 too (contract/oauth.ts).
  oauth.post("/revoke", express.urlencoded({ extended: false }), (request, response) => {
    if (!request.is("application/x-www-form-urlencoded"))
      return void sendOAuthError(response, 400, "invalid_request", "invalid_request: content must be application/x-www-form-urlencoded");
    if (!isAppClient(app, request.get("authorization"))) return void sendOAuthError(response, 401, "invalid_client", "invalid_client: client is invalid");
    const parsed = RevokeRequest.safeParse(request.body);
    if (!parsed.success) return void sendOAuthError(response, 400, "invalid_request", "invalid_request: token is missing");
    const { token, token_type_hint: hint } = parsed.data;
    const refresh = hint === "access_token" ? null : verifyDemoCrmGrant(config.demoCrm.tokenKey, token, "refresh");
    const access = hint === "refresh_token" ? null : verifyDemoCrmGrant(config.demoCrm.tokenKey, token, "access");
    if (refresh) store.revoked.usersAt.set(refresh.userId, Date.now());
    else if (access) store.revoked.tokenNonces.add(access.nonce);
    response.status(200).json({ success: true });
  });

  return oauth;
}
