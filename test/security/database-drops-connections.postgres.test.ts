import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { signWebhookBody } from "../../server/whatsapp/webhook-signature";
import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { inboundTextWebhook, newWamid } from "../fakes/whatsapp-webhooks";
import { withDatabase } from "../support/global-setup";
import { type ApiClient, apiClient } from "../support/server";
import { eventually, openEventStream } from "../support/sse";

// PostgreSQL ends the app's connections (a failover, a restart, an operator's
// pg_terminate_backend). The production entry point runs as a child process, so a crash shows
// as the process exiting; Meta's signed webhooks keep arriving throughout.
const repositoryRoot = path.resolve(import.meta.dirname, "../..");
const appSecret = "meta-app-secret-for-the-drop-test";
const phoneNumberId = "106540352249001";
const wabaId = "102290129340398";
const accessToken = "EAAG-drop-test-token-0123456789";

type Delivery = { wamid: string; status: number; contentType: string | null; retryAfter: string | null; body: string };

let adminUrl: string;
let databaseName: string;
let admin: pg.Client;
let child: ChildProcess;
let output = "";
let exited: { code: number | null; signal: string | null } | null = null;
let dataDir: string;
let baseUrl: string;
let graph: FakeGraphApi;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A subscriber's endpoint for our outgoing webhooks: records each delivery's body. */
async function startReceiver() {
  const bodies: string[] = [];
  const server = createHttpServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      bodies.push(body);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}

/** Ends every connection the app holds to its database, from a connection of our own. */
async function terminateAppConnections(client: pg.Client = admin): Promise<number> {
  const result = await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [databaseName]);
  return result.rowCount ?? 0;
}

/** Meta delivering one signed inbound message; never throws (a refused connection is status 0). */
async function deliver(wamid: string, text: string): Promise<Delivery> {
  const bytes = Buffer.from(
    JSON.stringify(inboundTextWebhook({ phoneNumberId, from: { phone: "16505551234" }, body: text, wamid, timestamp: Math.floor(Date.now() / 1000) })),
  );
  try {
    const response = await fetch(`${baseUrl}/api/v1/inbound/whatsapp`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signWebhookBody(appSecret, bytes) },
      body: new Uint8Array(bytes),
      signal: AbortSignal.timeout(15_000),
    });
    return {
      wamid,
      status: response.status,
      contentType: response.headers.get("content-type"),
      retryAfter: response.headers.get("retry-after"),
      body: await response.text(),
    };
  } catch (error) {
    return { wamid, status: 0, contentType: null, retryAfter: null, body: String(error) };
  }
}

/** As Meta does: redeliver until answered 200 (bounded). */
async function deliverUntilAccepted(wamid: string, text: string): Promise<Delivery> {
  let last = await deliver(wamid, text);
  for (let attempt = 0; attempt < 40 && last.status !== 200; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await deliver(wamid, text);
  }
  return last;
}

async function storedCopies(wamids: string[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: withDatabase(adminUrl, databaseName) });
  await client.connect();
  try {
    const result = await client.query<{ provider_message_id: string; copies: string }>(
      "SELECT provider_message_id, count(*) AS copies FROM messages WHERE provider_message_id = ANY($1) GROUP BY provider_message_id",
      [wamids],
    );
    return new Map(result.rows.map((row) => [row.provider_message_id, Number(row.copies)]));
  } finally {
    await client.end();
  }
}

/** Launches a campaign to `count` customers from a sandbox number, as a member does. */
async function launchCampaign(api: ApiClient, token: string, count: number): Promise<string> {
  const account = await api("POST", "/whatsapp-accounts", { token, body: { provider: "sandbox", phoneNumber: "+15550108900", displayName: "Campaign line" } });
  expect(account.status).toBe(201);
  const template = await api("POST", "/templates", {
    token,
    body: { name: "Drop test", body: "Hi {{name}}, your order is ready.", metaTemplateName: "follow_up", metaLanguage: "en_US" },
  });
  expect(template.status).toBe(201);
  const recipients = Array.from({ length: count }, (_, index) => ({ phone: `+1555300${String(index).padStart(4, "0")}`, name: `Customer ${index}` }));
  const launched = await api("POST", "/campaigns", { token, body: { accountId: account.body.account.id, templateId: template.body.template.id, recipients } });
  expect([launched.status, launched.body.campaign?.status]).toEqual([202, "running"]);
  return launched.body.campaign.id as string;
}

