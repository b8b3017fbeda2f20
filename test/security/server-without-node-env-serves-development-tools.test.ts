import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { demoEmail, demoPassword } from "../../server/demo/seed";
import { demoCrmCompany, demoCrmUsers } from "../../server/demo-crm/company";
import { demoHubspotContacts, demoHubspotPortal, demoHubspotUsers } from "../../server/demo-crm/hubspot/demo-portal";
import { freePort, type SpawnedServer, spawnServer, stopServer } from "../support/spawned-server";

// A server started without NODE_ENV (a container, a systemd unit, `node server/main.ts`) used to run
// as development: the demo workspace's published password, the demo CRM as its Pipedrive app
// signing panel tokens for anyone, the sandbox provider and /dev routes, all on a public address.
// It must fail closed: production unless the command chooses development (`npm start` passes
// --development). The same probes against a development start show each of them is really there.

/** Nothing from the suite's environment decides the mode: only what each case passes. */
const noChoices = {
  NODE_ENV: undefined,
  DEMO: undefined,
  DEMO_CRM: undefined,
  SANDBOX_PROVIDER: undefined,
  ENCRYPTION_KEY: undefined,
  PUBLIC_URL: undefined,
  PIPEDRIVE_CLIENT_ID: undefined,
  PIPEDRIVE_CLIENT_SECRET: undefined,
  PIPEDRIVE_JWT_SECRET: undefined,
  HUBSPOT_CLIENT_ID: undefined,
  HUBSPOT_CLIENT_SECRET: undefined,
  HUBSPOT_AUTH_URL: undefined,
  HUBSPOT_API_URL: undefined,
};
const encryptionKey = Buffer.alloc(32, 9).toString("base64");

type Probe = { name: string; method: string; path: (port: number) => string; body?: unknown; production: number; development: number };

/** Every development-only door, and what each mode answers there. */
const probes: Probe[] = [
  {
    name: "demo CRM: OAuth consent page",
    method: "GET",
    path: (port) =>
      `/dev/demo-crm/oauth/authorize?${new URLSearchParams({ client_id: "switchboard-demo-crm", redirect_uri: `http://localhost:${port}/api/v1/integrations/pipedrive/callback` })}`,
    production: 404,
    development: 200,
  },
  { name: "demo CRM: token endpoint", method: "POST", path: () => "/dev/demo-crm/oauth/token", body: {}, production: 404, development: 400 },
  { name: "demo CRM: REST API", method: "GET", path: () => "/dev/demo-crm/api/v1/users/me", production: 404, development: 401 },
  {
    name: "simulator: the demo CRM's deal",
    method: "GET",
    path: () => "/api/v1/dev/simulator/record?resource=deal&id=1",
    production: 404,
    development: 200,
  },
  {
    name: "simulator: panel token signer",
    method: "POST",
    path: () => "/api/v1/dev/simulator/token",
    body: { companyId: demoCrmCompany.id, userId: demoCrmUsers[0]?.id },
    production: 404,
    development: 200,
  },
  { name: "demo HubSpot portal: its CRM API", method: "GET", path: () => "/dev/demo-hubspot/crm/owners/2026-03", production: 404, development: 401 },
  {
    name: "simulator: the demo HubSpot portal's contact",
    method: "GET",
    path: () => `/api/v1/dev/simulator/hubspot/record?objectTypeId=0-1&objectId=${demoHubspotContacts.grace.id}`,
    production: 404,
    development: 200,
  },
  {
    name: "simulator: HubSpot's card request signer",
    method: "POST",
    path: () => "/api/v1/dev/simulator/hubspot/sign",
    body: {
      url: "https://switchboard.example.com/api/v1/hubspot/card",
      method: "POST",
      body: {},
      portalId: demoHubspotPortal.hubId,
      userId: demoHubspotUsers[0]?.userId,
    },
    production: 404,
    development: 200,
  },
  {
    name: "demo workspace: the Owner's published login",
    method: "POST",
    path: () => "/api/v1/sessions",
    body: { email: demoEmail("owner"), password: demoPassword },
    production: 401,
    development: 201,
  },
  // The caught mail (invitations, password resets, with their links) is readable without a login.
  { name: "mail catcher: caught mail", method: "GET", path: () => "/api/v1/dev/mail", production: 404, development: 200 },
];

