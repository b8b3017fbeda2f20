import { z } from "zod";
import { hubspotOptionalScopes, hubspotRequiredScopes } from "./scopes";

// HubSpot's OAuth on the dated 2026-03 endpoints (hubspot.md §3: /oauth/v1 stops working
// 2027-02-16, and @hubspot/api-client 13's OAuth calls are v1 only, so this is a thin fetch client).
// Token endpoints take form bodies; the token answer names the account (hub_id) and the user.

export type HubspotApp = { clientId: string; clientSecret: string; redirectUri: string; authUrl: string; apiUrl: string };

export type HubspotTokens = {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  hubId: number;
  userId: number;
  scopes: string[];
};

/** What went wrong at HubSpot: `invalid_grant` on a refresh means the app was uninstalled. */
export class HubspotOAuthError extends Error {
  override readonly name = "HubspotOAuthError";
  constructor(
    readonly reason: "invalid_grant" | "invalid_client" | "invalid_request" | "unavailable",
    message: string,
    readonly hubspotStatus: string | null = null,
  ) {
    super(message);
  }
}

const TokenAnswer = z.object({
  access_token: z.string().min(1).max(2000),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  hub_id: z.number().int().positive(),
  user_id: z.number().int().positive(),
  scopes: z.array(z.string()).default([]),
});
const ErrorAnswer = z.object({ error: z.string(), error_description: z.string().optional(), status: z.string().optional() });

/** The install URL: our required scopes, the optional ones, and the signed state. */
export function hubspotAuthorizeUrl(app: HubspotApp, state: string): string {
  // Appended, not resolved: a base with a path (the demo portal's /dev/demo-hubspot) keeps it.
  const url = new URL(`${app.authUrl}/oauth/authorize`);
  url.searchParams.set("client_id", app.clientId);
  url.searchParams.set("redirect_uri", app.redirectUri);
  url.searchParams.set("scope", hubspotRequiredScopes.join(" "));
  url.searchParams.set("optional_scope", hubspotOptionalScopes.join(" "));
  url.searchParams.set("state", state);
  return url.href;
}

async function postForm(app: HubspotApp, path: string, fields: Record<string, string>): Promise<Response> {
  const body = new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, ...fields });
  try {
    return await fetch(`${app.apiUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new HubspotOAuthError("unavailable", `HubSpot could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function tokenRequest(app: HubspotApp, fields: Record<string, string>, now: () => number): Promise<HubspotTokens> {
  const response = await postForm(app, "/oauth/2026-03/token", fields);
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const failure = ErrorAnswer.safeParse(json);
    if (response.status >= 500 || !failure.success) throw new HubspotOAuthError("unavailable", `HubSpot's token endpoint answered ${response.status}`);
    const reason = failure.data.error === "invalid_grant" || failure.data.error === "invalid_client" ? failure.data.error : "invalid_request";
    throw new HubspotOAuthError(reason, failure.data.error_description ?? failure.data.error, failure.data.status ?? null);
  }
  const answer = TokenAnswer.safeParse(json);
  if (!answer.success) throw new HubspotOAuthError("unavailable", "HubSpot's token answer lacks the account or user it is for");
  const tokens = answer.data;
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: new Date(now() + tokens.expires_in * 1000),
    hubId: tokens.hub_id,
    userId: tokens.user_id,
    scopes: tokens.scopes,
  };
}

export function exchangeHubspotCode(app: HubspotApp, code: string, now: () => number = Date.now): Promise<HubspotTokens> {
  return tokenRequest(app, { grant_type: "authorization_code", code, redirect_uri: app.redirectUri }, now);
}

/** A fresh access token; HubSpot may or may not rotate the refresh token, so keep whatever comes back. */
export function refreshHubspotTokens(app: HubspotApp, refreshToken: string, now: () => number = Date.now): Promise<HubspotTokens> {
  return tokenRequest(app, { grant_type: "refresh_token", refresh_token: refreshToken }, now);
}

/** Revokes a refresh token (and the access it grants); HubSpot's failure to answer is reported, not swallowed. */
export async function revokeHubspotToken(app: HubspotApp, refreshToken: string): Promise<void> {
  const response = await postForm(app, "/oauth/2026-03/token/revoke", { token: refreshToken, token_type_hint: "refresh_token" });
  if (!response.ok && response.status >= 500) throw new HubspotOAuthError("unavailable", `HubSpot's revoke endpoint answered ${response.status}`);
}

const Introspection = z.object({ active: z.boolean(), hub_domain: z.string().optional(), user: z.string().nullable().optional() });

/** The account's domain and the installing user's e-mail, from introspection (shown to admins). */
export async function introspectHubspotToken(app: HubspotApp, accessToken: string): Promise<{ hubDomain: string | null; userEmail: string | null }> {
  const response = await postForm(app, "/oauth/2026-03/token/introspect", { token: accessToken, token_type_hint: "access_token" });
  const answer = Introspection.safeParse(await response.json().catch(() => null));
  if (!response.ok || !answer.success || !answer.data.active) return { hubDomain: null, userEmail: null };
  return { hubDomain: answer.data.hub_domain ?? null, userEmail: answer.data.user ?? null };
}