/** The distinct numbers of outgoing messages per chat (each campaign recipient has a chat of their own). */
async function outboundMessagesPerChat(): Promise<number[]> {
  const client = new pg.Client({ connectionString: withDatabase(adminUrl, databaseName) });
  await client.connect();
  try {
    const result = await client.query<{ sent: string }>(
      "SELECT DISTINCT count(*) AS sent FROM messages WHERE direction = 'out' GROUP BY workspace_id, chat_id ORDER BY 1",
    );
    return result.rows.map((row) => Number(row.sent));
  } finally {
    await client.end();
  }
}

const expectAlive = () => expect({ exited, output: exited ? output.slice(-4000) : "" }).toEqual({ exited: null, output: "" });

beforeAll(async () => {
  adminUrl = process.env.TEST_DATABASE_URL as string;
  databaseName = `switchboard_drop_${randomBytes(6).toString("hex")}`;
  admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName} TEMPLATE ${inject("postgresTemplate")}`);
  graph = await startFakeGraphApi({ accessToken });
  graph.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: "+1 555-078-9001" });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "switchboard-drop-"));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const { DATABASE_URL: _engineOfTheSuite, ...environment } = process.env;
  child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: repositoryRoot,
    env: {
      ...environment,
      NODE_ENV: "test",
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      DATABASE_URL: withDatabase(adminUrl, databaseName),
      ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64"),
      WHATSAPP_APP_SECRET: appSecret,
      GRAPH_API_BASE_URL: graph.url,
      // Every background worker runs, as in production (the Pipedrive one only when configured).
      PIPEDRIVE_CLIENT_ID: "drop-test-client",
      PIPEDRIVE_CLIENT_SECRET: "drop-test-secret",
      DEMO: "off",
      // The test drives a sandbox number (chosen explicitly: NODE_ENV=test turns nothing on by itself).
      SANDBOX_PROVIDER: "on",
      // A send left claimed by a failed lane is requeued this soon (the test stays short).
      CAMPAIGN_UNKNOWN_OUTCOME_AFTER_MS: "3000",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.once("exit", (code, signal) => (exited = { code, signal }));
  await eventually(() => {
    if (exited) throw new Error(`server exited early: ${output}`);
    expect(output).toContain("Switchboard: http");
  }, 60_000).catch(() => {
    throw new Error(`server did not start:\n${output}`);
  });
}, 90_000);

afterAll(async () => {
  if (child && !exited) {
    child.kill("SIGTERM");
    await Promise.race([new Promise((resolve) => child.once("exit", resolve)), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (!exited) child.kill("SIGKILL");
  }
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
  await graph?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("PostgreSQL drops the app's connections", () => {
  it("the server survives, answers again, loses no acknowledged webhook and resumes live updates", async () => {
    const api = apiClient(`${baseUrl}/api/v1`);
    const signup = await api("POST", "/signup", {
      body: {
        workspaceName: "Drop test",
        name: "Olga Owner",
        email: `owner-${randomBytes(3).toString("hex")}@example.test`,
        password: "correct horse battery",
      },
    });
    expect(signup.status).toBe(201);
    const token = signup.body.token as string;
    const connected = await api("POST", "/whatsapp-accounts", {
      token,
      body: {
        provider: "cloud",
        phoneNumber: "+1 555 078 9001",
        cloud: { phoneNumberId, wabaId, accessToken },
      },
    });
    expect(connected.status).toBe(201);
    // Our own outgoing webhook: its delivery worker must keep working through the drops too.
    const receiver = await startReceiver();
    expect((await api("POST", "/webhooks", { token, body: { url: receiver.url, events: ["message.created"] } })).status).toBe(201);
    const stream = await openEventStream(`${baseUrl}/api/v1/events`, token);
    const streamed = (text: string) => stream.events.some((event) => event.type === "message.created" && event.data.message?.text === text);
    expect((await deliver(newWamid(), "before any drop")).status).toBe(200);
    await eventually(() => expect(streamed("before any drop")).toBe(true));

    // 1. A request in flight when its connection dies: held on a lock, then terminated.
    const locker = new pg.Client({ connectionString: withDatabase(adminUrl, databaseName) });
    await locker.connect();
    let inFlight: Delivery;
    const heldWamid = newWamid();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE");
      const pending = deliver(heldWamid, "held in flight");
      await eventually(async () => {
        const waiting = await locker.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [databaseName]);
        expect(waiting.rowCount).toBeGreaterThan(0);
      }, 10_000);
      expect(await terminateAppConnections(locker)).toBeGreaterThan(0);
      await locker.query("ROLLBACK");
      inFlight = await pending;
    } finally {
      await locker.end();
    }
    expectAlive();
    expect(inFlight).toMatchObject({
      status: 503,
      contentType: expect.stringContaining("application/problem+json"),
      retryAfter: expect.stringMatching(/^\d+$/),
    });
    expect(JSON.parse(inFlight.body)).toMatchObject({ status: 503, code: "unavailable" });
    expect((await deliverUntilAccepted(heldWamid, "held in flight")).status).toBe(200);

    // 2. A burst of webhooks, and a campaign sending, with every connection terminated in the middle.
    const campaignId = await launchCampaign(api, token, 300);
    await eventually(async () => {
      const { counts } = (await api("GET", `/campaigns/${campaignId}`, { token })).body;
      expect(counts.sent + counts.delivered + counts.read).toBeGreaterThan(0);
    }, 10_000);
    const wamids = Array.from({ length: 60 }, () => newWamid());
    const deliveries: Delivery[] = [];
    let next = 0;
    let dropped = false;
    const sender = async () => {
      while (next < wamids.length) {
        const index = next++;
        deliveries.push(await deliver(wamids[index] as string, `burst ${index}`));
        if (!dropped && deliveries.length >= 15) {
          dropped = true;
          await terminateAppConnections();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    expect(dropped).toBe(true);
    expectAlive();
    // Each answer is 200 (stored) or 503 with Retry-After (Meta retries); never a 500 or a reset.
    const unexpected = deliveries.filter((delivery) => delivery.status !== 200 && !(delivery.status === 503 && delivery.retryAfter));
    expect(unexpected).toEqual([]);
    const acknowledged = deliveries.filter((delivery) => delivery.status === 200).map((delivery) => delivery.wamid);
    const copiesAcknowledged = await storedCopies(acknowledged);
    expect(acknowledged.filter((wamid) => copiesAcknowledged.get(wamid) !== 1)).toEqual([]);
    for (const refused of deliveries.filter((delivery) => delivery.status === 503)) {
      expect((await deliverUntilAccepted(refused.wamid, `retried ${refused.wamid}`)).status).toBe(200);
    }
    const copies = await storedCopies([...wamids, heldWamid]);
    expect([...wamids, heldWamid].filter((wamid) => copies.get(wamid) !== 1)).toEqual([]);

    // The campaign dispatcher survived its failed ticks and lanes: it finished, sending nobody twice.
    await eventually(async () => expect((await api("GET", `/campaigns/${campaignId}`, { token })).body.status).toBe("completed"), 30_000);
    expect(await outboundMessagesPerChat()).toEqual([1]);

    // 3. Terminated while idle: the pool and the LISTEN connection both lose theirs.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await terminateAppConnections()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expectAlive();
    const startedWaiting = Date.now();
    await eventually(async () => expect((await api("GET", "/me", { token })).status).toBe(200), 5000);
    expect(Date.now() - startedWaiting).toBeLessThan(5000);

    // 4. The open stream hears new messages again once LISTEN has reconnected.
    // (Its queue may still be rendering the campaign's events: any message sent after the drop will do.)
    let attempt = 0;
    const streamedAfterTheDrops = () =>
      stream.events.some((event) => event.type === "message.created" && event.data.message?.text?.startsWith("after the drops"));
    await eventually(async () => {
      expect((await deliverUntilAccepted(newWamid(), `after the drops ${attempt++}`)).status).toBe(200);
      await eventually(() => expect(streamedAfterTheDrops()).toBe(true), 1000);
    }, 20_000);
    expect(stream.ended).toBe(false);
    await stream.close();
    // The delivery worker survived its failed polls: the messages after the drops reach the receiver.
    await eventually(() => expect(receiver.bodies.some((body) => body.includes("after the drops"))).toBe(true), 10_000);
    await receiver.close();
    expectAlive();
  }, 120_000);
});
