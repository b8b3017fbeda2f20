import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { unknownAfterRestart } from "../../../server/campaigns/delivery";
import { defaultLanes } from "../../../server/campaigns/dispatcher";
import { type DatabaseHandle, openDatabase } from "../../../server/db/client";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { openTestDatabase, testEngine } from "../../support/database";
import { apiClient } from "../../support/server";
import { freePort, type SpawnedServer, spawnServer } from "../../support/spawned-server";
import { eventually } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";
import { busiestSecond, createTemplate, launch, recipientRows, recipients, waitForCampaign } from "./support";

// A real crash, on each engine: the production entry point (server/main.ts) runs as its own
// process — on PostgreSQL, or on PGlite in a DATA_DIR — sends a campaign to the fake Graph API,
// and is SIGKILLed halfway. A new process resumes it. The fake, in this process, is the witness
// of what reached "Meta"; the database is read from here between and after the two processes.
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-crash";
const wabaId = "102290129340398";
const rate = 40;
const size = 200;

/** The database both server processes use, and a way to read it from this process. */
type SharedDatabase = { env: Record<string, string>; read<T>(work: (database: DatabaseHandle) => Promise<T>): Promise<T>; close(): Promise<void> };

async function sharedDatabase(dataDir: string): Promise<SharedDatabase> {
  if (testEngine === "postgres") {
    const database = await openTestDatabase();
    return { env: { DATABASE_URL: database.databaseUrl as string }, read: (work) => work(database), close: () => database.close() };
  }
  // PGlite has one owner at a time (DATA_DIR's lock): this process opens it only while no server runs.
  const read = async <T>(work: (database: DatabaseHandle) => Promise<T>) => {
    const database = await openDatabase({ dataDir, owner: { port: null, purpose: "crash test" } });
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  };
  return { env: {}, read, close: async () => undefined };
}

describe(`kill -9 of the server mid-campaign (${testEngine})`, () => {
  let fake: FakeGraphApi;
  let database: SharedDatabase;
  let team: Team;
  let dataDir: string;
  const servers: SpawnedServer[] = [];

  beforeAll(async () => {
    fake = await startFakeGraphApi({ accessToken });
    // The campaign's Meta template, approved in the WABA: two body parameters ({{name}}, {{order}} in order).
    fake.registerTemplate(wabaId, { name: "order_ready", language: "en_US", body: "Hi {{1}}, your order {{2}} is ready." });
    // Meta's side: the number is in the WABA our token manages (connecting checks it there).
    fake.registerPhoneNumber({ wabaId, phoneNumberId: "406540352240001", displayPhoneNumber: "+1 555-078-0001" });
    dataDir = mkdtempSync(path.join(os.tmpdir(), "switchboard-crash-"));
    database = await sharedDatabase(dataDir);
    team = await database.read((opened) => insertTeamDirectly(opened.db));
  });
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill("SIGKILL");
    await database?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startServerProcess() {
    const port = await freePort();
    const server = spawnServer(dataDir, port, {
      ...database.env,
      LOG_LEVEL: "warn",
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      GRAPH_API_BASE_URL: fake.url,
      WHATSAPP_SEND_RATE: String(rate),
      CAMPAIGN_UNKNOWN_OUTCOME_AFTER_MS: "1500",
    });
    servers.push(server);
    const outcome = await server.outcome;
    if (outcome !== "listening") throw new Error(`server process exited with ${outcome}:\n${server.output()}`);
    return { server, api: { api: apiClient(`http://127.0.0.1:${port}/api/v1`) } };
  }
  const killed = (server: SpawnedServer, signal: NodeJS.Signals) => {
    const exited = new Promise((resolve) => server.child.once("exit", resolve));
    server.child.kill(signal);
    return exited;
  };
  const rowsOf = (campaignId: string) => database.read((opened) => recipientRows({ database: opened }, team.workspace.id, campaignId));

  it("resumes where it stopped: every recipient reaches Meta at most once; only the in-flight ones are unknown", async () => {
    const first = await startServerProcess();
    const connected = await first.api.api("POST", "/whatsapp-accounts", {
      token: team.agent.token,
      body: { provider: "cloud", phoneNumber: "+15550780001", cloud: { phoneNumberId: "406540352240001", wabaId, accessToken } },
    });
    expect(connected.status, connected.text).toBe(201);
    const templateId = await createTemplate(first.api, team.agent.token, "Hi {{name}}, your order {{order}} is ready.", {
      metaTemplateName: "order_ready",
      metaLanguage: "en_US",
    });
    const launched = await launch(first.api, team.agent.token, { accountId: connected.body.account.id, templateId, recipients: recipients(size) });
    expect(launched.status, launched.text).toBe(202);
    const campaignId = launched.body.campaign.id;

    await eventually(() => expect(fake.sentMessages.length).toBeGreaterThanOrEqual(size / 2), 60_000);
    await killed(first.server, "SIGKILL");
    const reachedBeforeKill = fake.sentMessages.length;
    expect(reachedBeforeKill).toBeLessThan(size);
    // A statement PostgreSQL was already running for the dead process still commits: let it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const inFlight = (await rowsOf(campaignId)).filter((row) => row.status === "sending");

    const second = await startServerProcess();
    await waitForCampaign(second.api, team.agent.token, campaignId, "completed", 60_000);
    await killed(second.server, "SIGTERM");

    const rows = await rowsOf(campaignId);
    const accepted = new Map<string, number>();
    for (const sent of fake.sentMessages) accepted.set(`+${sent.body.to}`, (accepted.get(`+${sent.body.to}`) ?? 0) + 1);
    // Nobody reached Meta twice.
    expect(Math.max(...accepted.values())).toBe(1);
    const sent = rows.filter((row) => row.status === "sent");
    const unknown = rows.filter((row) => row.status === "failed");
    expect(sent.length + unknown.length).toBe(size);
    // Every recipient recorded as sent reached Meta exactly once, under the id we stored.
    for (const row of sent) {
      expect(accepted.get(row.phone)).toBe(1);
      expect(fake.sentMessages.find((message) => message.wamid === row.providerMessageId)?.body.to).toBe(row.phone.slice(1));
    }
    // The unknown ones are exactly those in flight at the kill: at most one per lane, never retried.
    expect(unknown.map((row) => row.error)).toEqual(unknown.map(() => unknownAfterRestart));
    expect(unknown.map((row) => row.seq).sort()).toEqual(inFlight.map((row) => row.seq).sort());
    expect(unknown.length).toBeLessThanOrEqual(defaultLanes(rate));
    for (const row of unknown) expect(accepted.get(row.phone) ?? 0).toBeLessThanOrEqual(1);
    // The shared schedule held across the kill and the restart.
    expect(busiestSecond(sent.map((row) => row.sentAt?.getTime() ?? 0))).toBeLessThanOrEqual(rate);
  }, 240_000);
});
