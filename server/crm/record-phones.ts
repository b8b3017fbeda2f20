import { hkdfSync } from "node:crypto";
import { decryptSecret, encryptSecret } from "../crypto/secrets";
import { type Actor, maskPhone, maySeeNumbers, presentPhone } from "../permissions";

// A CRM record's phone numbers as a panel shows them (every CRM: Pipedrive, HubSpot). A member
// without contacts.view_numbers sees them masked, like every number, yet can still start a chat
// from the record: each number comes with a `ref`, the number encrypted for that member for a
// while, which POST /chats takes instead of a typed phone. Refs are opaque (AES-256-GCM with a
// random IV, so never the same twice): nothing about the number can be read from one.

/** How long a ref starts chats: a panel left open over a working day still works. */
export const phoneRefLifetimeMs = 12 * 60 * 60 * 1000;
const refPrefix = "pref.";

/** The key refs are sealed with: derived from ENCRYPTION_KEY for this use alone. */
export function phoneRefKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), "switchboard.crm.phone-ref", 32));
}

type RefClaims = { w: string; m: string; p: string; e: number };

/** A ref to `phone` (E.164) that only this member, in this workspace, can start a chat with until it expires. */
export function issuePhoneRef(key: Buffer, actor: Actor, phone: string, now = Date.now()): string {
  const claims: RefClaims = { w: actor.workspaceId, m: actor.memberId, p: phone, e: now + phoneRefLifetimeMs };
  return refPrefix + encryptSecret(key, JSON.stringify(claims));
}

/** The number a ref stands for, or null when it is not this member's, has expired or was tampered with. */
export function readPhoneRef(key: Buffer, actor: Actor, ref: string, now = Date.now()): string | null {
  if (!ref.startsWith(refPrefix)) return null;
  try {
    const claims = JSON.parse(decryptSecret(key, ref.slice(refPrefix.length))) as Partial<RefClaims>;
    if (claims.w !== actor.workspaceId || claims.m !== actor.memberId || typeof claims.p !== "string" || typeof claims.e !== "number") return null;
    return claims.e > now ? claims.p : null;
  } catch {
    return null;
  }
}

export type RecordPhone = { e164: string | null; label: string | null; raw: string };

/**
 * One phone of a CRM record as this member may see it: `e164` and `raw` masked without
 * contacts.view_numbers (the same fields, masked strings), and a `ref` to start a chat with it
 * (null when the number is not one WhatsApp can reach).
 */
export function presentRecordPhone(key: Buffer, actor: Actor, phone: RecordPhone) {
  const raw = maySeeNumbers(actor) ? phone.raw : maskPhone(phone.e164 ?? phone.raw);
  return { e164: presentPhone(actor, phone.e164), label: phone.label, raw, ref: phone.e164 ? issuePhoneRef(key, actor, phone.e164) : null };
}
