import { createHmac, timingSafeEqual } from "node:crypto";
import { safeEqual } from "../ids";

const signaturePrefix = "sha256=";
const sha256HexLength = 64;

/** The `X-Hub-Signature-256` value Meta sends for `body`: `sha256=<hex HMAC-SHA256(body, appSecret)>`. */
export function signWebhookBody(appSecret: string, body: string | Uint8Array): string {
  requireSecret(appSecret);
  return `${signaturePrefix}${createHmac("sha256", appSecret).update(body).digest("hex")}`;
}

/**
 * Checks a webhook POST's `X-Hub-Signature-256` header against the HMAC of the raw body bytes
 * in constant time. It takes bytes, not a string or parsed JSON, because re-encoding or
 * re-serialising changes the bytes and the signature would never match (mount `express.raw`).
 * Throws on an empty app secret: that is a configuration bug, not a bad request.
 */
export function verifyWebhookSignature(appSecret: string, rawBody: Uint8Array, signatureHeader: string | null | undefined): boolean {
  requireSecret(appSecret);
  const received = decodeSignature(signatureHeader);
  if (!received) return false;
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  // Both are 32-byte digests here; the length check keeps timingSafeEqual from throwing regardless.
  return received.length === expected.length && timingSafeEqual(received, expected);
}

function decodeSignature(header: string | null | undefined): Buffer | null {
  if (typeof header !== "string") return null;
  const value = header.trim();
  if (!value.toLowerCase().startsWith(signaturePrefix)) return null;
  const hex = value.slice(signaturePrefix.length);
  // Buffer.from(hex) silently stops at the first non-hex character, so check the shape first.
  if (hex.length !== sha256HexLength || !/^[0-9a-f]+$/i.test(hex)) return null;
  return Buffer.from(hex, "hex");
}

function requireSecret(appSecret: string) {
  if (appSecret.length === 0) throw new Error("WhatsApp app secret is empty");
}

/** The query of Meta's GET verification request (Express leaves the dotted names flat). */
export type VerificationQuery = {
  "hub.mode"?: unknown;
  "hub.verify_token"?: unknown;
  "hub.challenge"?: unknown;
};

/**
 * Answers Meta's subscription handshake: the `hub.challenge` to echo back (200, text/plain) when
 * the mode is "subscribe" and the token matches, else null (403). Send the challenge as
 * text/plain, never HTML, since it is reflected from the request.
 */
export function answerVerificationChallenge(query: VerificationQuery, expectedVerifyToken: string): string | null {
  const mode = query["hub.mode"];
  const token = query["hub.verify_token"];
  const challenge = query["hub.challenge"];
  if (mode !== "subscribe" || typeof token !== "string" || typeof challenge !== "string") return null;
  // An unset verify token must not let an empty hub.verify_token through.
  if (expectedVerifyToken.length === 0 || !safeEqual(token, expectedVerifyToken)) return null;
  // Meta's challenge is a random integer; reflecting only token characters rules out markup.
  return /^[A-Za-z0-9._~-]{1,512}$/.test(challenge) ? challenge : null;
}
