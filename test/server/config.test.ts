import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, commandLineOptions, developmentFeatureLines, loadConfig, modeLine } from "../../server/config";

const key = Buffer.alloc(32, 1).toString("base64");

describe("config", () => {
  it("has working defaults for development (--development, as npm start passes), generating the encryption key into DATA_DIR once", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "sb-config-"));
    const development = commandLineOptions(["node", "server/main.ts", "--development"]);
    const config = loadConfig({ DATA_DIR: dataDir }, development);
    expect(config).toMatchObject({
      nodeEnv: "development",
      nodeEnvFrom: "--development",
      port: 3000,
      databaseUrl: undefined,
      publicUrl: "http://localhost:3000",
      demo: true,
      developmentRoutes: true,
      whatsapp: { sandboxEnabled: true },
      demoCrm: { enabled: true },
    });
    expect(config.encryptionKey).toHaveLength(32);
    expect(readFileSync(path.join(dataDir, "encryption.key"), "utf8")).toBe(config.encryptionKey.toString("base64"));
    expect(loadConfig({ DATA_DIR: dataDir }, development).encryptionKey).toEqual(config.encryptionKey);
  });

  describe("fails closed: without NODE_ENV", () => {
    it("is production unless the command passes --development, and says who chose", () => {
      expect(commandLineOptions(["node", "server/main.ts"])).toEqual({ unsetNodeEnv: "production" });
      const config = loadConfig({ ENCRYPTION_KEY: key });
      expect(config).toMatchObject({
        nodeEnv: "production",
        nodeEnvFrom: "default",
        demo: false,
        developmentRoutes: false,
        whatsapp: { sandboxEnabled: false },
        demoCrm: { enabled: false },
        pipedrive: { usesDemoCrm: false, clientId: undefined, jwtSecret: undefined, startChatModalId: null },
      });
      expect(modeLine(config)).toBe("Switchboard runs as production (NODE_ENV unset; NODE_ENV=development or npm start for the demo)");
      expect(developmentFeatureLines(config)).toEqual([]);
      // An empty variable counts as unset.
      expect(loadConfig({ ENCRYPTION_KEY: key, NODE_ENV: "" })).toMatchObject({ nodeEnv: "production", nodeEnvFrom: "default" });
    });

    it("requires ENCRYPTION_KEY, saying that unset NODE_ENV is production, and writes no key file", () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), "sb-config-"));
      expect(() => loadConfig({ DATA_DIR: dataDir })).toThrow(
        /^Invalid ENCRYPTION_KEY: required in production \(32 bytes, base64\); NODE_ENV is unset, which is production/,
      );
      expect(existsSync(path.join(dataDir, "encryption.key"))).toBe(false);
    });

    it("refuses DEMO=on as production does", () => {
      expect(() => loadConfig({ ENCRYPTION_KEY: key, DEMO: "on" })).toThrow(/^Invalid DEMO: cannot be on in production/);
    });

    it("turns on only what is asked for, and announces it", () => {
      const config = loadConfig({ ENCRYPTION_KEY: key, SANDBOX_PROVIDER: "on", DEMO_CRM: "on" });
      expect(config).toMatchObject({ whatsapp: { sandboxEnabled: true }, demoCrm: { enabled: false }, developmentRoutes: false });
      expect(developmentFeatureLines(config)).toEqual([expect.stringMatching(/^Development only, on: the sandbox WhatsApp provider/)]);
    });

    it("NODE_ENV, when set, wins over --development", () => {
      const development = commandLineOptions(["--development"]);
      const config = loadConfig({ NODE_ENV: "production", ENCRYPTION_KEY: key }, development);
      expect(config).toMatchObject({ nodeEnv: "production", nodeEnvFrom: "NODE_ENV", demo: false, demoCrm: { enabled: false } });
      expect(modeLine(config)).toBe("Switchboard runs as production (NODE_ENV=production)");
      expect(loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: key }, development)).toMatchObject({ nodeEnv: "test", nodeEnvFrom: "NODE_ENV" });
    });
  });

  it.each([
    [{ NODE_ENV: "test" }, { demo: false, demoCrm: false, sandbox: false, developmentRoutes: true }],
    [{ NODE_ENV: "development" }, { demo: true, demoCrm: true, sandbox: true, developmentRoutes: true }],
    [{ NODE_ENV: "production" }, { demo: false, demoCrm: false, sandbox: false, developmentRoutes: false }],
  ])("%o defaults to %o; tests choose what they use (test/support/server.ts turns the sandbox on)", (env, expected) => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), "sb-config-")), ENCRYPTION_KEY: key, ...env });
    expect({
      demo: config.demo,
      demoCrm: config.demoCrm.enabled,
      sandbox: config.whatsapp.sandboxEnabled,
      developmentRoutes: config.developmentRoutes,
    }).toEqual(expected);
  });

  it.each([
    [{ PORT: "eighty" }, /^Invalid PORT: /],
    [{ PORT: "70000" }, /^Invalid PORT: /],
    [{ DATABASE_URL: "mysql://x" }, /^Invalid DATABASE_URL: must be a postgres/],
    [{ DATABASE_URL: "postgres://pgbouncer/db", DATABASE_LISTEN_URL: "http://db" }, /^Invalid DATABASE_LISTEN_URL: must be a postgres/],
    [{ DATABASE_LISTEN_URL: "postgres://db/switchboard" }, /^Invalid DATABASE_LISTEN_URL: needs DATABASE_URL/],
    [{ PUBLIC_URL: "not a url" }, /^Invalid PUBLIC_URL: /],
    [{ NODE_ENV: "staging" }, /^Invalid NODE_ENV: /],
    [{ ENCRYPTION_KEY: "short" }, /^Invalid ENCRYPTION_KEY: /],
    [{ NODE_ENV: "production" }, /^Invalid ENCRYPTION_KEY: required in production/],
    [{ NODE_ENV: "production", ENCRYPTION_KEY: key, DEMO: "on" }, /^Invalid DEMO: cannot be on in production/],
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

  it("LISTENs on DATABASE_LISTEN_URL when set (DATABASE_URL through a transaction-mode pooler), else on DATABASE_URL", () => {
    const production = { NODE_ENV: "production", ENCRYPTION_KEY: key };
    expect(loadConfig({ ...production, DATABASE_URL: "postgres://db/switchboard" })).toMatchObject({
      databaseUrl: "postgres://db/switchboard",
      databaseListenUrl: "postgres://db/switchboard",
    });
    expect(
      loadConfig({ ...production, DATABASE_URL: "postgres://pgbouncer:6432/switchboard", DATABASE_LISTEN_URL: "postgres://db:5432/switchboard" }),
    ).toMatchObject({
      databaseUrl: "postgres://pgbouncer:6432/switchboard",
      databaseListenUrl: "postgres://db:5432/switchboard",
    });
    expect(loadConfig(production).databaseListenUrl).toBeUndefined();
  });

  describe("the demo CRM", () => {
    const dataDir = () => mkdtempSync(path.join(tmpdir(), "sb-config-"));

    it("is on in development and, with no Pipedrive app configured, is the app: its client secret signs panel tokens", () => {
      const config = loadConfig({ NODE_ENV: "development", DATA_DIR: dataDir(), ENCRYPTION_KEY: key, PORT: "4100" });
      expect(config.demoCrm).toMatchObject({ enabled: true, url: "http://localhost:4100/dev/demo-crm", clientId: "switchboard-demo-crm" });
      expect(config.pipedrive).toMatchObject({
        usesDemoCrm: true,
        clientId: "switchboard-demo-crm",
        clientSecret: config.demoCrm.clientSecret,
        oauthHost: "http://localhost:4100/dev/demo-crm",
        jwtSecret: config.demoCrm.clientSecret,
      });
      // Derived from ENCRYPTION_KEY: stable across restarts, different for another key.
      expect(config.demoCrm.clientSecret).toHaveLength(43);
      expect(loadConfig({ NODE_ENV: "development", DATA_DIR: dataDir(), ENCRYPTION_KEY: key }).demoCrm.clientSecret).toBe(config.demoCrm.clientSecret);
      const otherKey = Buffer.alloc(32, 2).toString("base64");
      expect(loadConfig({ NODE_ENV: "development", DATA_DIR: dataDir(), ENCRYPTION_KEY: otherKey }).demoCrm.clientSecret).not.toBe(config.demoCrm.clientSecret);
    });

    it("steps aside for a real Pipedrive app, and PIPEDRIVE_JWT_SECRET still wins", () => {
      const config = loadConfig({
        NODE_ENV: "development",
        DATA_DIR: dataDir(),
        ENCRYPTION_KEY: key,
        PIPEDRIVE_CLIENT_ID: "id",
        PIPEDRIVE_CLIENT_SECRET: "secret",
      });
      expect(config.demoCrm.enabled).toBe(true);
      expect(config.pipedrive).toMatchObject({ usesDemoCrm: false, clientId: "id", oauthHost: "https://oauth.pipedrive.com", jwtSecret: "secret" });
      const withJwt = loadConfig({ NODE_ENV: "development", DATA_DIR: dataDir(), ENCRYPTION_KEY: key, PIPEDRIVE_JWT_SECRET: "a-panel-secret" });
      expect(withJwt.pipedrive).toMatchObject({ usesDemoCrm: true, jwtSecret: "a-panel-secret" });
    });

    it.each([
      [{ NODE_ENV: "test" }, false],
      [{ NODE_ENV: "test", DEMO_CRM: "on" }, true],
      [{ NODE_ENV: "development", DEMO_CRM: "off" }, false],
      [{ NODE_ENV: "production", DEMO_CRM: "on" }, false],
      [{ DEMO_CRM: "on" }, false],
    ])("%o → enabled: %s (never in production)", (env, enabled) => {
      const config = loadConfig({ DATA_DIR: dataDir(), ENCRYPTION_KEY: key, ...env });
      expect(config.demoCrm.enabled).toBe(enabled);
      expect(config.pipedrive.usesDemoCrm).toBe(enabled);
      expect(config.pipedrive.jwtSecret).toBe(enabled ? config.demoCrm.clientSecret : undefined);
    });
  });

  describe("the demo HubSpot portal", () => {
    it.each([
      [{ NODE_ENV: "development" }, true],
      [{ NODE_ENV: "test", DEMO_CRM: "on" }, true],
      [{ NODE_ENV: "test" }, false],
      [{ NODE_ENV: "development", DEMO_CRM: "off" }, false],
      [{ NODE_ENV: "production", DEMO_CRM: "on" }, false],
      [{ NODE_ENV: "development", HUBSPOT_CLIENT_ID: "id", HUBSPOT_CLIENT_SECRET: "secret" }, false],
    ])("%o → the server's HubSpot app: %s (switched with the demo CRM; never in production, nor beside an app of its own)", (env, usesDemoPortal) => {
      const config = loadConfig({ ENCRYPTION_KEY: key, PUBLIC_URL: "http://localhost:4100", ...env });
      expect(config.hubspot.usesDemoPortal).toBe(usesDemoPortal);
      if (usesDemoPortal) {
        expect(config.hubspot).toMatchObject({
          clientId: config.demoHubspot.clientId,
          clientSecret: config.demoHubspot.clientSecret,
          authUrl: "http://localhost:4100/dev/demo-hubspot",
          apiUrl: "http://localhost:4100/dev/demo-hubspot",
        });
      } else {
        expect(config.hubspot).toMatchObject({ authUrl: "https://app.hubspot.com", apiUrl: "https://api.hubapi.com" });
        expect(config.hubspot.clientSecret).not.toBe(config.demoHubspot.clientSecret);
      }
    });

    it("derives its secret and token key from ENCRYPTION_KEY, apart from each other", () => {
      const config = loadConfig({ NODE_ENV: "development", ENCRYPTION_KEY: key });
      const other = loadConfig({ NODE_ENV: "development", ENCRYPTION_KEY: Buffer.alloc(32, 2).toString("base64") });
      expect(config.demoHubspot.clientSecret).not.toBe(other.demoHubspot.clientSecret);
      expect(config.demoHubspot.tokenKey.equals(other.demoHubspot.tokenKey)).toBe(false);
      expect(config.demoHubspot.clientSecret).not.toBe(config.demoCrm.clientSecret);
    });
  });

  it("takes the panel session's lifetime from PIPEDRIVE_PANEL_SESSION_SECONDS (an hour by default)", () => {
    expect(loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: key }).pipedrive.panelSessionTtlMs).toBe(3_600_000);
    expect(loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: key, PIPEDRIVE_PANEL_SESSION_SECONDS: "3" }).pipedrive.panelSessionTtlMs).toBe(3000);
    expect(() => loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: key, PIPEDRIVE_PANEL_SESSION_SECONDS: "0" })).toThrow(
      /^Invalid PIPEDRIVE_PANEL_SESSION_SECONDS: /,
    );
  });

  it("takes how often a live stream re-reads its token from LIVE_UPDATES_RECHECK_MS (20 s by default)", () => {
    expect(loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: key }).liveUpdates.tokenRecheckMs).toBe(20_000);
    expect(loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: key, LIVE_UPDATES_RECHECK_MS: "500" }).liveUpdates.tokenRecheckMs).toBe(500);
    expect(() => loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: key, LIVE_UPDATES_RECHECK_MS: "10" })).toThrow(/^Invalid LIVE_UPDATES_RECHECK_MS: /);
  });
});

