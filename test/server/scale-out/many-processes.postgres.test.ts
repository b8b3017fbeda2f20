import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Pgbouncer, startPgbouncer } from "../../../scripts/pgbouncer.mjs";
import type { DatabaseHandle } from "../../../server/db/client";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { inboundTextWebhook, newWamid } from "../../fakes/whatsapp-webhooks";
import { openTestDatabase } from "../../support/database";
import { apiClient } from "../../support/server";
import { freePort, type SpawnedServer, spawnServer, stopServer } from "../../support/spawned-server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";
import { busiestSecond, createTemplate, launch, recipientRows, recipients, waitForCampaign } from "../campaigns/support";

// Many processes, one database, a pooler between (PostgreSQL only: *.postgres.test.ts runs in the
// suite's postgres project, whenever TEST_DATABASE_URL is set, as .ci/run sets it). Two production
// server processes (server/main.ts) run their queries through pgbouncer in transaction mode
// (scripts/pgbouncer.mjs, Debian's package) and LISTEN straight on PostgreSQL (DATABASE_LISTEN_URL).
// Each talks to a fake Graph API of its own, so each fake witnesses what its process sent.
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-scale-out";
const wabaId = "102290129340777";
const phoneNumberId = "406540352247001";
const appSecret = "scale-out-meta-app-secret";
const encryptionKey = Buffer.alloc(32, 9).toString("base64");
const rate = 20;
const loginLimitPerAccount = 4;

type AppProcess = { server: SpawnedServer; url: string; api: ReturnType<typeof apiClient>; fake: FakeGraphApi };

