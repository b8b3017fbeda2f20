import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../../support/server";

// The demo CRM and the CRM simulator are development tools: a production server never serves
// them, even when asked to (DEMO_CRM=on) and even where the web UI would answer any other path.
// A server whose NODE_ENV is unset is a production server (an empty variable counts as unset).

describe.each([
  ["in production", "production"],
  ["with NODE_ENV unset", ""],
])("%s", (_title, nodeEnv) => {
  let server: TestServer;
  let webRoot: string;
  beforeAll(async () => {
    webRoot = mkdtempSync(path.join(os.tmpdir(), "switchboard-prod-web-"));
    writeFileSync(path.join(webRoot, "index.html"), "<!doctype html><title>console</title>");
    // The simulator's page is in the web root, so a 404 below is the server refusing it.
    mkdirSync(path.join(webRoot, "simulator"));
    writeFileSync(path.join(webRoot, "simulator", "index.html"), "<!doctype html><title>simulator</title>");
    server = await startTestServer({ NODE_ENV: nodeEnv, DEMO_CRM: "on", CAMPAIGN_DISPATCHER: "off" }, { webRoot, ownPublicUrl: true });
  });
  afterAll(async () => {
    await server.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it("runs as production", () => {
    expect(server.services.config.nodeEnv).toBe("production");
    expect(server.services.config.developmentRoutes).toBe(false);
  });

  it("has no demo CRM and no development Pipedrive app", () => {
    expect(server.services.config.demoCrm.enabled).toBe(false);
    expect(server.services.demoCrm).toBeNull();
    expect(server.services.config.pipedrive).toMatchObject({ usesDemoCrm: false, clientId: undefined, jwtSecret: undefined });
  });

  it.each([
    ["GET", "/dev/demo-crm/api/v1/users/me"],
    ["GET", "/dev/demo-crm/api/v2/deals/1"],
    ["GET", "/dev/demo-crm/oauth/authorize"],
    ["POST", "/dev/demo-crm/oauth/token"],
    ["GET", "/api/v1/dev/simulator/record?resource=deal&id=1"],
    ["POST", "/api/v1/dev/simulator/token"],
    ["GET", "/simulator/"],
  ])("answers 404 to %s %s", async (method, url) => {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: method === "POST" ? { "content-type": "application/json" } : {},
      body: method === "POST" ? JSON.stringify({ userId: 1, companyId: 1 }) : undefined,
    });
    expect(response.status).toBe(404);
  });

  it("still serves the console (the 404s above are not a broken web root)", async () => {
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });
});
