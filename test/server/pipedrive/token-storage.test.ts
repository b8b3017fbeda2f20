import { randomBytes } from "node:crypto";
import { openPipedriveTokens, sealPipedriveTokens } from "../../../server/pipedrive/token-storage";

const key = randomBytes(32);
const tokens = {
  accessToken: "v1u:AQIABHj-access",
  refreshToken: "67890:12345:refresh",
  scope: "base,deals:full",
  apiDomain: "https://acme.pipedrive.com",
  expiresAt: new Date("2026-07-10T13:00:00Z"),
};

describe("token storage", () => {
  it("keeps both tokens only as ciphertext and opens them again", () => {
    const stored = sealPipedriveTokens(key, tokens);
    expect(JSON.stringify(stored)).not.toContain(tokens.accessToken);
    expect(JSON.stringify(stored)).not.toContain(tokens.refreshToken);
    expect(stored).toMatchObject({ scope: tokens.scope, apiDomain: tokens.apiDomain, expiresAt: tokens.expiresAt });
    expect(openPipedriveTokens(key, stored)).toEqual(tokens);
  });

  it("refuses to open tokens under another key", () => {
    expect(() => openPipedriveTokens(randomBytes(32), sealPipedriveTokens(key, tokens))).toThrow();
  });
});
