import express from "express";
import type { Config } from "../config";
import { escapeHtml } from "../crm/transcript";
import { demoCrmCompany, demoCrmUsers } from "./company";
import { checkAuthorizeRequest, consentRedirect, isAppClient, type RegisteredApp, RevokeRequest, TokenRequest } from "./contract/oauth";
import { sendOAuthError } from "./contract/responses";
import { type DemoCrmStore, isRevoked } from "./store";
import { demoCrmScope, demoCrmTokenResponse, signDemoCrmCode, verifyDemoCrmGrant } from "./tokens";

// Pipedrive's OAuth server as the official client uses it (pipedrive.md §1; the rules and their
// pages in contract/oauth.ts, shared with the tests' fake): a consent page whose form, posted, hands
// our callback a code; the token endpoint (Basic client auth, form body) for the code exchange and
// refreshes; and revoke. The consent page lets the visitor pick which demo user "logged in".

/** The demo CRM's /oauth router; `store` remembers what /oauth/revoke ended and which codes /oauth/token exchanged. */
export function demoCrmOAuth(config: Config, store: DemoCrmStore) {
  const oauth = express.Router();
  const usedCodes = new Set<string>();
  const app: RegisteredApp = { clientId: config.demoCrm.clientId, clientSecret: config.demoCrm.clientSecret, redirectUri: config.pipedrive.redirectUri };

  // The consent page is a form, as Pipedrive's is: pressing a demo user's name posts the request's
  // fields with `user`, pressing Deny posts them with `decision=deny`.
  oauth.get("/authorize", (request, response) => {
    const checked = checkAuthorizeRequest(app, request.query);
    if (!checked.ok) return void response.status(400).type("text/plain").send(checked.reason);
    const hidden = Object.entries(checked.request)
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join("");
    const choices = demoCrmUsers
      .map((user) => `<li><button type="submit" name="user" value="${user.id}">${escapeHtml(user.name)}</button> <small>(user ${user.id})</small></li>`)
      .join("");
    response
      .type("html")
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo CRM — allow Switchboard</title></head>` +
          `<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto">` +
          `<h1>Demo CRM</h1><p>Switchboard asks to read deals and people and to write notes and activities in <b>${escapeHtml(demoCrmCompany.name)}</b>` +
          ` (scopes: ${escapeHtml(demoCrmScope)}).</p><form method="post" action="authorize">${hidden}<p>Allow and continue as:</p><ul>${choices}</ul>` +
          `<p><button type="submit" name="decision" value="deny">Deny</button></p></form></body></html>`,
      );
  });

  oauth.post("/authorize", express.urlencoded({ extended: false }), (request, response) => {
    const fields: Record<string, unknown> = request.body ?? {};
    const checked = checkAuthorizeRequest(app, fields);
    if (!checked.ok) return void response.status(400).type("text/plain").send(checked.reason);
    if (fields.decision === "deny") return void response.redirect(302, consentRedirect(checked.request, { denied: true }));
    const user = demoCrmUsers.find((candidate) => candidate.id === Number(fields.user));
    if (!user) return void response.status(400).type("text/plain").send("Unknown user.");
    response.redirect(302, consentRedirect(checked.request, { code: signDemoCrmCode(config.demoCrm.tokenKey, user.id) }));
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
      store.codeExchanges.push({ userId: grant.userId, at: new Date() });
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
