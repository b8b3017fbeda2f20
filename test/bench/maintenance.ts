// The embedded database's maintenance (server/datadir/maintenance.ts), measured two ways:
// 1. Growth through the API: workspaces grown from 500 to 5,000 chats by customer messages sent
//    to `POST /whatsapp-accounts/:id/sandbox/inbound` (no seed, no VACUUM ANALYZE), on PGlite
//    with the maintenance off and on and on PostgreSQL, each in its own process
//    (maintenance-worker.ts) stepping through the same phases together; the Owner's `GET /chats`
//    p50 at 500 and at 5,000.
// 2. The cost of a maintenance pass at 100k chats on PGlite (the bench seed): how long each part
//    takes and what requests sent meanwhile wait.
import { type ChildProcess, fork } from "node:child_process";
import os from "node:os";
import { analyzeCheckMs, analyzeStaleTables, startMaintenance, vacuumTables } from "../../server/datadir/maintenance";
import { issueToken } from "../../server/identity/tokens";
import { type InProcessApp, startInProcessApp } from "./app-host";
import { type BenchDatabase, type EngineName, openBenchDatabase } from "./engines";
import { type HttpClient, httpClient } from "./http-client";
import { benchCallers, memberId } from "./layout";
import { describeMachine, type MachineInfo } from "./machine";
import { seedWorkspace } from "./seed";
import { rowsOf } from "./sessions";
import { type LatencySummary, milliseconds, summarize } from "./stats";

export type MaintenanceBenchOptions = {
  log: (message: string) => void;
  /** Chats before and after the growth. */
  from: number;
  to: number;
  /** Chats of the seeded workspace a maintenance pass is timed on. */
  passChats: number;
  warmup: number;
  timedRequests: number;
  /** Whether to include PostgreSQL in the growth comparison. */
  withPostgres: boolean;
};

export type VariantKey = "pglite_off" | "pglite_on" | "postgres";
const variantLabels: Record<VariantKey, string> = {
  pglite_off: "PGlite, maintenance off",
  pglite_on: "PGlite, maintenance on (as `npm start` runs it)",
  postgres: "PostgreSQL (the server's own settings)",
};
const ratioTarget = 1.5;
const sandboxAccounts = 4;
const listPath = "/chats?limit=50";

export type GrowthTarget = {
  key: VariantKey;
  engine: EngineName;
  database: BenchDatabase;
  app: InProcessApp;
  client: HttpClient;
  token: string;
  accounts: string[];
};
/** One measurement of one variant: the Owner's first page, and what the planner believed the chats table held. */
export type GrowthPoint = LatencySummary & { chats: number; estimatedChats: number; analyzedChats: number };
export type GrowthResult = { key: VariantKey; label: string; atStart: GrowthPoint; rightAfter: GrowthPoint; settled: GrowthPoint; growthSeconds: number };
export type PassPhase = { label: string; seconds: number; requests: LatencySummary; detail: string };
export type MaintenanceBenchmark = {
  startedAt: Date;
  machine: MachineInfo;
  autovacuum: string;
  from: number;
  to: number;
  settleSeconds: number;
  growth: GrowthResult[];
  passChats: number;
  passMessages: number;
  pass: PassPhase[];
  loadAverageAtEnd: string;
};

