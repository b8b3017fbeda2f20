import { randomBytes } from "node:crypto";
import { signWebhookBody } from "../../server/whatsapp/webhook-signature";
import { inboundTextWebhook } from "../fakes/whatsapp-webhooks";
import { benchAppSecret } from "./app-host";
import { cpuByPid, cpuSpent, ownCpuSeconds, processCpuSeconds } from "./cpu";
import type { BenchDatabase } from "./engines";
import { httpClient } from "./http-client";
import { freePort, type ServerProcess, startServerProcess } from "./server-processes";
import { rowsOf } from "./sessions";
import { type LatencySummary, summarize } from "./stats";

export type IngestOptions = {
  /** The script each server process runs: the app's server/main.ts, or the bench's prototype. */
  entry: string;
  /** Extra environment for the server processes (e.g. the prototype's PROTOTYPE_MODE). */
  environment?: Record<string, string>;
  /** Senders are numbered from here, so two runs on one database each start with unknown contacts. */
  contactOffset: number;
  messages: number;
  contacts: number;
  concurrency: number;
  processes: number;
  /** Share of webhooks delivered a second time, byte for byte, after the first was answered. */
  redeliveryShare: number;
  /** Hard stop for the load phase, whatever is left unsent. */
  secondsCap: number;
  basePort: number;
  /**
   * The server processes' DATABASE_URL when it is not the database's own: a pooler such as
   * pgbouncer in transaction mode (test/bench/scale-out.ts). They then LISTEN on the database's
   * own URL (DATABASE_LISTEN_URL).
   */
  pooledDatabaseUrl?: string;
};

export const ingestAccountId = "acct_ingest";
export const ingestPhoneNumberId = "9100000001";

type Delivery = { index: number; wamid: string; body: Buffer; signature: string; redelivery: boolean };

export type IngestResult = {
  options: IngestOptions;
  sent: number;
  redeliveriesSent: number;
  non200: number;
  /** The first answer that was not 200, to say why. */
  firstFailure: string | null;
  seconds: number;
  /** New messages stored per second over the whole run (first request to last answer). */
  messagesPerSecond: number;
  /** The same over the middle 80 % of answers (start-up and drain excluded). */
  steadyMessagesPerSecond: number;
  requestLatency: LatencySummary;
  stored: number;
  distinctStored: number;
  /** Webhooks answered 200 whose wamid is not in the database. */
  lost: number;
  duplicated: number;
  /** Distinct chats the stored messages landed in (one per sending contact expected). */
  chatsCreated: number;
  cpuSeconds: { servers: number; postgres: number; loadGenerator: number };
  database: { commits: number; walSyncs: number | null; walBytes: number | null };
  serverUrls: string[];
};

/**
 * Posts signed Meta webhooks (one inbound text each, unique wamids) to `processes` separate
 * server processes running server/main.ts over the same PostgreSQL database, with at most
 * `concurrency` in flight, then counts what landed: nothing lost, nothing stored twice.
 */
