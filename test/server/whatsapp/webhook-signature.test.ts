import { createHmac } from "node:crypto";
import { answerVerificationChallenge, signWebhookBody, verifyWebhookSignature } from "../../../server/whatsapp/webhook-signature";

const appSecret = "app-secret-from-meta";
const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
const validSignature = `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;

describe("signWebhookBody", () => {
  it("is sha256=<hex HMAC-SHA256 of the bytes, keyed with the app secret>", () => {
    expect(signWebhookBody(appSecret, body)).toBe(validSignature);
    expect(signWebhookBody(appSecret, body.toString())).toBe(validSignature);
  });

  it("refuses an empty secret", () => {
    expect(() => signWebhookBody("", body)).toThrow("app secret is empty");
  });
});

describe("verifyWebhookSignature", () => {
  const hex = validSignature.slice("sha256=".length);
  const flip = (character: string) => (character === "0" ? "1" : "0");

  describe.each<{ case: string; secret?: string; rawBody?: Uint8Array; header: string | null | undefined; valid: boolean }>([
    { case: "the correct signature", header: validSignature, valid: true },
    { case: "upper-case hex", header: `sha256=${hex.toUpperCase()}`, valid: true },
    { case: "surrounding whitespace", header: ` ${validSignature} `, valid: true },
    { case: "another app's secret", secret: "someone-elses-secret", header: validSignature, valid: false },
    { case: "a tampered body", rawBody: Buffer.from(body.toString().replace("[]", "[{}]")), header: validSignature, valid: false },
    { case: "re-serialised JSON", rawBody: Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2)), header: validSignature, valid: false },
    { case: "a missing header", header: undefined, valid: false },
    { case: "a null header", header: null, valid: false },
    { case: "an empty header", header: "", valid: false },
    { case: "no sha256= prefix", header: hex, valid: false },
    { case: "the sha1 scheme", header: `sha1=${hex.slice(0, 40)}`, valid: false },
    { case: "non-hex characters", header: `sha256=${"z".repeat(64)}`, valid: false },
    { case: "a valid prefix then garbage", header: `sha256=${hex.slice(0, 60)}zzzz`, valid: false },
    { case: "a shorter signature", header: `sha256=${hex.slice(0, 62)}`, valid: false },
    { case: "a longer signature", header: `${validSignature}00`, valid: false },
    // Buffer.from(hex) drops a trailing odd digit, so only the length check catches this one.
    { case: "one extra hex digit", header: `${validSignature}0`, valid: false },
    { case: "the last character changed", header: `sha256=${hex.slice(0, 63)}${flip(hex.at(-1) ?? "")}`, valid: false },
    { case: "the first character changed", header: `sha256=${flip(hex[0] ?? "")}${hex.slice(1)}`, valid: false },
    { case: "all zeros of the right length", header: `sha256=${"0".repeat(64)}`, valid: false },
  ])("$case", ({ secret, rawBody, header, valid }) => {
    it(valid ? "is accepted" : "is rejected", () => {
      expect(verifyWebhookSignature(secret ?? appSecret, rawBody ?? body, header)).toBe(valid);
    });
  });

  it("throws on an empty app secret instead of accepting a signature made with one", () => {
    expect(() => verifyWebhookSignature("", body, signWebhookBody("x", body))).toThrow("app secret is empty");
  });
});

describe("answerVerificationChallenge", () => {
  const subscribe = { "hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444" };

  describe.each<{ case: string; query: Record<string, unknown>; expected?: string; answer: string | null }>([
    { case: "subscribe with the right token", query: subscribe, answer: "1158201444" },
    { case: "a wrong token", query: { ...subscribe, "hub.verify_token": "verify-you" }, answer: null },
    { case: "a token that is a prefix", query: { ...subscribe, "hub.verify_token": "verify" }, answer: null },
    { case: "a missing token", query: { "hub.mode": "subscribe", "hub.challenge": "1" }, answer: null },
    { case: "a wrong mode", query: { ...subscribe, "hub.mode": "unsubscribe" }, answer: null },
    { case: "a missing mode", query: { "hub.verify_token": "verify-me", "hub.challenge": "1" }, answer: null },
    { case: "a repeated parameter (array)", query: { ...subscribe, "hub.verify_token": ["verify-me", "x"] }, answer: null },
    { case: "a missing challenge", query: { "hub.mode": "subscribe", "hub.verify_token": "verify-me" }, answer: null },
    { case: "a markup challenge", query: { ...subscribe, "hub.challenge": "<script>alert(1)</script>" }, answer: null },
    { case: "an unset expected token", query: { ...subscribe, "hub.verify_token": "" }, expected: "", answer: null },
  ])("$case", ({ query, expected, answer }) => {
    it(`answers ${answer}`, () => {
      expect(answerVerificationChallenge(query, expected ?? "verify-me")).toBe(answer);
    });
  });
});