const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" / ");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runMaintenanceBenchmark(options: MaintenanceBenchOptions): Promise<MaintenanceBenchmark> {
  const startedAt = new Date();
  const machine = await describeMachine(options.withPostgres);
  const { log } = options;
  const keys: VariantKey[] = options.withPostgres ? ["pglite_off", "pglite_on", "postgres"] : ["pglite_off", "pglite_on"];
  // The timer checks every analyzeCheckMs: after a growth every variant idles as long, so the
  // maintenance has had its minute (and PostgreSQL's autovacuum its naptime) before measuring.
  const settleMs = analyzeCheckMs + 5_000;
  // One process per variant (and one for the pass): each has a Node thread of its own, as a
  // server would, and on a shared machine each gets its own share of the cores.
  const workers = keys.map(() => startWorker());
  const passWorker = startWorker();
  try {
    // Its failure is reported in the section, not thrown while the growth is still under way.
    const passing = passWorker
      .call<{ pass: PassPhase[]; messages: number }>({ kind: "pass", chats: options.passChats, warmup: options.warmup })
      .catch((error: unknown) => ({ pass: [] as PassPhase[], messages: 0, error: String(error) }));
    await Promise.all(workers.map((worker, index) => worker.call({ kind: "open", key: keys[index] })));
    const autovacuum = (await Promise.all(workers.map((worker) => worker.call<string | undefined>({ kind: "autovacuum" })))).find(Boolean);
    const step = <T>(command: WorkerCommand) => Promise.all(workers.map((worker) => worker.call<T>(command)));
    const measureAll = () => step<GrowthPoint>({ kind: "measure", warmup: options.warmup, timedRequests: options.timedRequests });
    log(`maintenance: growing ${keys.join(", ")} to ${options.from} chats through the API (one process each)`);
    await step({ kind: "grow", from: 0, to: options.from });
    log(`maintenance: idling ${settleMs / 1000} s (one maintenance check), then measuring at ${options.from}`);
    await sleep(settleMs);
    const atStart = await measureAll();
    log(`maintenance: growing to ${options.to} chats through the API`);
    const growthStarted = performance.now();
    await step({ kind: "grow", from: options.from, to: options.to });
    const growthSeconds = (performance.now() - growthStarted) / 1000;
    log(`maintenance: grown in ${growthSeconds.toFixed(0)} s; measuring right away, then after ${settleMs / 1000} s idle`);
    const rightAfter = await measureAll();
    await sleep(settleMs);
    const settled = await measureAll();
    await step({ kind: "close" });
    const growth = keys.map((key, index) => ({
      key,
      label: variantLabels[key],
      atStart: atStart[index] as GrowthPoint,
      rightAfter: rightAfter[index] as GrowthPoint,
      settled: settled[index] as GrowthPoint,
      growthSeconds,
    }));
    log("maintenance: waiting for the pass at 100k");
    const passed = await passing;
    const { pass, messages } = passed;
    if ("error" in passed) log(`maintenance: the pass failed: ${passed.error}`);
    return {
      startedAt,
      machine,
      autovacuum: autovacuum ?? "not measured",
      from: options.from,
      to: options.to,
      settleSeconds: settleMs / 1000,
      growth,
      passChats: options.passChats,
      passMessages: messages,
      pass,
      loadAverageAtEnd: loadAverage(),
    };
  } finally {
    for (const worker of [...workers, passWorker]) worker.stop();
  }
}

export type WorkerCommand =
  | { kind: "open"; key: VariantKey | undefined }
  | { kind: "autovacuum" }
  | { kind: "grow"; from: number; to: number }
  | { kind: "measure"; warmup: number; timedRequests: number }
  | { kind: "close" }
  | { kind: "pass"; chats: number; warmup: number };
export type WorkerReply = { id: number; result?: unknown; error?: string };

/** A maintenance-worker.ts process, one command at a time. */
function startWorker() {
  const child: ChildProcess = fork(new URL("./maintenance-worker.ts", import.meta.url).pathname, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on("message", (reply: WorkerReply) => {
    const entry = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error !== undefined) entry?.reject(new Error(reply.error));
    else entry?.resolve(reply.result);
  });
  child.on("exit", (code) => {
    for (const entry of waiting.values()) entry.reject(new Error(`maintenance worker exited with ${code}`));
    waiting.clear();
  });
  return {
    call<T = unknown>(command: WorkerCommand): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, command });
      });
    },
    stop() {
      if (child.exitCode === null) child.kill();
    },
  };
}