export async function runIngest(database: BenchDatabase, workspaceId: string, options: IngestOptions): Promise<IngestResult> {
  if (!database.databaseUrl) throw new Error("ingestion runs on PostgreSQL");
  await registerCloudAccount(database, workspaceId);
  const runId = randomBytes(4).toString("hex");
  const deliveries = buildDeliveries(runId, options);
  const servers: ServerProcess[] = [];
  try {
    let port = options.basePort;
    for (let index = 0; index < options.processes; index++) {
      port = await freePort(port);
      const environment = { ...options.environment, ...(options.pooledDatabaseUrl ? { DATABASE_LISTEN_URL: database.databaseUrl } : {}) };
      servers.push(await startServerProcess(port, options.pooledDatabaseUrl ?? database.databaseUrl, options.entry, environment));
      port++;
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  const clients = servers.map((server) => httpClient(server.url, Math.ceil(options.concurrency / servers.length)));
  let stopped = false;
  const stopServers = async () => {
    if (stopped) return;
    stopped = true;
    for (const client of clients) client.close();
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    // Warm-up through every process (JIT, pool connections), on wamids the count ignores.
    const warmups = Array.from({ length: 40 * clients.length }, (_, index) =>
      signedInbound(`wamid.warmup.${runId}.${index}`, options.contactOffset + options.contacts + index, index, Math.floor(Date.now() / 1000)),
    );
    await Promise.all(warmups.map((delivery, index) => clients[index % clients.length]?.post("/inbound/whatsapp", webhookHeaders(delivery), delivery.body)));
    const before = {
      ...(await databaseCounters(database)),
      servers: servers.map((server) => processCpuSeconds(server.pid)),
      postgres: cpuByPid(await postgresPids(database)),
      own: ownCpuSeconds(),
    };
    const answeredAt: number[] = [];
    const acknowledged: string[] = [];
    const latencies: number[] = [];
    let next = 0;
    let non200 = 0;
    let firstFailure: string | null = null;
    let redeliveriesSent = 0;
    const started = performance.now();
    const deadline = started + options.secondsCap * 1000;
    const worker = async (workerIndex: number) => {
      const client = clients[workerIndex % clients.length];
      if (!client) return;
      while (next < deliveries.length && performance.now() < deadline) {
        const delivery = deliveries[next++] as Delivery;
        const requestStarted = performance.now();
        const reply = await client.post("/inbound/whatsapp", webhookHeaders(delivery), delivery.body);
        const now = performance.now();
        latencies.push(now - requestStarted);
        if (reply.status !== 200) {
          non200++;
          firstFailure ??= `${reply.status} ${reply.text.slice(0, 300)}`;
        }
        if (delivery.redelivery) redeliveriesSent++;
        else {
          answeredAt.push(now);
          if (reply.status === 200) acknowledged.push(delivery.wamid);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = {
      servers: servers.map((server) => processCpuSeconds(server.pid)),
      postgres: cpuByPid(await postgresPids(database)),
      own: ownCpuSeconds(),
    };
    // Backends publish their statistics when they exit: stop the servers before reading them.
    await stopServers();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const countersAfter = await databaseCounters(database);
    const sent = answeredAt.length;
    const check = await verifyStored(database, workspaceId, runId, acknowledged);
    return {
      options,
      sent,
      redeliveriesSent,
      non200,
      firstFailure,
      seconds,
      messagesPerSecond: check.distinctStored / seconds,
      steadyMessagesPerSecond: steadyRate(answeredAt),
      requestLatency: summarize(latencies),
      ...check,
      lost: check.lost,
      duplicated: check.stored - check.distinctStored,
      cpuSeconds: {
        servers: cpuAfter.servers.reduce((sum, value, index) => sum + value - (before.servers[index] ?? 0), 0),
        postgres: cpuSpent(before.postgres, cpuAfter.postgres),
        loadGenerator: cpuAfter.own - before.own,
      },
      database: {
        commits: countersAfter.commits - before.commits,
        walSyncs: countersAfter.walSyncs === null || before.walSyncs === null ? null : countersAfter.walSyncs - before.walSyncs,
        walBytes: countersAfter.walBytes === null || before.walBytes === null ? null : countersAfter.walBytes - before.walBytes,
      },
      serverUrls: servers.map((server) => server.url),
    };
  } finally {
    await stopServers();
  }
}

/** A Cloud API account on our Meta app (no own app secret) and its phone_number_id route. */
export async function registerCloudAccount(database: BenchDatabase, workspaceId: string): Promise<void> {
  await rowsOf(
    database,
    `insert into whatsapp_accounts (workspace_id, id, provider, phone_number, display_name, connected_by, cloud_phone_number_id, cloud_waba_id)
     values ($1, $2, 'cloud', '+15550199999', 'Ingest line', 'mem_b00', $3, '1020000000') on conflict do nothing`,
    [workspaceId, ingestAccountId, ingestPhoneNumberId],
  );
  await rowsOf(database, "insert into whatsapp_routes (phone_number_id, workspace_id, account_id) values ($1, $2, $3) on conflict do nothing", [
    ingestPhoneNumberId,
    workspaceId,
    ingestAccountId,
  ]);
}

const webhookHeaders = (delivery: Delivery) => ({
  "content-type": "application/json",
  "user-agent": "facebookexternalua",
  "x-hub-signature-256": delivery.signature,
});

/** One signed webhook carrying one inbound text from contact number `contact`. */
function signedInbound(wamid: string, contact: number, index: number, baseSeconds: number): Delivery {
  const payload = inboundTextWebhook({
    phoneNumberId: ingestPhoneNumberId,
    from: { phone: `1555${2000000 + contact}` },
    name: `Customer ${contact}`,
    body: `Bench message ${index}: is my order on its way?`,
    wamid,
    timestamp: baseSeconds + Math.floor(index / 100),
  });
  const body = Buffer.from(JSON.stringify(payload));
  return { index, wamid, body, signature: signWebhookBody(benchAppSecret, body), redelivery: false };
}

/** The webhooks, signed up front so the load generator only sends bytes; redeliveries trail their original by 500. */
function buildDeliveries(runId: string, options: IngestOptions): Delivery[] {
  const baseSeconds = Math.floor(Date.now() / 1000);
  const every = Math.max(1, Math.round(1 / options.redeliveryShare));
  const sequence: Delivery[] = [];
  const pending = new Map<number, Delivery>();
  for (let index = 0; index < options.messages; index++) {
    const original = signedInbound(`wamid.bench.${runId}.${index}`, options.contactOffset + (index % options.contacts), index, baseSeconds);
    sequence.push(original);
    if (index % every === every - 1) pending.set(index + 500, { ...original, redelivery: true });
    const due = pending.get(index);
    if (due) sequence.push(due);
    pending.delete(index);
  }
  // The last few trail by less than 500 and may race their original: the unique wamid must hold then too.
  return [...sequence, ...pending.values()];
}

async function verifyStored(database: BenchDatabase, workspaceId: string, runId: string, acknowledged: string[]) {
  const rows = await rowsOf(database, "select provider_message_id as wamid, chat_id from messages where workspace_id = $1 and provider_message_id like $2", [
    workspaceId,
    `wamid.bench.${runId}.%`,
  ]);
  const storedWamids = new Set(rows.map((row) => String(row.wamid)));
  return {
    stored: rows.length,
    distinctStored: storedWamids.size,
    lost: acknowledged.filter((wamid) => !storedWamids.has(wamid)).length,
    chatsCreated: new Set(rows.map((row) => String(row.chat_id))).size,
  };
}

/** This database's backends plus the shared WAL writer, checkpointer and background writer. */
async function postgresPids(database: BenchDatabase): Promise<number[]> {
  const rows = await rowsOf(
    database,
    "select pid from pg_stat_activity where datname = current_database() or backend_type in ('walwriter', 'checkpointer', 'background writer')",
  );
  return rows.map((row) => Number(row.pid));
}

async function databaseCounters(database: BenchDatabase) {
  const [stats] = await rowsOf(database, "select xact_commit::bigint::text as commits from pg_stat_database where datname = current_database()");
  const [wal] = await rowsOf(database, "select wal_sync::text as syncs, wal_bytes::text as bytes from pg_stat_wal").catch(() => [undefined]);
  return { commits: Number(stats?.commits ?? 0), walSyncs: wal ? Number(wal.syncs) : null, walBytes: wal ? Number(wal.bytes) : null };
}

/** Messages per second between the 10th and 90th percentile of answer times. */
function steadyRate(answeredAt: number[]): number {
  const sorted = [...answeredAt].sort((a, b) => a - b);
  const from = sorted[Math.floor(sorted.length * 0.1)];
  const to = sorted[Math.floor(sorted.length * 0.9)];
  if (from === undefined || to === undefined || to <= from) return Number.NaN;
  return (Math.floor(sorted.length * 0.9) - Math.floor(sorted.length * 0.1)) / ((to - from) / 1000);
}
