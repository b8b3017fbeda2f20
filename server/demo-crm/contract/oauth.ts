import { timingSafeEqual } from "node:crypto";
import { z } from "zod";

// Pipedrive's OAuth server as apps meet it, shared by the demo CRM and the tests' fake.
// https://pipedrive.readme.io/docs/marketplace-oauth-authorization:
// - authorize: `GET /oauth/authorize?client_id&redirect_uri[&state]`; `redirect_uri` must equal the
//   Callback URL registered for the app; no `scope` parameter (scopes are set in Developer Hub,
//   https://pipedrive.readme.io/docs/marketplace-scopes-and-permissions-explanations). A request
//   naming another client or another redirect_uri gets an error page, never a redirect to the
//   address it named (RFC 6749 §4.1.2.1). After consent the browser goes to
//   `redirect_uri?code=…&state=…`, or `?error=user_denied&state=…` when the user declines.
// - token: `POST /oauth/token`, form-encoded, `Authorization: Basic base64(client_id:client_secret)`,
//   grant_type authorization_code (code, redirect_uri) or refresh_token (refresh_token); the code
//   lives 5 minutes and is good once.
// - revoke: `POST /oauth/revoke`, Basic header, `token=…&token_type_hint=refresh_token|access_token`;
//   revoking the refresh token marks the app uninstalled for that user; RFC 7009 §2.2: 200 even
//   for an unknown token (https://pipedrive.readme.io/docs/app-uninstallation).

export const authorizationCodeLifetimeMs = 5 * 60_000;

/** The app as registered in Developer Hub. */
export type RegisteredApp = { clientId: string; clientSecret: string; redirectUri: string };

export type AuthorizeRequest = { client_id: string; redirect_uri: string; state?: string };

/** Checks an authorize request against the registered app: the request, or why the page refuses it. */
export function checkAuthorizeRequest(
  app: RegisteredApp,
  query: Record<string, unknown>,
): { ok: true; request: AuthorizeRequest } | { ok: false; reason: string } {
  if (typeof query.client_id !== "string" || query.client_id !== app.clientId) return { ok: false, reason: "App does not exist (unknown client_id)." };
  if (typeof query.redirect_uri !== "string" || query.redirect_uri !== app.redirectUri) {
    return { ok: false, reason: "The redirect_uri does not match the app's registered Callback URL." };
  }
  const state = typeof query.state === "string" && query.state !== "" ? query.state : undefined;
  return { ok: true, request: { client_id: app.clientId, redirect_uri: app.redirectUri, ...(state ? { state } : {}) } };
}

/** Where the consent page sends the browser: the callback with a code, or with `error=user_denied`. */
export function consentRedirect(request: AuthorizeRequest, outcome: { code: string } | { denied: true }): string {
  const callback = new URL(request.redirect_uri);
  if ("code" in outcome) callback.searchParams.set("code", outcome.code);
  else callback.searchParams.set("error", "user_denied");
  if (request.state) callback.searchParams.set("state", request.state);
  return callback.toString();
}

export const TokenRequest = z.discriminatedUnion("grant_type", [
  z.object({ grant_type: z.literal("authorization_code"), code: z.string().min(1), redirect_uri: z.string().min(1) }),
  z.object({ grant_type: z.literal("refresh_token"), refresh_token: z.string().min(1) }),
]);

export const RevokeRequest = z.strictObject({ token: z.string().min(1), token_type_hint: z.enum(["refresh_token", "access_token"]).optional() });

/** `Authorization: Basic base64(client_id:client_secret)`, as Pipedrive and the SDK send it. */
export function basicHeader(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
}

/** Whether the request's Authorization header is the app's Basic credentials (constant time). */
export function isAppClient(app: Pick<RegisteredApp, "clientId" | "clientSecret">, authorization: string | undefined): boolean {
  const expected = Buffer.from(basicHeader(app.clientId, app.clientSecret));
  const given = Buffer.from(authorization ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
