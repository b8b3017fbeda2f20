// Ingestion by two server processes, straight on PostgreSQL and then through pgbouncer in
// transaction mode (scripts/pgbouncer.mjs, started here), the processes LISTENing on PostgreSQL
// itself (DATABASE_LISTEN_URL): the same signed-webhook load as the inbox benchmark's ingestion
// (test/bench/ingest.ts), spread over the processes in turn as a round-robin proxy would.
//
//   tsx test/bench/scale-out.ts     prints one line per route and a Markdown table
//
// BENCH_DATABASE_URL as for the inbox benchmark; BENCH_SCALE_OUT_MESSAGES (default 5,000),
// BENCH_SCALE_OUT_PROCESSES (default 2) and BENCH_SCALE_OUT_CONCURRENCY (default 32) size the load.
import { startPgbouncer } from "../../scripts/pgbouncer.mjs";
import { adminDatabaseUrl, openBenchDatabase } from "./engines";
import { type IngestResult, runIngest } from "./ingest";
import { seedWorkspace } from "./seed";

const workspaceId = "ws_bench_scale_out";
const numberFrom = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const load = {
  messages: numberFrom("BENCH_SCALE_OUT_MESSAGES", 5_000),
  processes: numberFrom("BENCH_SCALE_OUT_PROCESSES", 2),
  concurrency: numberFrom("BENCH_SCALE_OUT_CONCURRENCY", 32),
};

const database = await openBenchDatabase("postgres", "scale_out");
const bouncer = await startPgbouncer({ postgresUrl: adminDatabaseUrl });
const results: { route: string; result: IngestResult }[] = [];
try {
  await seedWorkspace(database, 1_000, workspaceId);
  const routes = [
    { route: "straight to PostgreSQL", pooledDatabaseUrl: undefined },
    { route: "through pgbouncer (transaction mode)", pooledDatabaseUrl: bouncer.url(new URL(database.databaseUrl as string).pathname.slice(1)) },
  ];
  for (const [index, { route, pooledDatabaseUrl }] of routes.entries()) {
    const result = await runIngest(database, workspaceId, {
      entry: "server/main.ts",
      contactOffset: 1_000_000 * index,
      messages: load.messages,
      contacts: Math.ceil(load.messages / 4),
      concurrency: load.concurrency,
      processes: load.processes,
      redeliveryShare: 0.05,
      secondsCap: 120,
      basePort: 21_300,
      pooledDatabaseUrl,
    });
    console.log(
      `${route}: ${result.messagesPerSecond.toFixed(0)} messages/s, p50 ${result.requestLatency.p50.toFixed(1)} ms, p99 ${result.requestLatency.p99.toFixed(1)} ms, lost ${result.lost}, duplicated ${result.duplicated}, non-200 ${result.non200}${result.firstFailure ? ` (${result.firstFailure})` : ""}`,
    );
    results.push({ route, result });
  }
} finally {
  await bouncer.stop();
  await database.dispose();
}

console.log(`\n${load.messages.toLocaleString("en")} signed webhooks, ${load.concurrency} in flight, ${load.processes} server processes:\n`);
console.log("| Route | messages/s | p50 ms | p99 ms | lost | duplicated | non-200 |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const { route, result } of results) {
  const { requestLatency: latency } = result;
  console.log(
    `| ${route} | ${result.messagesPerSecond.toFixed(0)} | ${latency.p50.toFixed(1)} | ${latency.p99.toFixed(1)} | ${result.lost} | ${result.duplicated} | ${result.non200} |`,
  );
}