/** A fresh database and app, an Owner signed up through the API, and sandbox numbers to receive on. */
export async function openGrowthTarget(key: VariantKey): Promise<GrowthTarget> {
  const engine: EngineName = key === "postgres" ? "postgres" : "pglite";
  const database = await openBenchDatabase(engine, `growth_${key}`);
  // Sandbox numbers take simulated customer messages (off in production unless asked for).
  const app = await startInProcessApp(database, { SANDBOX_PROVIDER: "on" });
  if (key === "pglite_on" && database.pglite) startMaintenance(app.services, database.pglite);
  const client = httpClient(app.url, 1);
  const signup = await postJson(client, "/signup", null, {
    workspaceName: "Growth",
    name: "Olive Owner",
    email: `owner.${key}@growth.test`,
    password: "a long enough passphrase",
  });
  const token = signup.token as string;
  const accounts: string[] = [];
  for (let index = 0; index < sandboxAccounts; index++) {
    const created = await postJson(client, "/whatsapp-accounts", token, {
      provider: "sandbox",
      phoneNumber: `+1 415 555 ${String(100 + index).padStart(4, "0")}`,
    });
    accounts.push((created.account as { id: string }).id);
  }
  return { key, engine, database, app, client, token, accounts };
}

/** Customers `from`…`to - 1` each write once: one new contact and chat per request, every variant in turn. */
export async function grow(targets: GrowthTarget[], from: number, to: number) {
  for (let customer = from; customer < to; customer++) {
    for (const target of targets) {
      const account = target.accounts[customer % target.accounts.length] as string;
      // A customer whose message was lost writes again (a repeat lands in the same chat).
      await retried(() =>
        postJson(target.client, `/whatsapp-accounts/${account}/sandbox/inbound`, target.token, {
          from: `+49151${String(12_000_000 + customer)}`,
          text: `Hello, this is customer ${customer}`,
        }),
      );
    }
  }
}

/** The Owner's first page, interleaved over the variants so load weighs on each alike. */
export async function measure(targets: GrowthTarget[], options: Pick<MaintenanceBenchOptions, "warmup" | "timedRequests">): Promise<GrowthPoint[]> {
  const samples = targets.map(() => [] as number[]);
  for (let index = 0; index < options.warmup + options.timedRequests; index++) {
    for (const [position, target] of targets.entries()) {
      const started = performance.now();
      const reply = await retried(() => target.client.get(listPath, target.token));
      const elapsed = performance.now() - started;
      if (reply.status !== 200) throw new Error(`GET ${listPath} answered ${reply.status}: ${reply.text.slice(0, 200)}`);
      if (index >= options.warmup) samples[position]?.push(elapsed);
    }
  }
  const points: GrowthPoint[] = [];
  for (const [position, target] of targets.entries()) {
    const [row] = await rowsOf(
      target.database,
      `select (select count(*) from chats)::int as chats, (select reltuples from pg_class where relname = 'chats')::int as estimated,
        (select analyze_count::int from pg_stat_user_tables where relname = 'chats') as analyzed`,
    );
    points.push({
      ...summarize(samples[position] ?? []),
      chats: Number(row?.chats),
      estimatedChats: Number(row?.estimated),
      analyzedChats: Number(row?.analyzed),
    });
  }
  return points;
}