async function request(port: number, method: string, route: string, options: { body?: unknown; token?: string } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: { "content-type": "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

/** A new workspace's Owner tries a sandbox number and a webhook to a loopback http receiver. */
async function tryWorkspaceDevelopmentFeatures(port: number) {
  const signup = await request(port, "POST", "/api/v1/signup", {
    body: { workspaceName: "Acme", name: "Ada Owner", email: "ada@acme.test", password: "a long enough passphrase" },
  });
  expect(signup.status).toBe(201);
  const token = signup.json().token as string;
  const sandbox = await request(port, "POST", "/api/v1/whatsapp-accounts", { token, body: { provider: "sandbox", phoneNumber: "+1 555 010 2000" } });
  const webhook = await request(port, "POST", "/api/v1/webhooks", { token, body: { url: "http://127.0.0.1:9/hook", events: ["message.created"] } });
  return { sandbox, webhook };
}

describe("a server started without NODE_ENV", () => {
  let dataDir: string;
  let running: SpawnedServer | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "sb-no-node-env-"));
  });
  afterEach(async () => {
    if (running) await stopServer(running);
    running = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is production: without ENCRYPTION_KEY it refuses to start, and generates no key", async () => {
    running = spawnServer(dataDir, await freePort(), noChoices);
    expect(await running.outcome).toBe(1);
    expect(running.output()).toMatch(/^Invalid ENCRYPTION_KEY: required in production .*NODE_ENV is unset/m);
    expect(existsSync(path.join(dataDir, "encryption.key"))).toBe(false);
  }, 60_000);

  it("is production with a key: says so, announces nothing, and every development-only door is shut", async () => {
    const port = await freePort();
    running = spawnServer(dataDir, port, { ...noChoices, ENCRYPTION_KEY: encryptionKey });
    expect(await running.outcome).toBe("listening");
    expect(running.output()).toContain("Switchboard runs as production (NODE_ENV unset");
    expect(running.output()).not.toContain("Development only");
    expect(running.output()).not.toContain(demoPassword);
    for (const probe of probes) {
      const answer = await request(port, probe.method, probe.path(port), { body: probe.body });
      expect({ probe: probe.name, status: answer.status }).toEqual({ probe: probe.name, status: probe.production });
    }
    const { sandbox, webhook } = await tryWorkspaceDevelopmentFeatures(port);
    expect(sandbox.status).toBe(409);
    expect(sandbox.json().detail).toBe("The sandbox provider is disabled on this server.");
    expect(webhook.status).toBe(400);
  }, 120_000);

  it("is development with --development, as `npm start` passes: the same doors open, each announced, with a generated key", async () => {
    const port = await freePort();
    running = spawnServer(dataDir, port, noChoices, ["--development"]);
    expect(await running.outcome).toBe("listening");
    const output = running.output();
    expect(output).toContain("Switchboard runs as development (--development, NODE_ENV unset)");
    const announced = output.split("\n").filter((line) => line.startsWith("Development only, on: "));
    expect(announced).toEqual([
      expect.stringContaining("the demo workspace"),
      expect.stringContaining(`the demo CRM at http://localhost:${port}/dev/demo-crm`),
      expect.stringContaining("POST /api/v1/dev/simulator/token"),
      expect.stringContaining(`the demo HubSpot portal at http://localhost:${port}/dev/demo-hubspot is this server's HubSpot app`),
      expect.stringContaining("the sandbox WhatsApp provider"),
      expect.stringContaining(`the mail catcher: e-mail goes to a local SMTP server and is listed at http://localhost:${port}/#/dev/mail`),
      expect.stringContaining("/simulator/"),
      expect.stringContaining("webhooks may deliver over http"),
    ]);
    expect(readFileSync(path.join(dataDir, "encryption.key"), "utf8")).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    for (const probe of probes) {
      const answer = await request(port, probe.method, probe.path(port), { body: probe.body });
      expect({ probe: probe.name, status: answer.status }).toEqual({ probe: probe.name, status: probe.development });
    }
    const { sandbox, webhook } = await tryWorkspaceDevelopmentFeatures(port);
    expect(sandbox.status).toBe(201);
    expect(webhook.status).toBe(201);
  }, 120_000);
});
