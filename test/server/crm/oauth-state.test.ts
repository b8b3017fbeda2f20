import { createHmac } from "node:crypto";
import {
  createConnectTicket,
  createMemoryNonceStore,
  createOAuthState,
  type OAuthNonceStore,
  OAuthStateError,
  type OAuthStateFailure,
  verifyConnectTicket,
  verifyOAuthState,
} from "../../../server/crm/oauth-state";

const key = "state-key-for-tests-0123456789abcdef";
const otherKey = "someone-elses-key-0123456789abcdef";
const member = { memberId: "mem_1", workspaceId: "wsp_1", purpose: "workspace" as const };
const browserSecret = "secret-in-the-members-browser-cookie";
const bound = { ...member, browserSecret };

async function failureOf(promise: Promise<unknown>): Promise<OAuthStateFailure> {
  const error = await promise.then(
    () => null,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(OAuthStateError);
  return (error as OAuthStateError).reason;
}

function decode(state: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(state.split(".")[0] ?? "", "base64url").toString());
}

function encode(payload: Record<string, unknown>, signature: string): string {
  return `${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${signature}`;
}

let nonceStore: OAuthNonceStore;
beforeEach(() => {
  nonceStore = createMemoryNonceStore();
});

describe("OAuth state", () => {
  it("round-trips the member, workspace and purpose with a nonce and an expiry", async () => {
    const now = new Date("2026-07-10T12:00:00Z");
    const state = createOAuthState(key, bound, { ttlMinutes: 10, now });
    const claims = await verifyOAuthState(key, state, { nonceStore, browserSecret, expectedPurpose: "workspace", now });
    expect(claims).toEqual({ ...member, nonce: expect.any(String), expiresAt: new Date("2026-07-10T12:10:00Z") });
    expect(state).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it("gives every state its own nonce", () => {
    expect(decode(createOAuthState(key, bound)).nonce).not.toEqual(decode(createOAuthState(key, bound)).nonce);
  });

  it("rejects a state signed with another key as forged", async () => {
    const forged = createOAuthState(otherKey, bound);
    expect(await failureOf(verifyOAuthState(key, forged, { nonceStore, browserSecret }))).toBe("forged");
  });

  it("rejects a made-up payload with a made-up signature as forged", async () => {
    const payload = { ...member, nonce: "bm9uY2U", expiresAt: Math.floor(Date.now() / 1000) + 600 };
    const signature = createHmac("sha256", otherKey).update(JSON.stringify(payload)).digest("base64url");
    expect(await failureOf(verifyOAuthState(key, encode(payload, signature), { nonceStore, browserSecret }))).toBe("forged");
  });

  it("rejects one of our states whose workspace was swapped as tampered", async () => {
    const state = createOAuthState(key, bound);
    const tampered = encode({ ...decode(state), workspaceId: "wsp_victim" }, state.split(".")[1] ?? "");
    expect(await failureOf(verifyOAuthState(key, tampered, { nonceStore, browserSecret }))).toBe("tampered");
  });

  it("rejects a state whose expiry was pushed out as tampered", async () => {
    const state = createOAuthState(key, bound);
    const payload = decode(state);
    const tampered = encode({ ...payload, expiresAt: Number(payload.expiresAt) + 86_400 }, state.split(".")[1] ?? "");
    expect(await failureOf(verifyOAuthState(key, tampered, { nonceStore, browserSecret }))).toBe("tampered");
  });

  it("rejects a state past its expiry, and does not burn its nonce", async () => {
    const issuedAt = new Date("2026-07-10T12:00:00Z");
    const state = createOAuthState(key, bound, { ttlMinutes: 5, now: issuedAt });
    const later = new Date("2026-07-10T12:05:00Z");
    expect(await failureOf(verifyOAuthState(key, state, { nonceStore, browserSecret, now: later }))).toBe("expired");
    const justInTime = new Date("2026-07-10T12:04:59Z");
    await expect(verifyOAuthState(key, state, { nonceStore, browserSecret, now: justInTime })).resolves.toMatchObject(member);
  });

  it("accepts a state once and rejects it as replayed afterwards", async () => {
    const state = createOAuthState(key, bound);
    await verifyOAuthState(key, state, { nonceStore, browserSecret });
    expect(await failureOf(verifyOAuthState(key, state, { nonceStore, browserSecret }))).toBe("replayed");
  });

  it("rejects a state issued for the other purpose", async () => {
    const state = createOAuthState(key, { ...bound, purpose: "individual" });
    expect(await failureOf(verifyOAuthState(key, state, { nonceStore, browserSecret, expectedPurpose: "workspace" }))).toBe("wrong_purpose");
    // Refusing it did not consume it.
    await expect(verifyOAuthState(key, state, { nonceStore, browserSecret, expectedPurpose: "individual" })).resolves.toMatchObject({
      purpose: "individual",
    });
  });

  it("rejects a state presented without its browser's secret as other_browser, and does not burn it", async () => {
    const state = createOAuthState(key, bound);
    expect(await failureOf(verifyOAuthState(key, state, { nonceStore, browserSecret: undefined }))).toBe("other_browser");
    expect(await failureOf(verifyOAuthState(key, state, { nonceStore, browserSecret: "another-browsers-secret" }))).toBe("other_browser");
    await expect(verifyOAuthState(key, state, { nonceStore, browserSecret })).resolves.toMatchObject(member);
  });

  it("keeps only the secret's hash in the state", () => {
    const state = createOAuthState(key, bound);
    expect(Buffer.from(state.split(".")[0] ?? "", "base64url").toString()).not.toContain(browserSecret);
  });

  it.each(["", "no-dot", "a.b.c", "."])("rejects %j as malformed", async (state) => {
    expect(await failureOf(verifyOAuthState(key, state, { nonceStore, browserSecret }))).toBe("malformed");
  });

  it("refuses a key too short to sign with", () => {
    expect(() => createOAuthState("short", bound)).toThrow(RangeError);
  });
});

describe("connect ticket", () => {
  it("round-trips the member, workspace and purpose once, for five minutes", async () => {
    const now = new Date("2026-07-10T12:00:00Z");
    const nonceStore = createMemoryNonceStore(() => now);
    const ticket = createConnectTicket(key, member, { now });
    expect(await verifyConnectTicket(key, ticket, { nonceStore, now })).toEqual({
      ...member,
      nonce: expect.any(String),
      expiresAt: new Date("2026-07-10T12:05:00Z"),
    });
    expect(await failureOf(verifyConnectTicket(key, ticket, { nonceStore, now }))).toBe("replayed");
    const late = createConnectTicket(key, member, { now });
    expect(await failureOf(verifyConnectTicket(key, late, { nonceStore, now: new Date("2026-07-10T12:05:00Z") }))).toBe("expired");
  });

  it("is never accepted as a state, nor a state as a ticket", async () => {
    const ticket = createConnectTicket(key, member);
    expect(["forged", "tampered"]).toContain(await failureOf(verifyOAuthState(key, ticket, { nonceStore, browserSecret })));
    const state = createOAuthState(key, bound);
    expect(["forged", "tampered"]).toContain(await failureOf(verifyConnectTicket(key, state, { nonceStore })));
  });
});

describe("createMemoryNonceStore", () => {
  it("answers true the first time only", async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    expect(await nonceStore.consume("n1", expiresAt)).toBe(true);
    expect(await nonceStore.consume("n1", expiresAt)).toBe(false);
    expect(await nonceStore.consume("n2", expiresAt)).toBe(true);
  });

  it("forgets nonces once their state has expired", async () => {
    let now = new Date("2026-07-10T12:00:00Z");
    const store = createMemoryNonceStore(() => now);
    await store.consume("n1", new Date("2026-07-10T12:10:00Z"));
    now = new Date("2026-07-10T12:10:01Z");
    expect(await store.consume("n1", new Date("2026-07-10T12:20:00Z"))).toBe(true);
  });
});
