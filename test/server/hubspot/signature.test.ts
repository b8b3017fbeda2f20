import { Signature } from "@hubspot/api-client";
import { hubspotSignatureV3, verifyHubspotSignatureV3 } from "../../../server/hubspot/signature";

// X-HubSpot-Signature-v3 against the reference's test vector (hubspot.md §2, reproduced with
// Node's crypto and with @hubspot/api-client's Signature.getSignature) and the SDK as an oracle.
const secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
const vector = { method: "POST", uri: "https://www.example.com/webhook_uri", body: '{"example_field":"example_value"}', timestamp: "1700000000000" };

describe("X-HubSpot-Signature-v3", () => {
  it("matches the reference vector and the SDK's own computation", () => {
    expect(hubspotSignatureV3(secret, vector)).toBe("rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=");
    const uri = "https://sb.example.com/api/v1/hubspot/card?portalId=51&x=1";
    const sdk = Signature.getSignature("POST", "v3", { clientSecret: secret, url: uri, requestBody: "{}", timestamp: 1_700_000_000_000 } as never);
    expect(hubspotSignatureV3(secret, { method: "POST", uri, body: "{}", timestamp: "1700000000000" })).toBe(sdk);
  });

  it("decodes exactly the listed percent-encodings in the URI before hashing", () => {
    const decoded = hubspotSignatureV3(secret, { ...vector, uri: "https://www.example.com/a:b?c=@!$'()*,;" });
    expect(hubspotSignatureV3(secret, { ...vector, uri: "https://www.example.com/a%3Ab%3Fc=%40%21%24%27%28%29%2A%2C%3B" })).toBe(decoded);
    expect(hubspotSignatureV3(secret, { ...vector, uri: "https://www.example.com/a%3ab?c=%40%21%24%27%28%29%2a%2c%3b" })).toBe(decoded);
    // %20 is not in the list: it stays encoded.
    expect(hubspotSignatureV3(secret, { ...vector, uri: "https://www.example.com/a%20b" })).not.toBe(
      hubspotSignatureV3(secret, { ...vector, uri: "https://www.example.com/a b" }),
    );
  });

  it("accepts a fresh signed request and refuses a tampered body, another secret, a stale or future timestamp, and missing headers", () => {
    const now = Number(vector.timestamp) + 60_000;
    const signature = hubspotSignatureV3(secret, vector);
    const request = { method: "POST", uri: vector.uri, body: vector.body, signature, timestamp: vector.timestamp };
    expect(verifyHubspotSignatureV3(secret, request, now)).toEqual({ ok: true });
    expect(verifyHubspotSignatureV3(secret, { ...request, body: '{"example_field":"other"}' }, now)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyHubspotSignatureV3("zzzzzzzz-other-secret", request, now)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyHubspotSignatureV3(secret, { ...request, method: "GET" }, now)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyHubspotSignatureV3(secret, request, Number(vector.timestamp) + 5 * 60_000 + 1)).toEqual({ ok: false, reason: "stale" });
    expect(verifyHubspotSignatureV3(secret, request, Number(vector.timestamp) - 5 * 60_000 - 1)).toEqual({ ok: false, reason: "stale" });
    expect(verifyHubspotSignatureV3(secret, { ...request, signature: undefined }, now)).toEqual({ ok: false, reason: "missing" });
    expect(verifyHubspotSignatureV3(secret, { ...request, timestamp: "yesterday" }, now)).toEqual({ ok: false, reason: "missing" });
    // A "+" read as a space by a careless decoder no longer matches.
    expect(signature).toContain("+");
    expect(verifyHubspotSignatureV3(secret, { ...request, signature: signature.replace("+", " ") }, now)).toEqual({ ok: false, reason: "mismatch" });
  });
});
