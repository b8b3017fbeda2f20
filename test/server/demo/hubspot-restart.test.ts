import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { demoEmail, demoPassword } from "../../../server/demo/seed";
import { demoHubspotContacts, demoHubspotPortal } from "../../../server/demo-crm/hubspot/demo-portal";
import { freePort, type SpawnedServer, spawnServer, stopServer } from "../../support/spawned-server";

// `npm start` twice on one DATA_DIR with no HubSpot account: the first start installs the app in
// the demo HubSpot portal through its install page; the second finds it connected, and the
// tokens stored by the first still work there (the demo portal's grants outlive the process).

const development = { NODE_ENV: undefined, DEMO: undefined, DEMO_CRM: undefined, PUBLIC_URL: undefined, ENCRYPTION_KEY: undefined, LOG_LEVEL: "warn" };
const hubspotLine = /(HubSpot simulator \(.*|Demo HubSpot: .*failed.*)\n/;

async function startDevelopment(dataDir: string, port: number): Promise<SpawnedServer> {
  const running = spawnServer(dataDir, port, development, ["--development"]);
  expect(await running.outcome).toBe("listening");
  await expect.poll(() => hubspotLine.test(running.output()), { timeout: 120_000, interval: 250 }).toBe(true);
  return running;
}

describe("npm start's demo HubSpot portal", () => {
  let dataDir: string;
  let running: SpawnedServer | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "sb-demo-hubspot-"));
  });
  afterEach(async () => {
    if (running) await stopServer(running);
    running = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is installed at the first start through its install page, and still serves the workspace after a restart", async () => {
    const port = await freePort();
    const api = async (method: string, route: string, options: { token?: string; body?: unknown } = {}) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1${route}`, {
        method,
        headers: { "content-type": "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      return { status: response.status, body: response.status === 204 ? null : await response.json() };
    };
    const ownerLogin = async () => (await api("POST", "/sessions", { body: { email: demoEmail("owner"), password: demoPassword } })).body.token as string;

    running = await startDevelopment(dataDir, port);
    expect(running.output()).toContain("Demo HubSpot: the demo workspace installed the app in the demo portal through its install page");
    expect(running.output()).toContain(`HubSpot simulator (the app card on the demo portal's contact): http://localhost:${port}/simulator/hubspot/`);
    const integrations = await api("GET", "/integrations", { token: await ownerLogin() });
    expect(integrations.body.hubspot).toMatchObject({ status: "connected", hubId: demoHubspotPortal.hubId });
    expect(await stopServer(running)).toBe(0);

    running = await startDevelopment(dataDir, port);
    expect(running.output()).toContain("Demo HubSpot: the demo workspace is connected to the demo portal");
    const owner = await ownerLogin();
    expect((await api("GET", "/integrations", { token: owner })).body.hubspot).toMatchObject({ status: "connected" });
    expect((await api("GET", "/audit-log?action=hubspot.connect", { token: owner })).body.data).toHaveLength(1);
    // The tokens the first process stored work against the second's portal: a reply to Grace is logged there.
    const chats = (await api("GET", "/chats", { token: owner })).body.data as { id: string; contact: { phone: string } }[];
    const grace = chats.find((chat) => chat.contact.phone === demoHubspotContacts.grace.properties.hs_whatsapp_phone_number);
    if (!grace) throw new Error("the demo has a chat with Grace on the Sales line");
    expect((await api("POST", `/chats/${grace.id}/messages`, { token: owner, body: { text: "Logged after a restart" } })).status).toBe(201);
    const logged = async () =>
      (await api("GET", `/dev/simulator/hubspot/record?objectTypeId=0-1&objectId=${demoHubspotContacts.grace.id}`)).body.communications as { body: string }[];
    await expect
      .poll(async () => (await logged()).some((communication) => communication.body.includes("Logged after a restart")), { timeout: 60_000 })
      .toBe(true);
    expect((await api("GET", "/integrations", { token: owner })).body.hubspot).toMatchObject({ status: "connected" });
  }, 600_000);
});
