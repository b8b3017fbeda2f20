// The chat search (`GET /chats?q=`) at the bench's sizes (issue 14, item 3). Part of `npm run bench`
// through runSearchBenchmark / searchTargetRows / renderSearchSection, and runnable on its own:
// `tsx test/bench/search.ts` prints the table and the section. Knobs when alone: SEARCH_SIZES
// (default 1k,100k), BENCH_ENGINES (default postgres,pglite), BENCH_REQUESTS per query (default 40);
// BENCH_KEEP=1 keeps the PostgreSQL databases and SEARCH_REUSE=1 measures a kept one again without
// seeding (after a change, for a before/after on the same data).
import { pathToFileURL } from "node:url";
import { openDatabase } from "../../server/db/client";
import { issueToken } from "../../server/identity/tokens";
import { searchWalkBounds } from "../../server/inbox/routes";
import { startInProcessApp } from "./app-host";
import { adminDatabaseUrl, type BenchDatabase, type EngineName, engineNames, openBenchDatabase, withDatabase } from "./engines";
import { httpClient } from "./http-client";
import { benchCallers, memberId } from "./layout";
import { describeMachine, type MachineInfo } from "./machine";
import { seedWorkspace } from "./seed";
import { type LatencySummary, milliseconds, summarize } from "./stats";

/** The target (issue 14): a search's p99 under this at 100k chats, on PostgreSQL; PGlite reported against the same figure. */
export const searchTargets = { p99Milliseconds: 100, chats: 100_000 };

// What members type: a first name, a surname, a word of a message, a rare message token (the
// seed's "#NNNNN" suffix), a whole phone number as typed, a few digits of one, a 2-letter prefix.
export const searchQueries = [
  { key: "name", q: "Fatima" },
  { key: "surname", q: "okafor" },
  { key: "common word", q: "invoice" },
  { key: "rare text", q: "#4242" },
  { key: "no hit", q: "zebra" },
  { key: "phone typed", q: "+1 310 200 4242" },
  { key: "phone digits", q: "2004242" },
  { key: "2 chars", q: "ok" },
] as const;

const workspaceId = "ws_bench";
const pageLimit = 50;
const owner = benchCallers.find((caller) => caller.key.toLowerCase().includes("owner")) ?? benchCallers[0];
const agent = benchCallers.find((caller) => caller.key.toLowerCase().includes("agent")) ?? benchCallers[1];
const engineLabel = (engine: EngineName) => (engine === "postgres" ? "PostgreSQL" : "PGlite");

const parseSize = (text: string) => Math.round(Number.parseFloat(text) * (text.endsWith("m") ? 1e6 : text.endsWith("k") ? 1e3 : 1));

export type SearchOptions = {
  log: (message: string) => void;
  /** Default: both engines. */
  engines?: readonly EngineName[];
  /** Size labels ("1k", "100k"); default 1k and 100k. */
  sizes?: readonly string[];
  /** Timed requests per query and caller (after 3 warm-up ones), each row capped at 60 s; default 40. */
  requests?: number;
  /** Measure the kept PostgreSQL database (BENCH_KEEP=1) instead of seeding one. */
  reuse?: boolean;
};

export type SearchRow = {
  engine: EngineName;
  chats: number;
  /** Messages seeded; null when a kept database was measured. */
  messages: number | null;
  caller: string;
  queryKey: string;
  q: string;
  latency: LatencySummary;
  /** Chats on the first page. */
  hits: number;
};

export type SearchResult = {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  requests: number;
  walkBound: { indexed: number; short: number };
  seeds: { engine: EngineName; chats: number; messages: number; seconds: number }[];
  rows: SearchRow[];
};

