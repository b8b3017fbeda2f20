import { createHmac, timingSafeEqual } from "node:crypto";

// X-HubSpot-Signature-v3 (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation;
// hubspot.md §2): base64(HMAC-SHA256(client secret, METHOD + URI + body + timestamp)), the
// timestamp (X-HubSpot-Request-Timestamp, epoch ms) at most five minutes old, and in the URI these
// percent-encodings decoded first: %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B. Compared in
// constant time. @hubspot/api-client's Signature.isValid compares with ===, does no decoding and
// throws on a stale timestamp, so it is only a test oracle.

const maxAgeMs = 5 * 60 * 1000;
const decodedInUri: Record<string, string> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

export function hubspotSignatureV3(clientSecret: string, input: { method: string; uri: string; body: string; timestamp: string }): string {
  const uri = input.uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (match) => decodedInUri[match.toUpperCase()] ?? match);
  return createHmac("sha256", clientSecret).update(`${input.method.toUpperCase()}${uri}${input.body}${input.timestamp}`).digest("base64");
}

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing" | "stale" | "mismatch" };

/** Verifies a request HubSpot signed for our app (a card's hubspot.fetch, a webhook). */
export function verifyHubspotSignatureV3(
  clientSecret: string,
  request: { method: string; uri: string; body: string; signature: string | undefined; timestamp: string | undefined },
  now: number = Date.now(),
): SignatureCheck {
  const { signature, timestamp } = request;
  if (!signature || !timestamp || !/^\d{10,16}$/.test(timestamp)) return { ok: false, reason: "missing" };
  // Too old, or from the future beyond the same tolerance.
  if (Math.abs(now - Number(timestamp)) > maxAgeMs) return { ok: false, reason: "stale" };
  const expected = Buffer.from(hubspotSignatureV3(clientSecret, { method: request.method, uri: request.uri, body: request.body, timestamp }));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "mismatch" };
  return { ok: true };
}
