import { type EngineName, engineNames } from "./engines";

// The benchmark's knobs. test/ code reads process.env directly (server/config.ts is the app's
// one reader; the bench is not the app).

const environment = process.env;

function parseSize(text: string): number {
  const match = text
    .trim()
    .toLowerCase()
    .match(/^(\d+(?:\.\d+)?)(k|m)?$/);
  if (!match) throw new Error(`BENCH_SIZES: "${text}" is not a size like 1k or 100000`);
  const multiplier = match[2] === "k" ? 1_000 : match[2] === "m" ? 1_000_000 : 1;
  return Math.round(Number(match[1]) * multiplier);
}

const numberFrom = (name: string, fallback: number) => {
  const value = environment[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name}: "${value}" is not a positive number`);
  return parsed;
};

export const sizeLabel = (chats: number) => (chats % 1000 === 0 ? `${chats / 1000}k` : String(chats));

const sizes = (environment.BENCH_SIZES ?? "1k,100k")
  .split(",")
  .filter(Boolean)
  .map(parseSize)
  .sort((a, b) => a - b);
const engines = (environment.BENCH_ENGINES ?? engineNames.join(",")).split(",").map((name) => name.trim()) as EngineName[];
for (const engine of engines) if (!engineNames.includes(engine)) throw new Error(`BENCH_ENGINES: unknown engine "${engine}" (use ${engineNames.join(", ")})`);

export const settings = {
  sizes,
  engines,
  latency: {
    warmup: numberFrom("BENCH_WARMUP", 20),
    timedRequests: numberFrom("BENCH_REQUESTS", 200),
    secondsPerCase: numberFrom("BENCH_CASE_SECONDS", 30),
  },
  ingest: {
    enabled: environment.BENCH_INGEST !== "off" && engines.includes("postgres"),
    messages: numberFrom("BENCH_INGEST_MESSAGES", 20_000),
    contacts: numberFrom("BENCH_INGEST_CONTACTS", 5_000),
    concurrency: numberFrom("BENCH_INGEST_CONCURRENCY", 64),
    processes: numberFrom("BENCH_INGEST_PROCESSES", 2),
    redeliveryShare: 0.01,
    secondsCap: numberFrom("BENCH_INGEST_SECONDS", 120),
    // Below Linux's ephemeral range (32768+), where test servers on random ports land.
    basePort: numberFrom("BENCH_INGEST_PORT", 21_100),
    profileSamples: numberFrom("BENCH_PROFILE_SAMPLES", 200),
    /** Also run the load against test/bench/prototype-ingest-server.ts (the proposed shape). */
    prototype: environment.BENCH_PROTOTYPE !== "off",
    prototypeSecondsCap: numberFrom("BENCH_PROTOTYPE_SECONDS", 45),
  },
  /** The mass-sending benchmark (test/bench/campaign.ts): PostgreSQL, with and without a kill -9. */
  campaign: { enabled: environment.BENCH_CAMPAIGN !== "off" && engines.includes("postgres") },
  /**
   * The embedded database's maintenance (test/bench/maintenance.ts): growth from 500 to 5,000 chats
   * through the API and the cost of a pass at 100k chats. `BENCH_MAINTENANCE=off` skips it; `only`
   * runs nothing else and prints the section (written to BENCH_RESULTS only when that is set).
   */
  maintenance: {
    enabled: environment.BENCH_MAINTENANCE !== "off" && engines.includes("pglite"),
    only: environment.BENCH_MAINTENANCE === "only",
    from: numberFrom("BENCH_MAINTENANCE_FROM", 500),
    to: numberFrom("BENCH_MAINTENANCE_TO", 5_000),
    passChats: numberFrom("BENCH_MAINTENANCE_PASS_CHATS", 100_000),
    resultsFile: environment.BENCH_RESULTS ?? null,
  },
  /** What a chat-day's CRM logging costs per message at 50/250/500 messages (test/bench/crm-logging.ts): PostgreSQL. */
  crmLogging: { enabled: environment.BENCH_CRM_LOG !== "off" && engines.includes("postgres") },
  /**
   * Authorization overhead and requests/s against a bare Express hello-world (test/bench/authorization.ts):
   * PostgreSQL, its own seeded workspace. `BENCH_AUTHZ=off` skips it.
   */
  authorization: {
    enabled: environment.BENCH_AUTHZ !== "off" && engines.includes("postgres"),
    chats: numberFrom("BENCH_AUTHZ_CHATS", 10_000),
    warmup: numberFrom("BENCH_AUTHZ_WARMUP", 30),
    requests: numberFrom("BENCH_AUTHZ_REQUESTS", 400),
    latencySeconds: numberFrom("BENCH_AUTHZ_LATENCY_SECONDS", 90),
    concurrency: numberFrom("BENCH_AUTHZ_CONCURRENCY", 16),
    rounds: numberFrom("BENCH_AUTHZ_ROUNDS", 3),
    secondsPerRound: numberFrom("BENCH_AUTHZ_SECONDS", 5),
    basePort: numberFrom("BENCH_AUTHZ_PORT", 21_200),
  },
  /**
   * The load run (test/bench/load-run.ts): two server processes over PostgreSQL, a mix of panel
   * reads, replies and webhooks, then the same with the database's backends terminated part way.
   * `BENCH_LOAD=off` skips it.
   */
  load: {
    enabled: environment.BENCH_LOAD !== "off" && engines.includes("postgres"),
    connections: numberFrom("BENCH_LOAD_CONNECTIONS", 200),
    seconds: numberFrom("BENCH_LOAD_SECONDS", 60),
    killAt: numberFrom("BENCH_LOAD_KILL_AT", 30),
    chats: numberFrom("BENCH_LOAD_CHATS", 10_000),
    contacts: numberFrom("BENCH_LOAD_CONTACTS", 2_000),
    basePort: numberFrom("BENCH_LOAD_PORT", 21_300),
  },
  /**
   * Ingestion straight and through pgbouncer in transaction mode (test/bench/scale-out.ts):
   * PostgreSQL. `BENCH_SCALE_OUT=off` skips it.
   */
  scaleOut: {
    enabled: environment.BENCH_SCALE_OUT !== "off" && engines.includes("postgres"),
    messages: numberFrom("BENCH_SCALE_OUT_MESSAGES", 5_000),
    processes: numberFrom("BENCH_SCALE_OUT_PROCESSES", 2),
    concurrency: numberFrom("BENCH_SCALE_OUT_CONCURRENCY", 32),
    basePort: numberFrom("BENCH_SCALE_OUT_PORT", 21_400),
  },
  /** Chat search (test/bench/search.ts) on each engine × size the latency run seeded. `BENCH_SEARCH=off` skips it. */
  search: {
    enabled: environment.BENCH_SEARCH !== "off",
    requests: numberFrom("BENCH_SEARCH_REQUESTS", 40),
  },
  commitProbe: { clients: 32, seconds: 4 },
  /** The whole run is killed past this, whatever it is doing. */
  hardLimitMinutes: numberFrom("BENCH_HARD_LIMIT_MINUTES", 75),
  resultsFile: environment.BENCH_RESULTS ?? new URL("./RESULTS.md", import.meta.url).pathname,
};

export type BenchSettings = typeof settings;
