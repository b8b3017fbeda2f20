import { createMemoryNonceStore, createOAuthState, OAuthStateError } from "../../../server/crm/oauth-state";
import { PipedriveError } from "../../../server/pipedrive/errors";
import { buildAuthorizeUrl, completeOAuthCallback, exchangeAuthorizationCode, refreshPipedriveTokens } from "../../../server/pipedrive/oauth";
import { basicHeader, type FakePipedrive, startFakePipedrive } from "../../fakes/pipedrive";
import { failOnContractRefusals } from "../../support/pipedrive-contract";
import { appFor } from "./support";

const stateKey = "state-key-for-tests-0123456789abcdef";
const member = { memberId: "mem_1", workspaceId: "wsp_1", purpose: "workspace" as const };
const browserSecret = "secret-in-the-members-browser-cookie";

let fake: FakePipedrive;
failOnContractRefusals(() => fake);
beforeAll(async () => {
  fake = await startFakePipedrive();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (rejection: unknown) => rejection,
  );
}

describe("buildAuthorizeUrl", () => {
  it("points at Pipedrive's authorize endpoint with our client, callback and state", () => {
    const url = new URL(buildAuthorizeUrl({ ...appFor(fake), oauthHost: undefined }, "the-state"));
    expect(url.origin + url.pathname).toBe("https://oauth.pipedrive.com/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: fake.clientId,
      redirect_uri: fake.redirectUri,
      state: "the-state",
    });
  });

  it("uses the configured host and leaves state out when there is none", () => {
    const url = new URL(buildAuthorizeUrl(appFor(fake)));
    expect(url.origin).toBe(fake.url);
    expect(url.searchParams.has("state")).toBe(false);
  });
});

