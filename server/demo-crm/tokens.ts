import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";

// The demo CRM's tokens carry their own claims and an HMAC (keyed from ENCRYPTION_KEY), so they
// survive a restart of the in-memory CRM: a connection stored last week still refreshes today.

export type DemoCrmGrantKind = "access" | "refresh" | "code";
/** `issuedAtMs` tells tokens issued before a revoke from later ones (absent in tokens from before it was added). */
export type DemoCrmGrant = { kind: DemoCrmGrantKind; userId: number; expiresAtMs: number | null; nonce: string; issuedAtMs?: number };

/** Pipedrive's access tokens live an hour; so do the demo CRM's. */
export const demoCrmAccessTokenSeconds = 3599;
const codeLifetimeMs = 5 * 60_000;
export const demoCrmScope = "base,deals:full,contacts:full,activities:full,search:read,users:read";

/** Signs a grant of the demo CRM; `lifetimeMs` null for refresh tokens (they don't expire here). */
export function signDemoCrmGrant(key: Buffer, kind: DemoCrmGrantKind, userId: number, lifetimeMs: number | null, now = Date.now()): string {
  const grant: DemoCrmGrant = {
    kind,
    userId,
    expiresAtMs: lifetimeMs === null ? null : now + lifetimeMs,
    nonce: randomBytes(9).toString("base64url"),
    issuedAtMs: now,
  };
  const payload = Buffer.from(JSON.stringify(grant)).toString("base64url");
  return `dcrm.${payload}.${signature(key, payload)}`;
}

/** The grant a token carries, or null when it is forged, of another kind or expired. */
export function verifyDemoCrmGrant(key: Buffer, token: string, kind: DemoCrmGrantKind, now = Date.now()): DemoCrmGrant | null {
  const [prefix, payload, mac, ...rest] = token.split(".");
  if (prefix !== "dcrm" || !payload || !mac || rest.length > 0) return null;
  const expected = Buffer.from(signature(key, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let grant: DemoCrmGrant;
  try {
    grant = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as DemoCrmGrant;
  } catch {
    return null;
  }
  if (grant.kind !== kind || !Number.isSafeInteger(grant.userId)) return null;
  if (grant.expiresAtMs !== null && grant.expiresAtMs <= now) return null;
  return grant;
}

export const signDemoCrmCode = (key: Buffer, userId: number) => signDemoCrmGrant(key, "code", userId, codeLifetimeMs);

/** Pipedrive's token response for a user: a new access token beside the (unchanging) refresh token. */
export function demoCrmTokenResponse(config: Config, userId: number, refreshToken?: string) {
  return {
    access_token: signDemoCrmGrant(config.demoCrm.tokenKey, "access", userId, demoCrmAccessTokenSeconds * 1000),
    token_type: "bearer",
    refresh_token: refreshToken ?? signDemoCrmGrant(config.demoCrm.tokenKey, "refresh", userId, null),
    scope: demoCrmScope,
    expires_in: demoCrmAccessTokenSeconds,
    api_domain: config.demoCrm.url,
  };
}

function signature(key: Buffer, payload: string): string {
  return createHmac("sha256", key).update(payload).digest("base64url");
}
