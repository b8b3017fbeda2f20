import { defaultJitterRatio, defaultRetryDelaysMs, maxAttempts, retryDelayMs } from "../../../server/webhooks/retry-schedule";
import { deliveryHeaders, newWebhookSecret, signatureFor, verifySwitchboardSignature } from "../../../server/webhooks/signing";

const secret = "whsec_test";
const body = '{"id":"evt_1","type":"message.created"}';
const t = 1_700_000_000;
// Computed independently (Python: hmac.new(secret, b"<t>.<body>", sha256).hexdigest()).
const knownSignature = "18846637ec343e4e02aa28fc95ecaa8afc05fa0ecf3318b087341731c0068dd1";

describe("signing", () => {
  it("signs HMAC-SHA256 of '<t>.<raw body>' as t=…,v1=<hex>", () => {
    expect(signatureFor(secret, body, t)).toBe(`t=${t},v1=${knownSignature}`);
    expect(signatureFor(secret, Buffer.from(body), t)).toBe(`t=${t},v1=${knownSignature}`);
  });

  it("sends the signature, event and delivery id headers", () => {
    const headers = deliveryHeaders({ secret, rawBody: body, event: "message.created", deliveryId: "dlv_1", now: new Date(t * 1000) });
    expect(headers).toEqual({
      "content-type": "application/json",
      "user-agent": "Switchboard-Webhooks/1",
      "Switchboard-Signature": `t=${t},v1=${knownSignature}`,
      "Switchboard-Event": "message.created",
      "Switchboard-Delivery": "dlv_1",
    });
  });

  it("generates distinct 256-bit secrets", () => {
    const [first, second] = [newWebhookSecret(), newWebhookSecret()];
    expect(first).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(first).not.toBe(second);
  });
});

describe("verifySwitchboardSignature", () => {
  const valid = `t=${t},v1=${knownSignature}`;
  it.each([
    { name: "a valid signature", secret, header: valid, body, now: t, expected: true },
    { name: "a Buffer body", secret, header: valid, body: Buffer.from(body), now: t, expected: true },
    { name: "within tolerance (300 s late)", secret, header: valid, body, now: t + 300, expected: true },
    { name: "within tolerance (clock 300 s behind)", secret, header: valid, body, now: t - 300, expected: true },
    { name: "upper-case hex and spaces", secret, header: `t=${t}, v1=${knownSignature.toUpperCase()}`, body, now: t, expected: true },
    { name: "one of several v1 signatures (rotation)", secret, header: `t=${t},v1=${"0".repeat(64)},v1=${knownSignature}`, body, now: t, expected: true },
    { name: "an unknown scheme beside v1", secret, header: `t=${t},v0=abc,v1=${knownSignature}`, body, now: t, expected: true },
    { name: "the wrong secret", secret: "whsec_other", header: valid, body, now: t, expected: false },
    { name: "a tampered body", secret, header: valid, body: body.replace("evt_1", "evt_2"), now: t, expected: false },
    { name: "re-serialized JSON", secret, header: valid, body: JSON.stringify(JSON.parse(body), null, 1), now: t, expected: false },
    { name: "too old (301 s)", secret, header: valid, body, now: t + 301, expected: false },
    { name: "too far in the future", secret, header: valid, body, now: t - 301, expected: false },
    { name: "a moved timestamp", secret, header: `t=${t + 1},v1=${knownSignature}`, body, now: t, expected: false },
    { name: "no header", secret, header: undefined, body, now: t, expected: false },
    { name: "an empty header", secret, header: "", body, now: t, expected: false },
    { name: "no timestamp", secret, header: `v1=${knownSignature}`, body, now: t, expected: false },
    { name: "two timestamps", secret, header: `t=${t},t=${t},v1=${knownSignature}`, body, now: t, expected: false },
    { name: "a non-numeric timestamp", secret, header: `t=abc,v1=${knownSignature}`, body, now: t, expected: false },
    { name: "no v1", secret, header: `t=${t}`, body, now: t, expected: false },
    { name: "a truncated v1", secret, header: `t=${t},v1=${knownSignature.slice(0, 63)}`, body, now: t, expected: false },
  ])("$name → $expected", ({ secret: key, header, body: raw, now, expected }) => {
    expect(verifySwitchboardSignature(key, header, raw, 300, now)).toBe(expected);
  });

  it("checks against the current time by default", () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifySwitchboardSignature(secret, signatureFor(secret, body, now), body)).toBe(true);
    expect(verifySwitchboardSignature(secret, signatureFor(secret, body, now - 3600), body)).toBe(false);
    expect(verifySwitchboardSignature(secret, signatureFor(secret, body, now - 3600), body, 7200)).toBe(true);
  });
});

describe("retry schedule", () => {
  const schedule = { delaysMs: defaultRetryDelaysMs, jitterRatio: defaultJitterRatio };

  it("gives 8 attempts: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h apart", () => {
    expect(maxAttempts(schedule)).toBe(8);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((failed) => retryDelayMs(schedule, failed, () => 0.5))).toEqual([
      10_000,
      60_000,
      300_000,
      1_800_000,
      7_200_000,
      21_600_000,
      43_200_000,
      null,
    ]);
  });

  it.each([
    { random: 0, expected: 8_000 },
    { random: 0.25, expected: 9_000 },
    { random: 0.999_999, expected: 12_000 },
  ])("jitters ±20 % (random $random → $expected ms)", ({ random, expected }) => {
    expect(retryDelayMs(schedule, 1, () => random)).toBe(expected);
  });

  it("takes an injected schedule", () => {
    const fast = { delaysMs: [5, 5], jitterRatio: 0 };
    expect(maxAttempts(fast)).toBe(3);
    expect([retryDelayMs(fast, 1), retryDelayMs(fast, 2), retryDelayMs(fast, 3)]).toEqual([5, 5, null]);
  });
});
