import { createHmac, randomBytes } from "node:crypto";
import { safeEqual } from "../ids";

// Scheme: Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
// The timestamp is signed with the body, so a captured request cannot be replayed later than the
// receiver's tolerance; `v1` versions the scheme and may repeat (several secrets during a rotation).

export const signatureHeader = "Switchboard-Signature";
export const eventHeader = "Switchboard-Event";
export const deliveryHeader = "Switchboard-Delivery";
export const defaultToleranceSeconds = 300;

/** A new webhook signing secret: 256 random bits, prefixed so secret scanners recognise it. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

function hmacHex(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
}

/** The Switchboard-Signature header value for a body sent at `timestamp` (unix seconds). */
export function signatureFor(secret: string, rawBody: string | Uint8Array, timestamp: number): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, rawBody)}`;
}

/** The headers of one delivery attempt, signed now. */
export function deliveryHeaders(input: { secret: string; rawBody: string; event: string; deliveryId: string; now?: Date }): Record<string, string> {
  const timestamp = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return {
    "content-type": "application/json",
    "user-agent": "Switchboard-Webhooks/1",
    [signatureHeader]: signatureFor(input.secret, input.rawBody, timestamp),
    [eventHeader]: input.event,
    [deliveryHeader]: input.deliveryId,
  };
}

/**
 * For receivers (and our tests): true when `header` carries a v1 signature of exactly `rawBody`
 * under `secret`, made within `toleranceSeconds` of now. Compares in constant time. Pass the
 * body's raw bytes as received, before any JSON parsing.
 */
export function verifySwitchboardSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  toleranceSeconds = defaultToleranceSeconds,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  const parts = header.split(",").map((part) => part.trim().split("="));
  const timestamps = parts.filter(([key]) => key === "t").map(([, value]) => value ?? "");
  const signatures = parts.filter(([key]) => key === "v1").map(([, value]) => (value ?? "").toLowerCase());
  const [timestampText] = timestamps;
  if (timestamps.length !== 1 || !timestampText || !/^\d{1,12}$/.test(timestampText)) return false;
  const timestamp = Number(timestampText);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = hmacHex(secret, timestamp, rawBody);
  // Check every candidate so the time taken does not reveal which one matched.
  return signatures.reduce((matched, candidate) => safeEqual(expected, candidate) || matched, false);
}