describe("mail", () => {
  const base = { ENCRYPTION_KEY: key, DATA_DIR: mkdtempSync(path.join(tmpdir(), "sb-config-")) };

  it.each([
    [{ NODE_ENV: "development" }, { kind: "catcher" }],
    [{ NODE_ENV: "development", MAIL_CATCHER: "off" }, { kind: "none" }],
    [{ NODE_ENV: "test" }, { kind: "none" }],
    [{ NODE_ENV: "test", MAIL_CATCHER: "on" }, { kind: "catcher" }],
    [{ NODE_ENV: "production", MAIL_CATCHER: "on" }, { kind: "none" }],
    [
      { NODE_ENV: "production", SMTP_URL: "smtps://u:p@smtp.example.com:465" },
      { kind: "smtp", url: "smtps://u:p@smtp.example.com:465" },
    ],
    [
      { NODE_ENV: "development", SMTP_HOST: "smtp.example.com" },
      { kind: "smtp", url: "smtp://smtp.example.com:587" },
    ],
    [
      { NODE_ENV: "production", SMTP_HOST: "smtp.example.com", SMTP_PORT: "465", SMTP_USER: "me@example.com", SMTP_PASS: "p@ss:word" },
      { kind: "smtp", url: "smtps://me%40example.com:p%40ss%3Aword@smtp.example.com:465" },
    ],
  ])("%o sends through %o (the catcher only outside production, and only without SMTP)", (env, transport) => {
    expect(loadConfig({ ...base, ...env }).mail.transport).toEqual(transport);
  });

  it("sends from MAIL_FROM, or no-reply at PUBLIC_URL's host; announces the catcher", () => {
    expect(loadConfig({ ...base, NODE_ENV: "test", PUBLIC_URL: "https://crm.example.com" }).mail.from).toBe("Switchboard <no-reply@crm.example.com>");
    expect(loadConfig({ ...base, NODE_ENV: "test", MAIL_FROM: "Sales Team <sales@example.com>" }).mail.from).toBe("Sales Team <sales@example.com>");
    expect(developmentFeatureLines(loadConfig({ ...base, NODE_ENV: "development" }))).toContainEqual(
      expect.stringMatching(/^Development only, on: the mail catcher: .* listed at http:\/\/localhost:3000\/#\/dev\/mail/),
    );
  });

  it.each([
    [{ SMTP_URL: "http://smtp.example.com" }, /^Invalid SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ SMTP_URL: "smtp://a", SMTP_HOST: "b" }, /^Invalid SMTP_HOST: set SMTP_URL or SMTP_HOST, not both/],
    [{ SMTP_USER: "me" }, /^Invalid SMTP_HOST: required with/],
    [{ SMTP_HOST: "smtp.example.com", SMTP_USER: "me" }, /^Invalid SMTP_PASS: SMTP_USER and SMTP_PASS go together/],
    [{ MAIL_FROM: "not an address" }, /^Invalid MAIL_FROM: /],
  ])("stops with one line naming the variable: %o", (env, message) => {
    expect(() => loadConfig({ ...base, NODE_ENV: "test", ...env })).toThrow(message);
  });
});