/** A maintenance pass at `passChats` on PGlite, with the Owner's first page requested throughout. */
export async function measurePass(options: Pick<MaintenanceBenchOptions, "passChats" | "warmup">): Promise<{ pass: PassPhase[]; messages: number }> {
  const workspaceId = "ws_bench_maintenance";
  const database = await openBenchDatabase("pglite", `maintenance_${options.passChats}`);
  const pglite = database.pglite;
  if (!pglite) throw new Error("not PGlite");
  try {
    const seed = await seedWorkspace(database, options.passChats, workspaceId);
    const app = await startInProcessApp(database);
    const client = httpClient(app.url, 1);
    try {
      const owner = benchCallers.find((caller) => caller.key === "owner");
      const { token } = await issueToken(database.db, {
        workspaceId,
        memberId: memberId(owner?.memberIndex ?? 0),
        kind: "personal",
        name: "bench maintenance",
      });
      const tables = (await pglite.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by 1")).rows.map(
        (row) => row.name,
      );
      const pass: PassPhase[] = [];
      const phase = async (label: string, work: () => Promise<string>) => {
        const result = await duringRequests(client, token, options.warmup, work);
        pass.push({ label, ...result });
      };
      await phase("idle (no maintenance running)", async () => {
        await sleep(5_000);
        return "5 s of requests";
      });
      await phase("check, nothing over the threshold (the minute's usual pass)", async () => {
        const analyzed = await analyzeStaleTables(pglite);
        return `analyzed: ${analyzed.length === 0 ? "none" : analyzed.join(", ")}`;
      });
      await phase(`ANALYZE of every table, one at a time (a pass where all ${tables.length} are over the threshold)`, async () => {
        const slowest = await timeEach(tables, (table) => pglite.exec(`analyze "${table}"`));
        return `slowest: ${slowest.table} ${slowest.seconds.toFixed(2)} s`;
      });
      await phase(`VACUUM, table by table (the daily pass, vacuumTables)`, async () => {
        await vacuumTables(pglite);
        return `${tables.length} tables`;
      });
      return { pass, messages: seed.messages };
    } finally {
      client.close();
      await app.close();
    }
  } finally {
    await database.dispose();
  }
}

async function timeEach(tables: string[], work: (table: string) => Promise<unknown>) {
  let slowest = { table: "", seconds: 0 };
  for (const table of tables) {
    // Between tables the event loop turns, as analyzeStaleTables lets requests in.
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    await work(table);
    const seconds = (performance.now() - started) / 1000;
    if (seconds > slowest.seconds) slowest = { table, seconds };
  }
  return slowest;
}

/** Runs `work` while one request at a time asks for the Owner's first page; times both. */
async function duringRequests(client: HttpClient, token: string, warmup: number, work: () => Promise<string>) {
  for (let index = 0; index < warmup; index++) await client.get(listPath, token);
  const samples: number[] = [];
  let done = false;
  const requests = (async () => {
    // At least one request, so a pass shorter than a request still shows what one waited.
    do {
      const started = performance.now();
      const reply = await retried(() => client.get(listPath, token));
      if (reply.status !== 200) throw new Error(`GET ${listPath} answered ${reply.status}`);
      samples.push(performance.now() - started);
    } while (!done);
  })();
  const started = performance.now();
  const detail = await work();
  const seconds = (performance.now() - started) / 1000;
  done = true;
  await requests;
  return { seconds, requests: summarize(samples), detail };
}

/**
 * Retries a request a socket reset or a 5xx ended, up to three times: on a machine shared with
 * other work a keep-alive socket can close under a request, and a PostgreSQL connection can be
 * ended by someone else's test; the growth should outlast both rather than start over.
 */
async function retried<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= 3) throw error;
      await sleep(200 * attempt);
    }
  }
}

