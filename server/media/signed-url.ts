import { createHmac } from "node:crypto";
import { safeEqual } from "../ids";

/** What a signed download URL opens: one message's media in one workspace. */
export type MediaDownloadTarget = { workspaceId: string; messageId: string };

const signatureOf = (key: Buffer, target: MediaDownloadTarget, expires: number) =>
  createHmac("sha256", key).update(`media-download\n${target.workspaceId}\n${target.messageId}\n${expires}`).digest("base64url");

/** `expires` (Unix seconds) and an HMAC over workspace, message and expiry, for `?expires=…&signature=…`. */
export function signMediaDownload(key: Buffer, target: MediaDownloadTarget, nowMs: number, lifetimeMs: number) {
  const expires = Math.floor((nowMs + lifetimeMs) / 1000);
  return { expires, signature: signatureOf(key, target, expires) };
}

/** True when the query carries an unexpired signature for exactly this workspace and message. */
export function verifyMediaDownload(key: Buffer, target: MediaDownloadTarget, query: Record<string, unknown>, nowMs: number): boolean {
  const { expires, signature } = query;
  if (typeof expires !== "string" || typeof signature !== "string" || !/^\d{1,12}$/.test(expires)) return false;
  const expiresAt = Number(expires);
  if (expiresAt * 1000 <= nowMs) return false;
  return safeEqual(signature, signatureOf(key, target, expiresAt));
}
