import { timingSafeEqual } from "node:crypto";
import express, { type Response } from "express";
import type { Config } from "../config";
import { escapeHtml } from "../pipedrive/transcript";
import { demoCrmCompany, demoCrmUsers } from "./company";
import { demoCrmTokenResponse, signDemoCrmCode, verifyDemoCrmGrant } from "./tokens";

// Pipedrive's OAuth server as the official client uses it (pipedrive.md §1): a consent page that
// hands our callback a code, and the token endpoint (Basic client auth, form body) for the code
// exchange and refreshes. The consent page lets the visitor pick which demo user "logged in".

/** The demo CRM's /oauth router. */
export function demoCrmOAuth(config: Config) {
  const oauth = express.Router();
  const usedCodes = new Set<string>();

  oauth.get("/authorize", (request, response) => {
    const query = authorizeQuery(config, request.query);
    if (!query) return void response.status(400).type("text/plain").send("Unknown client_id or redirect_uri.");
    const choices = demoCrmUsers
      .map((user) => {
        const allow = new URLSearchParams({ ...query, user: String(user.id) });
        return `<li><a href="authorize/allow?${escapeHtml(allow.toString())}">${escapeHtml(user.name)}</a> <small>(user ${user.id})</small></li>`;
      })
      .join("");
    response
      .type("html")
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo CRM — allow Switchboard</title></head>` +
          `<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto">` +
          `<h1>Demo CRM</h1><p>Switchboard asks to read deals and people and to write notes and activities in <b>${escapeHtml(demoCrmCompany.name)}</b>.</p>` +
          `<p>Allow and continue as:</p><ul>${choices}</ul></body></html>`,
      );
  });

  oauth.get("/authorize/allow", (request, response) => {
    const query = authorizeQuery(config, request.query);
    const user = demoCrmUsers.find((candidate) => candidate.id === Number(request.query.user));
    if (!query || !user) return void response.status(400).type("text/plain").send("Unknown client_id, redirect_uri or user.");
    const callback = new URL(query.redirect_uri);
    callback.searchParams.set("code", signDemoCrmCode(config.demoCrm.tokenKey, user.id));
    if (query.state) callback.searchParams.set("state", query.state);
    response.redirect(302, callback.toString());
  });

  oauth.post("/token", express.urlencoded({ extended: false }), (request, response) => {
    if (!request.is("application/x-www-form-urlencoded"))
      return void oauthError(response, 400, "invalid_request", "content must be application/x-www-form-urlencoded");
    if (!isOurClient(config, request.get("authorization"))) return void oauthError(response, 401, "invalid_client", "client is invalid");
    const body = request.body as Record<string, string | undefined>;
    if (body.grant_type === "authorization_code") {
      const grant = body.code ? verifyDemoCrmGrant(config.demoCrm.tokenKey, body.code, "code") : null;
      if (!grant || usedCodes.has(grant.nonce)) return void oauthError(response, 400, "invalid_grant", "authorization code is invalid");
      if (body.redirect_uri !== config.pipedrive.redirectUri) return void oauthError(response, 400, "invalid_request", "redirect_uri is invalid");
      usedCodes.add(grant.nonce);
      return void response.json(demoCrmTokenResponse(config, grant.userId));
    }
    if (body.grant_type === "refresh_token") {
      const grant = body.refresh_token ? verifyDemoCrmGrant(config.demoCrm.tokenKey, body.refresh_token, "refresh") : null;
      if (!grant) return void oauthError(response, 400, "invalid_grant", "refresh token is invalid");
      // Like Pipedrive: the same refresh token comes back with a new access token.
      return void response.json(demoCrmTokenResponse(config, grant.userId, body.refresh_token));
    }
    oauthError(response, 400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
  });

  return oauth;
}

/** The consent page's query, when it names our client and our callback (never another address). */
function authorizeQuery(config: Config, query: Record<string, unknown>): { client_id: string; redirect_uri: string; state?: string } | null {
  if (query.client_id !== config.demoCrm.clientId || query.redirect_uri !== config.pipedrive.redirectUri) return null;
  const state = typeof query.state === "string" ? query.state : undefined;
  return { client_id: config.demoCrm.clientId, redirect_uri: config.pipedrive.redirectUri, ...(state ? { state } : {}) };
}

function isOurClient(config: Config, authorization: string | undefined): boolean {
  const expected = Buffer.from(`Basic ${Buffer.from(`${config.demoCrm.clientId}:${config.demoCrm.clientSecret}`).toString("base64")}`);
  const given = Buffer.from(authorization ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function oauthError(response: Response, status: number, error: string, description: string) {
  response.status(status).json({ error, error_description: `${error}: ${description}` });
}
