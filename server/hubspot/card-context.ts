import { hkdfSync, randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import type { OAuthNonceStore } from "../crm/oauth-state";

// The context a HubSpot card hands to the Switchboard sign-in page it opens: which portal's record
// the card was on. It travels in the page's URL fragment (never sent to a server by the browser,
// nor in a Referer), as an HS256 JWT under a key derived from ENCRYPTION_KEY for this purpose only,
// living ten minutes and accepted once (its jti burnt in the database nonce table).
//
// It proves only what the signed card request said: the portal and the HubSpot user (HubSpot's
// `portalId` and `userId` query parameters) and the record the card named. Signing in with it
// links that HubSpot user to the member who signs in (server/hubspot/user-links.ts).

export const cardContextTtlSeconds = 10 * 60;
const issuer = "switchboard.hubspot.card";
export const hubspotObjectTypes = { contact: "0-1", deal: "0-3" } as const;
export type HubspotObjectTypeId = (typeof hubspotObjectTypes)[keyof typeof hubspotObjectTypes];
export const isHubspotObjectTypeId = (value: string): value is HubspotObjectTypeId => value === "0-1" || value === "0-3";

export type CardRecord = { hubId: number; objectTypeId: HubspotObjectTypeId; objectId: string };
/** The record, and the HubSpot user the signed card request named (null when HubSpot appended none). */
export type CardContext = CardRecord & { hubspotUserId: number | null };

export class CardContextError extends Error {
  override readonly name = "CardContextError";
  constructor(readonly reason: "malformed" | "bad_signature" | "expired" | "invalid_claims" | "replayed") {
    super(`HubSpot card context refused: ${reason}`);
  }
}

/** The key that signs card contexts: its own HKDF label, apart from every other key derived from ENCRYPTION_KEY. */
export function cardContextKey(encryptionKey: Buffer): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), "switchboard.hubspot.card-context", 32));
}

export async function signCardContext(key: Uint8Array, context: CardContext, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    hubId: context.hubId,
    objectTypeId: context.objectTypeId,
    objectId: context.objectId,
    ...(context.hubspotUserId === null ? {} : { hubspotUserId: context.hubspotUserId }),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + cardContextTtlSeconds)
    .setJti(randomUUID())
    .sign(key);
}

/** Verifies a card context and, with `usedContexts`, burns it. Throws CardContextError. */
export async function verifyCardContext(key: Uint8Array, token: string, options: { usedContexts?: OAuthNonceStore; now?: Date } = {}): Promise<CardContext> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      issuer,
      requiredClaims: ["exp", "jti"],
      ...(options.now ? { currentDate: options.now } : {}),
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new CardContextError("expired");
    if (error instanceof errors.JWSSignatureVerificationFailed) throw new CardContextError("bad_signature");
    if (error instanceof errors.JWTClaimValidationFailed) throw new CardContextError("invalid_claims");
    throw new CardContextError("malformed");
  }
  const { hubId, objectTypeId, objectId, hubspotUserId = null, jti, exp } = payload;
  if (
    typeof hubId !== "number" ||
    !Number.isSafeInteger(hubId) ||
    hubId <= 0 ||
    typeof objectTypeId !== "string" ||
    !isHubspotObjectTypeId(objectTypeId) ||
    typeof objectId !== "string" ||
    !/^\d{1,20}$/.test(objectId) ||
    !(hubspotUserId === null || isHubspotId(hubspotUserId)) ||
    typeof jti !== "string" ||
    typeof exp !== "number"
  ) {
    throw new CardContextError("invalid_claims");
  }
  if (options.usedContexts && !(await options.usedContexts.consume(`hubspot-card:${jti}`, new Date(exp * 1000)))) {
    throw new CardContextError("replayed");
  }
  return { hubId, objectTypeId, objectId, hubspotUserId };
}

/** A HubSpot numeric id (portal, user): a positive safe integer. */
export const isHubspotId = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value > 0;
