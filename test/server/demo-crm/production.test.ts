import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../../support/server";

// The demo CRM and the CRM simulator are development tools: a production server never serves
// them, even when asked to (DEMO_CRM=on) and even where the web UI would answer any other path.

let server: TestServer;
let webRoot: string;
beforeAll(async () => {
  webRoot = mkdtempSync(path.join(os.tmpdir(), "switchboard-prod-web-"));
  writeFileSync(path.join(webRoot, "index.html"), "<!doctype html><title>console</title>");
  server = await startTestServer({ NODE_ENV: "production", DEMO_CRM: "on", CAMPAIGN_DISPATCHER: "off" }, { webRoot, ownPublicUrl: true });
});
afterAll(async () => {
  await server.close();
  rmSync(webRoot, { recursive: true, force: true });
});

describe("in production", () => {
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