/** Seeds (or reopens) each engine × size, starts the app in process and times every query for the Owner and an Agent. */
export async function runSearchBenchmark(options: SearchOptions): Promise<SearchResult> {
  const { log } = options;
  const engines = options.engines ?? engineNames;
  const sizes = (options.sizes ?? ["1k", "100k"]).map((label) => ({ label, chats: parseSize(label) }));
  const requests = options.requests ?? 40;
  const startedAt = new Date().toISOString();
  const machine = await describeMachine(engines.includes("postgres"));
  const seeds: SearchResult["seeds"] = [];
  const rows: SearchRow[] = [];
  for (const engine of engines) {
    for (const size of sizes) {
      const reused = options.reuse === true && engine === "postgres";
      const database: BenchDatabase = reused
        ? {
            ...(await openDatabase({ databaseUrl: withDatabase(adminDatabaseUrl, `switchboard_bench_${size.label}`), poolSize: 10 })),
            label: size.label,
            dispose: async () => undefined,
          }
        : await openBenchDatabase(engine, size.label);
      const seeded = reused ? null : await seedWorkspace(database, size.chats, workspaceId);
      if (seeded) {
        seeds.push({ engine, chats: seeded.chats, messages: seeded.messages, seconds: seeded.seconds });
        log(`search: seeded ${engine} ${size.label}: ${seeded.chats} chats, ${seeded.messages} messages in ${seeded.seconds.toFixed(0)} s`);
      }
      try {
        rows.push(...(await measureSearchOn(database, { engine, chats: size.chats, messages: seeded?.messages ?? null, workspaceId }, requests, log)));
      } finally {
        await database.dispose();
      }
    }
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadAverage: `${machine.loadAverage} → ${await loadNow()}` },
    requests,
    walkBound: searchWalkBounds,
    seeds,
    rows,
  };
}