describe("two server processes behind pgbouncer (transaction mode), LISTEN straight on PostgreSQL", { timeout: 240_000 }, () => {
  let bouncer: Pgbouncer;
  let database: DatabaseHandle;
  let pooledUrl: string;
  let team: Team;
  let dataDir: string;
  const servers: SpawnedServer[] = [];
  const processes: AppProcess[] = [];

  /** server/main.ts with DATABASE_URL through pgbouncer; `env` adds or overrides variables. */
  async function spawnApp(fake: FakeGraphApi, env: Record<string, string | undefined>) {
    const port = await freePort();
    const server = spawnServer(dataDir, port, {
      DATABASE_URL: pooledUrl,
      LOG_LEVEL: "warn",
      ENCRYPTION_KEY: encryptionKey,
      GRAPH_API_BASE_URL: fake.url,
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_SEND_RATE: String(rate),
      LOGIN_LIMIT_PER_ACCOUNT: String(loginLimitPerAccount),
      ...env,
    });
    servers.push(server);
    return { server, port, outcome: await server.outcome };
  }

  async function startApp(): Promise<AppProcess> {
    const fake = await startFakeGraphApi({ accessToken });
    // Meta's side, as each process's fake sees it: the number in our WABA, the campaign's template approved.
    fake.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: "+1 555-078-7001" });
    fake.registerTemplate(wabaId, { name: "order_ready", language: "en_US", body: "Hi {{1}}, your order {{2}} is ready." });
    const { server, port, outcome } = await spawnApp(fake, { DATABASE_LISTEN_URL: database.databaseUrl });
    if (outcome !== "listening") throw new Error(`server process exited with ${outcome}:\n${server.output()}`);
    const url = `http://127.0.0.1:${port}`;
    return { server, url, api: apiClient(`${url}/api/v1`), fake };
  }

  beforeAll(async () => {
    bouncer = await startPgbouncer({ postgresUrl: process.env.TEST_DATABASE_URL as string });
    database = await openTestDatabase();
    pooledUrl = bouncer.url(new URL(database.databaseUrl as string).pathname.slice(1));
    team = await insertTeamDirectly(database.db);
    dataDir = mkdtempSync(path.join(os.tmpdir(), "switchboard-scale-out-"));
    processes.push(await startApp(), await startApp());
    const connected = await processes[0]?.api("POST", "/whatsapp-accounts", {
      token: team.agent.token,
      body: { provider: "cloud", phoneNumber: "+15550787001", cloud: { phoneNumberId, wabaId, accessToken } },
    });
    expect(connected?.status, connected?.text).toBe(201);
    // Two server processes start (tsx compiles each): slow on a busy machine.
  }, 240_000);
  afterAll(async () => {
    for (const server of servers) await stopServer(server);
    for (const { fake } of processes) await fake.close();
    await database?.close();
    await bouncer?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it("a message Meta delivers to process A reaches a console whose live stream is on process B", async () => {
    const [a, b] = processes as [AppProcess, AppProcess];
    const stream = await openEventStream(`${b.url}/api/v1/events`, team.agent.token);
    try {
      expect(stream.status).toBe(200);
      const wamid = newWamid();
      const payload = inboundTextWebhook({
        phoneNumberId,
        from: { phone: "447700900123" },
        body: "Sent to A, seen on B",
        wamid,
        timestamp: Math.floor(Date.now() / 1000),
      });
      expect((await a.fake.deliverWebhook(`${a.url}/api/v1/inbound/whatsapp`, appSecret, payload)).status).toBe(200);
      const created = await eventually(() => {
        const found = stream.events.find((event) => event.type === "message.created" && event.data.message.text === "Sent to A, seen on B");
        expect(found).toBeDefined();
        return found;
      }, 10_000);
      expect(created?.data.message).toMatchObject({ direction: "in", text: "Sent to A, seen on B" });
    } finally {
      // An open stream would hold B's graceful shutdown.
      await stream.close();
    }
  });

  it("a campaign sent by both processes' dispatchers never exceeds the number's rate in any second", async () => {
    const [a, b] = processes as [AppProcess, AppProcess];
    const size = 120;
    const templateId = await createTemplate({ api: a.api }, team.agent.token, "Hi {{name}}, your order {{order}} is ready.", {
      metaTemplateName: "order_ready",
      metaLanguage: "en_US",
    });
    const accounts = await a.api("GET", "/whatsapp-accounts", { token: team.agent.token });
    const accountId = (accounts.body.data as { id: string; phoneNumber: string }[])[0]?.id;
    const launched = await launch({ api: a.api }, team.agent.token, { accountId, templateId, recipients: recipients(size, "+1555300") });
    expect(launched.status, launched.text).toBe(202);
    const campaignId = launched.body.campaign.id as string;
    await waitForCampaign({ api: b.api }, team.agent.token, campaignId, "completed", 60_000);

    const rows = await recipientRows({ database }, team.workspace.id, campaignId);
    expect(rows.map((row) => row.status)).toEqual(rows.map(() => "sent"));
    // Both processes sent (each fake saw only its own process), and nobody got two messages.
    const sentBy = processes.map(({ fake }) => fake.sentMessages.filter((message) => message.body.to.startsWith("1555300")).length);
    expect(sentBy[0]).toBeGreaterThan(0);
    expect(sentBy[1]).toBeGreaterThan(0);
    expect((sentBy[0] ?? 0) + (sentBy[1] ?? 0)).toBe(size);
    const reached = processes.flatMap(({ fake }) => fake.sentMessages.map((message) => message.body.to));
    expect(new Set(reached).size).toBe(reached.length);
    // The shared schedule: at most `rate` sends in any one-second window, across both processes.
    expect(busiestSecond(rows.map((row) => row.sentAt?.getTime() ?? 0))).toBeLessThanOrEqual(rate);
  });

  it("the login limit counts attempts on both processes against one budget", async () => {
    const [a, b] = processes as [AppProcess, AppProcess];
    const credentials = { email: "limit@scale-out.test", password: "the real passphrase here" };
    const signup = await a.api("POST", "/signup", { body: { workspaceName: "Scale-out", name: "Lim Ited", ...credentials } });
    expect(signup.status, signup.text).toBe(201);
    // Alternating processes: each sees only half of the wrong guesses.
    for (let guess = 0; guess < loginLimitPerAccount; guess++) {
      const answer = await (guess % 2 === 0 ? a : b).api("POST", "/sessions", { body: { email: credentials.email, password: `wrong guess ${guess}` } });
      expect(answer.status).toBe(401);
    }
    // Spent on the two together: even the right password is refused, on either process.
    for (const server of [a, b]) {
      const answer = await server.api("POST", "/sessions", { body: credentials });
      expect(answer.status).toBe(429);
      expect(answer.body.code).toBe("rate_limited");
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it("a process whose LISTEN would go through the transaction-mode pooler refuses to start, saying why", async () => {
    const fake = processes[0]?.fake as FakeGraphApi;
    // DATABASE_LISTEN_URL unset: the LISTEN session takes DATABASE_URL, pgbouncer.
    const { server, outcome } = await spawnApp(fake, { DATABASE_LISTEN_URL: undefined });
    expect(outcome, server.output()).toBe(1);
    expect(server.output()).toContain("Switchboard cannot start: live updates would not cross processes");
    expect(server.output()).toContain("DATABASE_LISTEN_URL");
  });
});
