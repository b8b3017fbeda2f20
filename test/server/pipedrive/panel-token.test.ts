import { createHmac } from "node:crypto";
import { SignJWT } from "jose";
import { createMemoryNonceStore } from "../../../server/crm/oauth-state";
import { PanelTokenError, type PanelTokenFailure, signPanelToken, verifyPanelToken } from "../../../server/pipedrive/panel-token";

const secret = "panel-jwt-secret-for-tests";
const claims = { userId: 12345, companyId: 67890 };
const encoder = new TextEncoder();

async function failureOf(promise: Promise<unknown>): Promise<PanelTokenFailure> {
  const error = await promise.then(
    () => null,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(PanelTokenError);
  return (error as PanelTokenError).reason;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token with hand-written header and payload, HMAC-signed with `secret` unless told otherwise. */
function handMade(header: object, payload: object, signature?: string): string {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  return `${signingInput}.${signature ?? createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

describe("verifyPanelToken", () => {
  it("accepts a token signed like Pipedrive's and returns who opened the panel", async () => {
    const token = await signPanelToken(secret, claims);
    await expect(verifyPanelToken(token, secret, { companyId: 67890, userId: 12345 })).resolves.toEqual({
      pipedriveUserId: 12345,
      pipedriveCompanyId: 67890,
    });
  });

  it("signs HS256 with userId, companyId, iat, a 5-minute exp and a jti of its own", async () => {
    const token = await signPanelToken(secret, claims, undefined, new Date("2026-07-10T12:00:00Z"));
    const [header, payload] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual({ userId: 12345, companyId: 67890, iat: 1783684800, exp: 1783685100, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await signPanelToken(secret, claims, undefined, new Date("2026-07-10T12:00:00Z"))).not.toBe(token);
  });

  it("accepts ids sent as digit strings", async () => {
    const token = handMade({ alg: "HS256", typ: "JWT" }, { userId: "12345", companyId: "67890", exp: nowSeconds() + 60 });
    await expect(verifyPanelToken(token, secret)).resolves.toEqual({ pipedriveUserId: 12345, pipedriveCompanyId: 67890 });
  });

  it("rejects an expired token", async () => {
    const token = await signPanelToken(secret, claims, 300, new Date(Date.now() - 10 * 60_000));
    expect(await failureOf(verifyPanelToken(token, secret))).toBe("expired");
  });

  it("rejects a token signed with another secret", async () => {
    const token = await signPanelToken("someone-elses-secret", claims);
    expect(await failureOf(verifyPanelToken(token, secret))).toBe("bad_signature");
  });

  it("rejects an unsigned token (alg: none)", async () => {
    const token = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ ...claims, exp: nowSeconds() + 60 })}.`;
    expect(await failureOf(verifyPanelToken(token, secret))).toBe("wrong_algorithm");
  });

  it("rejects another HMAC algorithm even with the right secret", async () => {
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS512" }).setExpirationTime("5m").sign(encoder.encode(secret));
    expect(await failureOf(verifyPanelToken(token, secret))).toBe("wrong_algorithm");
  });

  it.each([
    ["userId", { companyId: 67890 }],
    ["companyId", { userId: 12345 }],
  ])("rejects a token without %s", async (_missing, partialClaims) => {
    const token = await new SignJWT(partialClaims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(encoder.encode(secret));
    expect(await failureOf(verifyPanelToken(token, secret))).toBe("missing_claims");
  });

  it("rejects a token without exp, which would never expire", async () => {
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().sign(encoder.encode(secret));
    expect(await failureOf(verifyPanelToken(token, secret))).toBe("missing_claims");
  });

  it("rejects ids that are not Pipedrive ids", async () => {
    const token = await new SignJWT({ userId: "ada", companyId: 67890 })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("5m")
      .sign(encoder.encode(secret));
    expect(await failureOf(verifyPanelToken(token, secret))).toBe("invalid_claims");
  });

  it("rejects a token for another company or user than the one we act for", async () => {
    const token = await signPanelToken(secret, claims);
    expect(await failureOf(verifyPanelToken(token, secret, { companyId: 11111 }))).toBe("wrong_company");
    expect(await failureOf(verifyPanelToken(token, secret, { companyId: 67890, userId: 22222 }))).toBe("wrong_user");
  });

  it.each([
    ["expiring a day ahead", () => signPanelToken(secret, claims, 24 * 3600)],
    ["issued a day before it expires", () => signPanelToken(secret, claims, 24 * 3600 + 60, new Date(Date.now() - 24 * 3600_000))],
  ])("rejects a token %s: Pipedrive's live 5 minutes", async (_name, sign) => {
    expect(await failureOf(verifyPanelToken(await sign(), secret))).toBe("too_long_lived");
  });

  it("accepts a token once when told where used tokens are kept: by its jti, or by its text without one", async () => {
    const usedTokens = createMemoryNonceStore();
    const withJti = await signPanelToken(secret, claims);
    const withoutJti = handMade({ alg: "HS256", typ: "JWT" }, { ...claims, exp: nowSeconds() + 60 });
    for (const token of [withJti, withoutJti]) {
      await expect(verifyPanelToken(token, secret, { usedTokens })).resolves.toEqual({ pipedriveUserId: 12345, pipedriveCompanyId: 67890 });
      expect(await failureOf(verifyPanelToken(token, secret, { usedTokens }))).toBe("replayed");
    }
  });

  it.each(["", "not-a-jwt", "a.b.c"])("rejects %j as malformed", async (token) => {
    expect(await failureOf(verifyPanelToken(token, secret))).toBe("malformed");
  });

  it("rejects a token whose payload was edited after signing", async () => {
    const token = await signPanelToken(secret, claims);
    const [header, , signature] = token.split(".");
    const edited = `${header}.${base64url({ ...claims, companyId: 11111, exp: nowSeconds() + 60 })}.${signature}`;
    expect(await failureOf(verifyPanelToken(edited, secret))).toBe("bad_signature");
  });
});
