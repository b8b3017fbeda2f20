import { and, eq, isNull, ne, or, type SQL } from "drizzle-orm";
import type { Config } from "../config";
import type { Executor } from "../db/client";
import { authTokens, members } from "../db/schema";
import { cookieHeader } from "../http/cookies";
import { issueToken, parseToken, revokeTokens, sessionLifetimeMs } from "./tokens";

// A browser's login session: logging in (signup, an accepted invitation) creates a `login_session`
// row whose secret only the browser holds, in an HttpOnly cookie scoped to the exchange route.
// Each console tab holds its own bearer token in sessionStorage, issued in that login session: the
// first by the login itself, the others by POST /sessions/cookie-exchange. Logging out ends the
// login session and every tab token issued in it; so do a removal and a password change elsewhere.

export const loginCookieName = "switchboard_login";
/** The one path the browser sends the cookie to (the API is mounted at /api/v1). */
export const loginCookiePath = "/api/v1/sessions/cookie-exchange";

/** The Set-Cookie header that stores (or, with null, deletes) the browser's login-session cookie. */
export function loginCookieHeader(config: Pick<Config, "publicUrl">, value: string | null): string {
  return cookieHeader(loginCookieName, value ?? "", {
    path: loginCookiePath,
    maxAgeSeconds: value ? sessionLifetimeMs / 1000 : 0,
    secure: config.publicUrl.startsWith("https:"),
    sameSite: "Strict",
  });
}

/**
 * Starts a browser's login session for the member: answers the first tab's bearer token and the
 * Set-Cookie header carrying the login session's secret (stored as its SHA-256 only).
 */
export async function startLoginSession(
  db: Executor,
  config: Pick<Config, "publicUrl">,
  input: { workspaceId: string; memberId: string },
): Promise<{ token: string; setCookie: string }> {
  const loginSession = await issueToken(db, { ...input, kind: "login_session" });
  const { token } = await issueToken(db, { ...input, kind: "session", loginSessionId: loginSession.id });
  return { token, setCookie: loginCookieHeader(config, loginSession.token) };
}

/**
 * A new tab's bearer token for the login session the cookie proves, in the cookie's own workspace,
 * expiring with the login session; null when the cookie proves nothing (unknown, expired, revoked)
 * or its member is no longer active.
 */
export async function exchangeLoginCookie(db: Executor, cookie: string): Promise<{ token: string; workspaceId: string; memberId: string } | null> {
  const parsed = parseToken(cookie, "sbl");
  if (!parsed) return null;
  const [loginSession] = await db
    .select({ id: authTokens.id, memberId: authTokens.memberId, expiresAt: authTokens.expiresAt, status: members.status })
    .from(authTokens)
    .innerJoin(members, and(eq(members.workspaceId, authTokens.workspaceId), eq(members.id, authTokens.memberId)))
    .where(and(eq(authTokens.workspaceId, parsed.workspaceId), eq(authTokens.tokenHash, parsed.secretHash), eq(authTokens.kind, "login_session")));
  const remainingMs = loginSession?.expiresAt ? loginSession.expiresAt.getTime() - Date.now() : 0;
  if (loginSession?.status !== "active" || remainingMs <= 0) return null;
  const { token } = await issueToken(db, {
    workspaceId: parsed.workspaceId,
    memberId: loginSession.memberId,
    kind: "session",
    loginSessionId: loginSession.id,
    lifetimeMs: remainingMs,
  });
  return { token, workspaceId: parsed.workspaceId, memberId: loginSession.memberId };
}

/** Ends a login session: its cookie's row and every tab token issued in it, in the caller's transaction. */
export function endLoginSession(db: Executor, workspaceId: string, loginSessionId: string): Promise<string[]> {
  return revokeTokens(db, workspaceId, or(eq(authTokens.id, loginSessionId), eq(authTokens.loginSessionId, loginSessionId)) as SQL);
}

/** The conditions that spare one request's own browser (its token, its login session and that session's other tabs). */
export function sparingOwnBrowser(keep: { tokenId: string; loginSessionId: string | null }): SQL[] {
  const spared = [ne(authTokens.id, keep.tokenId)];
  if (keep.loginSessionId) {
    spared.push(ne(authTokens.id, keep.loginSessionId));
    spared.push(or(isNull(authTokens.loginSessionId), ne(authTokens.loginSessionId, keep.loginSessionId)) as SQL);
  }
  return spared;
}