/** Times every search query for the Owner and an Agent on one seeded database (its own in-process app). */
export async function measureSearchOn(
  database: BenchDatabase,
  target: { engine: EngineName; chats: number; messages: number | null; workspaceId: string },
  requests: number,
  log: (message: string) => void,
): Promise<SearchRow[]> {
  const rows: SearchRow[] = [];
  const app = await startInProcessApp(database);
  const client = httpClient(app.url, 1);
  try {
    for (const caller of [owner, agent]) {
      if (!caller) continue;
      const { token } = await issueToken(database.db, {
        workspaceId: target.workspaceId,
        memberId: memberId(caller.memberIndex),
        kind: "personal",
        name: `search ${caller.key}`,
      });
      for (const query of searchQueries) {
        const path = `/chats?limit=${pageLimit}&q=${encodeURIComponent(query.q)}`;
        let hits = 0;
        for (let i = 0; i < 3; i++) {
          const reply = await client.get(path, token);
          if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${reply.text}`);
          hits = (JSON.parse(reply.text) as { data: unknown[] }).data.length;
        }
        const samples: number[] = [];
        const deadline = performance.now() + 60_000;
        for (let i = 0; i < requests && performance.now() < deadline; i++) {
          const started = performance.now();
          await client.get(path, token);
          samples.push(performance.now() - started);
        }
        const row: SearchRow = {
          engine: target.engine,
          chats: target.chats,
          messages: target.messages,
          caller: caller.key,
          queryKey: query.key,
          q: query.q,
          latency: summarize(samples),
          hits,
        };
        rows.push(row);
        log(`search: ${tableRow(row)}`);
      }
    }
  } finally {
    client.close();
    await app.close();
  }
  return rows;
}

export async function loadNow(): Promise<string> {
  const os = await import("node:os");
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" / ");
}

const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
const table = (header: string[], rows: (string | number)[][]) => [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
const verdict = (pass: boolean) => (pass ? "**PASS**" : "**MISS**");
const callerLabel = (key: string) => benchCallers.find((caller) => caller.key === key)?.label ?? key;
const queryLabel = (entry: { q: string; queryKey: string }) => `\`${entry.q}\` (${entry.queryKey})`;
const sizeText = (chats: number) => (chats >= 1000 && chats % 1000 === 0 ? `${chats / 1000}k` : String(chats));

const detailHeader = ["engine", "chats", "messages", "caller", "query", "p50 ms", "p99 ms", "max ms", "timed", "hits (first page)"];
const tableRow = (entry: SearchRow) =>
  row([
    engineLabel(entry.engine),
    entry.chats.toLocaleString("en"),
    entry.messages === null ? "(kept)" : entry.messages.toLocaleString("en"),
    callerLabel(entry.caller),
    queryLabel(entry),
    milliseconds(entry.latency.p50),
    milliseconds(entry.latency.p99),
    milliseconds(entry.latency.max),
    entry.latency.count,
    entry.hits,
  ]);

/** Rows for the Targets table (target, engine, caller, request, figures, ratio, result): each query × caller at 100k, per engine. */
export function searchTargetRows(result: SearchResult): (string | number)[][] {
  return result.rows
    .filter((entry) => entry.chats === searchTargets.chats && entry.latency.count > 0)
    .map((entry) => {
      const ratio = entry.latency.p99 / searchTargets.p99Milliseconds;
      return [
        `search p99 < ${searchTargets.p99Milliseconds} ms (${sizeText(searchTargets.chats)})`,
        entry.engine,
        callerLabel(entry.caller),
        `GET /chats?q=${entry.q} (${entry.queryKey}, ${entry.hits} on the first page)`,
        `p99 ${milliseconds(entry.latency.p99)} ms (p50 ${milliseconds(entry.latency.p50)})`,
        `${ratio.toFixed(2)}× of budget`,
        verdict(entry.latency.p99 < searchTargets.p99Milliseconds),
      ];
    });
}

/** The RESULTS.md section: how it was measured, the strategy, the targets and every row. */
export function renderSearchSection(result: SearchResult): string {
  const targetRows = searchTargetRows(result);
  const misses = targetRows.filter((entry) => entry.at(-1) === verdict(false)).length;
  const { machine } = result;
  const seeded = result.seeds.map(
    (seed) => `${seed.engine} ${seed.chats.toLocaleString("en")} chats / ${seed.messages.toLocaleString("en")} messages in ${seed.seconds.toFixed(0)} s`,
  );
  return `## Chat search (\`GET /chats?q=\`)

Measured ${result.startedAt} → ${result.finishedAt} by \`test/bench/search.ts\` (part of \`npm run bench\`; alone: \`tsx test/bench/search.ts\`) on ${machine.cpuModel}, nproc ${machine.nproc}, ${machine.memory}; Node ${machine.node}; ${machine.pglite}${machine.postgres === "not measured" ? "" : `; ${machine.postgres}`}. Load average (1/5/15 min) start → end: ${machine.loadAverage}; the machine is shared, so absolute figures move with that load. The bench seed (\`seed.ts\`${seeded.length > 0 ? `: ${seeded.join("; ")}` : ", a kept database"}), the real app in process, \`GET /chats?limit=${pageLimit}&q=…\` one request at a time: 3 warm-up then up to ${result.requests} timed requests per row (each row capped at 60 s), nearest-rank p50/p99. Callers: ${callerLabel(owner?.key ?? "owner")} (sees every chat) and ${callerLabel(agent?.key ?? "agent")} (scope "own": the chats of the account they connected or where they are responsible). The seed names chats from 20 first names × 20 surnames (\`Fatima\` matches 1 chat in 20); each message is one of 8 phrases plus \` #NNNNN\` (\`invoice\` is in 1 message in 8, so in most chats; \`#4242\` in ~10 messages).

How a search runs (server/inbox/routes.ts, \`chatListCandidates\`): each arm of the caller's scope (one for the Owner; the Agent's accounts and "responsible" arms) first walks its newest ${result.walkBound.indexed} chats (${result.walkBound.short} for 1–2 characters) past the cursor in the list's order, through its activity index, and tests each one row by row (name, number, and from 3 characters any message's text); when that finds a page (51 chats), the page is exact, as it is when the arm has fewer chats than that. Otherwise the arm's page is read the indexed way as well: for 3+ characters the chats that match through the trigram GIN indexes (contact name and phone, message text) within the same scope, order and keyset; 1–2 characters can't use trigrams and match names and numbers only (message text from 3 characters), row by row over the arm's chats. A common word fills the page within ~70 chats; a rare one pays the bounded walk and then the indexes.

**Target: search p99 < ${searchTargets.p99Milliseconds} ms at ${sizeText(searchTargets.chats)} chats** on PostgreSQL (PGlite reported with its own verdict against the same figure): ${targetRows.length === 0 ? `not measured at ${sizeText(searchTargets.chats)}.` : misses === 0 ? `all ${targetRows.length} rows met.` : `${misses} of ${targetRows.length} rows missed.`}

${targetRows.length > 0 ? `${table(["target", "engine", "caller", "request", "figures", "ratio", "result"], targetRows)}\n\n` : ""}Every row:

${[row(detailHeader), row(detailHeader.map((_, index) => (index === 1 || index === 2 || index >= 5 ? "---:" : "---"))), ...result.rows.map(tableRow)].join("\n")}
`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const log = (message: string) => console.error(`[search ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}`);
  runSearchBenchmark({
    log,
    engines: (process.env.BENCH_ENGINES ?? engineNames.join(",")).split(",").map((text) => text.trim()) as EngineName[],
    sizes: (process.env.SEARCH_SIZES ?? "1k,100k").split(",").map((text) => text.trim()),
    requests: Number(process.env.BENCH_REQUESTS ?? 40),
    reuse: process.env.SEARCH_REUSE === "1",
  }).then(
    (result) => {
      console.log(renderSearchSection(result));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