describe("completeOAuthCallback", () => {
  it("installs: verifies the state, exchanges the code through the SDK and identifies the user", async () => {
    const nonceStore = createMemoryNonceStore();
    const state = createOAuthState(stateKey, { ...member, browserSecret });
    const code = fake.issueAuthorizationCode();
    const before = Date.now();

    const result = await completeOAuthCallback(appFor(fake), { code, state }, { stateKey, browserSecret, nonceStore, expectedPurpose: "workspace" });

    expect(result).toEqual({
      kind: "connected",
      state: { ...member, nonce: expect.any(String), expiresAt: expect.any(Date) },
      tokens: {
        accessToken: expect.stringMatching(/^v1u:/),
        refreshToken: expect.any(String),
        scope: fake.scopes().join(","),
        apiDomain: fake.url,
        expiresAt: expect.any(Date),
      },
      identity: {
        pipedriveUserId: 12345,
        pipedriveCompanyId: 67890,
        name: "Ada Lovelace",
        email: "ada@acme.test",
        companyDomain: "acme",
        companyName: "Acme Ltd",
        isAdmin: true,
      },
    });
    if (result.kind !== "connected") throw new Error("unreachable");
    // expiresAt is computed from expires_in (3599 s) at receipt.
    expect(result.tokens.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3599_000);
    expect(result.tokens.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3599_000);

    expect(fake.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /oauth/token", "GET /api/v1/users/me"]);
    expect(fake.requests[0]).toMatchObject({
      authorization: basicHeader(fake.clientId, fake.clientSecret),
      contentType: "application/x-www-form-urlencoded",
      body: { grant_type: "authorization_code", code, redirect_uri: fake.redirectUri },
    });
    expect(fake.requests[1]?.authorization).toBe(`Bearer ${result.tokens.accessToken}`);
    // Both went through the official SDK.
    for (const request of fake.requests) expect(request.userAgent).toMatch(/^Pipedrive-SDK-Javascript-33\./);
  });

  it("treats a callback without state as a Marketplace install to onboard", async () => {
    const result = await completeOAuthCallback(
      appFor(fake),
      { code: fake.issueAuthorizationCode() },
      { stateKey, browserSecret, nonceStore: createMemoryNonceStore() },
    );
    expect(result).toMatchObject({ kind: "marketplace_install", identity: { pipedriveCompanyId: 67890, pipedriveUserId: 12345 } });
  });

  it("reports a declined consent without calling Pipedrive", async () => {
    const options = { stateKey, browserSecret, nonceStore: createMemoryNonceStore() };
    expect(await completeOAuthCallback(appFor(fake), { error: "user_denied" }, options)).toEqual({ kind: "denied", error: "user_denied" });
    expect(await completeOAuthCallback(appFor(fake), {}, options)).toEqual({ kind: "denied", error: "missing_code" });
    expect(fake.requests).toEqual([]);
  });

  it("refuses a replayed state before spending the code", async () => {
    const nonceStore = createMemoryNonceStore();
    const state = createOAuthState(stateKey, { ...member, browserSecret });
    await completeOAuthCallback(appFor(fake), { code: fake.issueAuthorizationCode(), state }, { stateKey, browserSecret, nonceStore });
    fake.requests.length = 0;

    const replay = await rejectionOf(
      completeOAuthCallback(appFor(fake), { code: fake.issueAuthorizationCode(), state }, { stateKey, browserSecret, nonceStore }),
    );
    expect(replay).toBeInstanceOf(OAuthStateError);
    expect((replay as OAuthStateError).reason).toBe("replayed");
    expect(fake.requests).toEqual([]);
  });

  it("refuses a forged state before spending the code", async () => {
    const forged = createOAuthState("someone-elses-key-0123456789abcdef", { ...member, browserSecret });
    const rejection = await rejectionOf(
      completeOAuthCallback(
        appFor(fake),
        { code: fake.issueAuthorizationCode(), state: forged },
        { stateKey, browserSecret, nonceStore: createMemoryNonceStore() },
      ),
    );
    expect((rejection as OAuthStateError).reason).toBe("forged");
    expect(fake.requests).toEqual([]);
  });
});

describe("exchangeAuthorizationCode", () => {
  it("fails with code_rejected when the code was already exchanged", async () => {
    const code = fake.issueAuthorizationCode();
    await exchangeAuthorizationCode(appFor(fake), code);
    const rejection = await rejectionOf(exchangeAuthorizationCode(appFor(fake), code));
    expect(rejection).toBeInstanceOf(PipedriveError);
    expect((rejection as PipedriveError).reason).toBe("code_rejected");
  });

  it("fails with client_rejected when our client secret is wrong", async () => {
    const rejection = await rejectionOf(exchangeAuthorizationCode({ ...appFor(fake), clientSecret: "not-the-secret" }, fake.issueAuthorizationCode()));
    expect((rejection as PipedriveError).reason).toBe("client_rejected");
    // Sent on purpose with the wrong secret: the fake refused the client.
    expect(fake.takeContractRefusals()).toMatchObject([{ kind: "client-auth", path: "/oauth/token", status: 401 }]);
  });

  it("fails with unreachable when nothing answers", async () => {
    const closed = await startFakePipedrive();
    await closed.close();
    const rejection = await rejectionOf(exchangeAuthorizationCode({ ...appFor(fake), oauthHost: closed.url }, "any-code"));
    expect((rejection as PipedriveError).reason).toBe("unreachable");
  });
});

describe("refreshPipedriveTokens", () => {
  it("refreshes through the SDK, keeping the refresh token and restarting our expiry clock", async () => {
    const installed = await exchangeAuthorizationCode(appFor(fake), fake.issueAuthorizationCode());
    fake.requests.length = 0;
    const refreshed = await refreshPipedriveTokens(appFor(fake), installed.refreshToken);

    expect(refreshed.accessToken).not.toBe(installed.accessToken);
    expect(refreshed.refreshToken).toBe(installed.refreshToken);
    expect(refreshed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/oauth/token",
        authorization: basicHeader(fake.clientId, fake.clientSecret),
        body: { grant_type: "refresh_token", refresh_token: installed.refreshToken },
      }),
    ]);
  });

  it("fails with reconnect_required when the refresh token was revoked", async () => {
    const installed = await exchangeAuthorizationCode(appFor(fake), fake.issueAuthorizationCode());
    fake.revokeRefreshTokens();
    const rejection = await rejectionOf(refreshPipedriveTokens(appFor(fake), installed.refreshToken));
    expect(rejection).toBeInstanceOf(PipedriveError);
    expect((rejection as PipedriveError).reason).toBe("reconnect_required");
  });
});