async function postJson(client: HttpClient, path: string, token: string | null, body: unknown): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const reply = await client.post(path, headers, Buffer.from(JSON.stringify(body)));
  if (reply.status !== 201 && reply.status !== 200) throw new Error(`POST ${path} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  return JSON.parse(reply.text) as Record<string, unknown>;
}

/** The section for RESULTS.md. */
export function renderMaintenanceSection(result: MaintenanceBenchmark): string {
  const ratio = (entry: GrowthResult, point: GrowthPoint) => point.p50 / entry.atStart.p50;
  const growthRows = result.growth.flatMap((entry) =>
    (
      [
        [`${result.from.toLocaleString("en")}`, entry.atStart],
        [`${result.to.toLocaleString("en")}, right after the growth`, entry.rightAfter],
        [`${result.to.toLocaleString("en")}, after ${result.settleSeconds} s idle`, entry.settled],
      ] as const
    ).map(([when, point], index) =>
      [
        entry.label,
        when,
        point.chats.toLocaleString("en"),
        `${point.estimatedChats.toLocaleString("en")} (${point.analyzedChats}×)`,
        point.count,
        milliseconds(point.p50),
        milliseconds(point.p99),
        milliseconds(point.max),
        index === 0 ? "—" : `${ratio(entry, point).toFixed(2)}×`,
        index === 2 ? (entry.key === "pglite_on" ? (ratio(entry, point) <= ratioTarget ? "PASS" : "MISS") : "(comparison)") : "",
      ].join(" | "),
    ),
  );
  const passRows = result.pass.map((phase) =>
    [
      phase.label,
      `${phase.seconds.toFixed(phase.seconds < 1 ? 3 : 1)} s`,
      phase.requests.count,
      milliseconds(phase.requests.p50),
      milliseconds(phase.requests.p99),
      milliseconds(phase.requests.max),
      phase.detail,
    ].join(" | "),
  );
  const { machine } = result;
  return [
    "## Maintenance of the embedded database (statistics as chats grow; the cost of a pass)",
    "",
    `Measured ${result.startedAt.toISOString()} by \`BENCH_MAINTENANCE=only npm run bench\` (test/bench/maintenance.ts) on ${machine.cpuModel}, nproc ${machine.nproc}, ${machine.memory}; Node ${machine.node}; ${machine.pglite}; ${machine.postgres} (${result.autovacuum}). Load average at start → end: ${machine.loadAverage} → ${result.loadAverageAtEnd}.`,
    "",
    `**Growth through the API.** Each variant is a fresh database and the real app in-process; an Owner signs up through \`POST /signup\`, connects ${sandboxAccounts} sandbox numbers, and customers write in through \`POST /whatsapp-accounts/:id/sandbox/inbound\` — one new contact, chat and message (with its activity-log entry) per request, no seed and no \`VACUUM ANALYZE\` — to ${result.from.toLocaleString("en")} chats, then to ${result.to.toLocaleString("en")} (${result.growth[0]?.growthSeconds.toFixed(0)} s for the slowest; each variant runs in a process of its own, the variants at the same time and stepping through the phases together). *Maintenance on* is \`startMaintenance\` as \`npm start\` runs it (the autovacuum rule checked every ${analyzeCheckMs / 1000} s); *off* is the app without it. Before each measurement but the one right after the growth, every variant idles ${result.settleSeconds} s — one maintenance check (and one autovacuum naptime). The Owner's \`GET /chats?limit=50\` (first page): ${result.growth[0]?.atStart.count} timed requests after warm-up, one at a time in each variant, the variants at the same time. *chats estimated* is \`pg_class.reltuples\` (−1: never analyzed) and how many times the table was analyzed. Target: p50 at ${result.to.toLocaleString("en")} within ${ratioTarget}× of p50 at ${result.from.toLocaleString("en")} with maintenance on.`,
    "",
    "| variant | at | chats | chats estimated (analyzed) | count | p50 ms | p99 ms | max ms | p50 ratio | target |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...growthRows.map((row) => `| ${row} |`),
    "",
    `**A maintenance pass at ${result.passChats.toLocaleString("en")} chats** (PGlite, the bench seed: ${result.passMessages.toLocaleString("en")} messages). PGlite runs each statement on the Node thread that serves requests, so a request waits for the statement running when it arrives: the requests column is the Owner's first page, asked one at a time for as long as the phase runs.`,
    "",
    "| phase | duration | requests | p50 ms | p99 ms | max ms | detail |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ...passRows.map((row) => `| ${row} |`),
    "",
  ].join("\n");
}
