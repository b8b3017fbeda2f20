import { hkdfSync, randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import type { OAuthNonceStore } from "../crm/oauth-state";
import { CardContextError, type CardRecord, isHubspotId, isHubspotObjectTypeId } from "./card-context";

// The card's "Open conversation" for a linked member: the panel's address with, in its fragment, a
// short-lived single-use token naming the portal, the HubSpot user, the member the card answered
// for and the record. Traded at POST /hubspot/panel/open for a panel bearer, while the link still
// holds. Its own key (HKDF label) and issuer, so a sign-in context is never taken for one.

export const conversationLinkTtlSeconds = 10 * 60;
const issuer = "switchboard.hubspot.conversation";

export type ConversationLink = CardRecord & { hubspotUserId: number; workspaceId: string; memberId: string };

export function conversationLinkKey(encryptionKey: Buffer): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), "switchboard.hubspot.conversation-link", 32));
}

export async function signConversationLink(key: Uint8Array, link: ConversationLink, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ...link })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + conversationLinkTtlSeconds)
    .setJti(randomUUID())
    .sign(key);
}

/** Verifies a conversation link and, with `usedLinks`, burns it. Throws CardContextError. */
export async function verifyConversationLink(key: Uint8Array, token: string, options: { usedLinks?: OAuthNonceStore } = {}): Promise<ConversationLink> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ["HS256"], issuer, requiredClaims: ["exp", "jti"] }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new CardContextError("expired");
    if (error instanceof errors.JWSSignatureVerificationFailed) throw new CardContextError("bad_signature");
    if (error instanceof errors.JWTClaimValidationFailed) throw new CardContextError("invalid_claims");
    throw new CardContextError("malformed");
  }
  const { hubId, hubspotUserId, workspaceId, memberId, objectTypeId, objectId, jti, exp } = payload;
  if (
    !isHubspotId(hubId) ||
    !isHubspotId(hubspotUserId) ||
    typeof workspaceId !== "string" ||
    typeof memberId !== "string" ||
    typeof objectTypeId !== "string" ||
    !isHubspotObjectTypeId(objectTypeId) ||
    typeof objectId !== "string" ||
    !/^\d{1,20}$/.test(objectId) ||
    typeof jti !== "string" ||
    typeof exp !== "number"
  ) {
    throw new CardContextError("invalid_claims");
  }
  if (options.usedLinks && !(await options.usedLinks.consume(`hubspot-conversation:${jti}`, new Date(exp * 1000)))) {
    throw new CardContextError("replayed");
  }
  return { hubId, hubspotUserId, workspaceId, memberId, objectTypeId, objectId };
}
