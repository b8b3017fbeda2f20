import { createHash, randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";

// The iframe's `token` query parameter and GET_SIGNED_TOKEN both carry an HS256 JWT signed with
// the extension's JWT secret (or the app's client secret), holding `userId` and `companyId`
// (pipedrive.md §2.3). It proves who opened the panel; it is not an API token. It travels in the
// iframe's URL, so it may leak: each one opens one session, and none may claim a life longer than
// Pipedrive's 5 minutes.

export const panelTokenFailures = [
  "malformed",
  "wrong_algorithm",
  "bad_signature",
  "expired",
  "too_long_lived",
  "replayed",
  "missing_claims",
  "invalid_claims",
  "wrong_company",
  "wrong_user",
] as const;
export type PanelTokenFailure = (typeof panelTokenFailures)[number];

export class PanelTokenError extends Error {
  override readonly name = "PanelTokenError";
  constructor(
    readonly reason: PanelTokenFailure,
    message: string,
  ) {
    super(message);
  }
}

export type PanelIdentity = { pipedriveUserId: number; pipedriveCompanyId: number };

/** GET_SIGNED_TOKEN tokens live 5 minutes. */
export const panelTokenTtlSeconds = 300;
// Pipedrive's clock and ours may disagree slightly; a few seconds is all `exp` is allowed to slip.
const clockToleranceSeconds = 5;

/** Remembers used tokens until they expire, for every server process (connections.ts keeps them in the database). */
export type UsedPanelTokens = { consume(key: string, expiresAt: Date): Promise<boolean> };

/**
 * Verifies a panel JWT: HS256 only, signed with `secret`, unexpired but expiring within Pipedrive's
 * 5 minutes, with `userId`, `companyId` and `exp`. When the caller knows which company or user it
 * acts for (the installation, the iframe's query), a token for another is refused. With
 * `usedTokens`, a token is accepted once: by its `jti`, or by its whole text when it has none.
 * Throws PanelTokenError.
 */
export async function verifyPanelToken(
  token: string,
  secret: string,
  expected: { companyId?: number; userId?: number; now?: Date; usedTokens?: UsedPanelTokens } = {},
): Promise<PanelIdentity> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, secretKey(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["exp", "userId", "companyId"],
      clockTolerance: clockToleranceSeconds,
      ...(expected.now ? { currentDate: expected.now } : {}),
    }));
  } catch (error) {
    throw panelTokenErrorFrom(error);
  }
  const pipedriveUserId = pipedriveIdOf(payload.userId);
  const pipedriveCompanyId = pipedriveIdOf(payload.companyId);
  if (pipedriveUserId === null || pipedriveCompanyId === null) {
    throw new PanelTokenError("invalid_claims", "userId and companyId must be Pipedrive ids");
  }
  if (expected.companyId !== undefined && expected.companyId !== pipedriveCompanyId) {
    throw new PanelTokenError("wrong_company", "Token is for another Pipedrive company");
  }
  if (expected.userId !== undefined && expected.userId !== pipedriveUserId) {
    throw new PanelTokenError("wrong_user", "Token is for another Pipedrive user");
  }
  const expiresAt = Number(payload.exp);
  const nowSeconds = (expected.now ?? new Date()).getTime() / 1000;
  // Measured from now, and from `iat` when there is one: a day-long token is refused all day long.
  const lifetimeSeconds = Math.max(expiresAt - nowSeconds, typeof payload.iat === "number" ? expiresAt - payload.iat : 0);
  if (lifetimeSeconds > panelTokenTtlSeconds + clockToleranceSeconds) {
    throw new PanelTokenError("too_long_lived", `Panel token lives longer than Pipedrive's ${panelTokenTtlSeconds / 60} minutes`);
  }
  if (expected.usedTokens) {
    const useKey = panelTokenUseKey(token, pipedriveCompanyId, payload.jti);
    // Kept a little past `exp`, while the clock tolerance still accepts the token.
    const firstUse = await expected.usedTokens.consume(useKey, new Date((expiresAt + clockToleranceSeconds) * 1000));
    if (!firstUse) throw new PanelTokenError("replayed", "Panel token was already used");
  }
  return { pipedriveUserId, pipedriveCompanyId };
}

/** What a token is remembered by: its `jti` within its company, else its whole text; hashed to a fixed size. */
function panelTokenUseKey(token: string, pipedriveCompanyId: number, jti: unknown): string {
  const identity = typeof jti === "string" && jti.length > 0 ? `jti:${pipedriveCompanyId}:${jti}` : `token:${token}`;
  return `panel-jwt:${createHash("sha256").update(identity).digest("base64url")}`;
}

/**
 * Signs a panel JWT the way Pipedrive does (HS256, `userId`, `companyId`, `iat`, `exp`), with a
 * `jti` so two tokens signed within a second differ; for the CRM simulator and tests.
 */
export async function signPanelToken(
  secret: string,
  claims: { userId: number; companyId: number },
  ttlSeconds: number = panelTokenTtlSeconds,
  now: Date = new Date(),
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ userId: claims.userId, companyId: claims.companyId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .setJti(randomUUID())
    .sign(secretKey(secret));
}

function panelTokenErrorFrom(error: unknown): PanelTokenError {
  if (error instanceof errors.JWTExpired) return new PanelTokenError("expired", "Panel token has expired");
  if (error instanceof errors.JOSEAlgNotAllowed) return new PanelTokenError("wrong_algorithm", "Panel token is not HS256");
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new PanelTokenError("bad_signature", "Panel token signature does not match our secret");
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.reason === "missing") {
    return new PanelTokenError("missing_claims", `Panel token lacks the "${error.claim}" claim`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) return new PanelTokenError("invalid_claims", error.message);
  return new PanelTokenError("malformed", "Panel token is not a valid JWT");
}

// The claims are undocumented beyond their names; the query carries them as digit strings.
function pipedriveIdOf(value: unknown): number | null {
  const id = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
}

function secretKey(secret: string): Uint8Array {
  if (secret.length === 0) throw new RangeError("Panel JWT secret is empty");
  return new TextEncoder().encode(secret);
}
