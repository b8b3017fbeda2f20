import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../server/config";

const key = Buffer.alloc(32, 1).toString("base64");

describe("config", () => {
  it("has working defaults for development, generating the encryption key into DATA_DIR once", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "sb-config-"));
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({ nodeEnv: "development", port: 3000, databaseUrl: undefined, publicUrl: "http://localhost:3000", demo: true });
    expect(config.encryptionKey).toHaveLength(32);
    expect(readFileSync(path.join(dataDir, "encryption.key"), "utf8")).toBe(config.encryptionKey.toString("base64"));
    expect(loadConfig({ DATA_DIR: dataDir }).encryptionKey).toEqual(config.encryptionKey);
  });

  it.each([
    [{ PORT: "eighty" }, /^Invalid PORT: /],
    [{ PORT: "70000" }, /^Invalid PORT: /],
    [{ DATABASE_URL: "mysql://x" }, /^Invalid DATABASE_URL: must be a postgres/],
    [{ PUBLIC_URL: "not a url" }, /^Invalid PUBLIC_URL: /],
    [{ NODE_ENV: "staging" }, /^Invalid NODE_ENV: /],
    [{ ENCRYPTION_KEY: "short" }, /^Invalid ENCRYPTION_KEY: /],
    [{ NODE_ENV: "production" }, /^Invalid ENCRYPTION_KEY: required in production/],
  ])("stops with one line naming the variable: %o", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("accepts production settings", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      ENCRYPTION_KEY: key,
      DATABASE_URL: "postgres://db/switchboard",
      PUBLIC_URL: "https://app.example.com/",
    });
    expect(config).toMatchObject({ nodeEnv: "production", publicUrl: "https://app.example.com", demo: false });
  });
});
