// Ingestion by two server processes, straight on PostgreSQL and then through pgbouncer in
// transaction mode (scripts/pgbouncer.mjs, started here), the processes LISTENing on PostgreSQL
// itself (DATABASE_LISTEN_URL): the same signed-webhook load as the inbox benchmark's ingestion
// (test/bench/ingest.ts), spread over the processes in turn as a round-robin proxy would.
// Part of `npm run bench` (issue 14, item 5); the correctness across processes (live updates,
// login limits, campaign pacing) is test/server/scale-out/many-processes.postgres.test.ts.
//
//   tsx test/bench/scale-out.ts     prints the section
//
// BENCH_DATABASE_URL as for the inbox benchmark; BENCH_SCALE_OUT_MESSAGES (default 5,000),
// BENCH_SCALE_OUT_PROCESSES (default 2) and BENCH_SCALE_OUT_CONCURRENCY (default 32) size the load.
import { pathToFileURL } from "node:url";
import { startPgbouncer } from "../../scripts/pgbouncer.mjs";
import { adminDatabaseUrl, openBenchDatabase } from "./engines";
import { type IngestResult, runIngest } from "./ingest";
import { seedWorkspace } from "./seed";
import { settings } from "./settings";

const workspaceId = "ws_bench_scale_out";

export type ScaleOutResult = {
  load: typeof settings.scaleOut;
  routes: { route: string; result: IngestResult }[];
};

export async function runScaleOutBenchmark({ log }: { log: (message: string) => void }): Promise<ScaleOutResult> {
  const load = settings.scaleOut;
  const database = await openBenchDatabase("postgres", "scale_out");
  log("scale-out: starting pgbouncer in transaction mode (scripts/pgbouncer.mjs)");
  const bouncer = await startPgbouncer({ postgresUrl: adminDatabaseUrl });
  const routes: ScaleOutResult["routes"] = [];
  try {
    await seedWorkspace(database, 1_000, workspaceId);
    const candidates = [
      { route: "straight to PostgreSQL", pooledDatabaseUrl: undefined },
      { route: "through pgbouncer (transaction mode)", pooledDatabaseUrl: bouncer.url(new URL(database.databaseUrl as string).pathname.slice(1)) },
    ];
    for (const [index, { route, pooledDatabaseUrl }] of candidates.entries()) {
      log(`scale-out: ${load.messages} webhooks to ${load.processes} processes, ${route}`);
      const result = await runIngest(database, workspaceId, {
        entry: "server/main.ts",
        contactOffset: 1_000_000 * index,
        messages: load.messages,
        contacts: Math.ceil(load.messages / 4),
        concurrency: load.concurrency,
        processes: load.processes,
        redeliveryShare: 0.05,
        secondsCap: 120,
        basePort: load.basePort,
        pooledDatabaseUrl,
      });
      log(
        `scale-out: ${route}: ${result.messagesPerSecond.toFixed(0)} messages/s, lost ${result.lost}, duplicated ${result.duplicated}, non-200 ${result.non200}${result.firstFailure ? ` (${result.firstFailure})` : ""}`,
      );
      routes.push({ route, result });
    }
  } finally {
    await bouncer.stop();
    await database.dispose();
  }
  return { load, routes };
}

const exactlyOnce = (result: IngestResult) => result.lost === 0 && result.duplicated === 0 && result.non200 === 0;

/** Target rows in report.ts's columns: through the pooler, every webhook stored exactly once. */
export function scaleOutTargetRows({ load, routes }: ScaleOutResult): (string | number)[][] {
  const direct = routes.find(({ route }) => route.startsWith("straight"))?.result;
  return routes
    .filter(({ route }) => route.includes("pgbouncer"))
    .map(({ route, result }) => [
      "many processes through pgbouncer: every webhook stored exactly once",
      "postgres",
      `${load.processes} server processes`,
      `POST /inbound/whatsapp, ${route}`,
      `lost ${result.lost}, duplicated ${result.duplicated}, non-200 ${result.non200}; ${result.messagesPerSecond.toFixed(0)} messages/s`,
      direct ? `${(result.messagesPerSecond / direct.messagesPerSecond).toFixed(2)}× of straight` : "",
      exactlyOnce(result) ? "**PASS**" : "**MISS**",
    ]);
}

export function renderScaleOutSection({ load, routes }: ScaleOutResult): string {
  const rows = routes.map(({ route, result }) => {
    const { requestLatency: latency } = result;
    return `| ${route} | ${result.messagesPerSecond.toFixed(0)} | ${latency.p50.toFixed(1)} | ${latency.p99.toFixed(1)} | ${result.lost} | ${result.duplicated} | ${result.non200} |`;
  });
  return `## Many processes behind pgbouncer (issue 14, item 5)

\`test/bench/scale-out.ts\`: ${load.messages.toLocaleString("en")} signed webhooks (5 % delivered twice), ${load.concurrency} in flight, spread in turn over ${load.processes} \`server/main.ts\` processes as a round-robin proxy would, on a 1k-chat workspace: first with the processes straight on PostgreSQL, then with \`DATABASE_URL\` through Debian's pgbouncer in transaction mode (started by the bench, \`scripts/pgbouncer.mjs\`) and each process's LISTEN session straight on PostgreSQL (\`DATABASE_LISTEN_URL\`). What must hold across processes beyond this — a webhook to one process reaching a live stream on the other, one campaign's two dispatchers within the rate in every second, login limits shared — is proved by \`test/server/scale-out/many-processes.postgres.test.ts\` in \`npm test\` on PostgreSQL.

| route | messages/s | p50 ms | p99 ms | lost | duplicated | non-200 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}
`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const log = (message: string) => console.error(`[scale-out ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}`);
  runScaleOutBenchmark({ log }).then(
    (result) => {
      console.log(renderScaleOutSection(result));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
