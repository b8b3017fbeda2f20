// Just the ingestion run (test/bench/ingest.ts) against PostgreSQL: the app and, unless
// BENCH_PROTOTYPE=off, the prototype's two modes on the same database, printed as one table.
// `npx tsx test/bench/ingest-only.ts` (BENCH_SIZES picks the seeded workspace, 1k by default).
import { openBenchDatabase } from "./engines";
import { runIngest } from "./ingest";
import { profileIngest } from "./ingest-profile";
import { seedWorkspace } from "./seed";
import { settings, sizeLabel } from "./settings";

const chats = process.env.BENCH_SIZES ? (settings.sizes.at(-1) ?? 1000) : 1000;
const label = sizeLabel(chats);
const workspaceId = `ws_bench_${label}`;
const database = await openBenchDatabase("postgres", `ingest_${label}`);
try {
  await seedWorkspace(database, chats, workspaceId);
  const targets = [{ name: "app (server/main.ts)", entry: "server/main.ts", environment: {} as Record<string, string> }];
  if (settings.ingest.prototype)
    for (const mode of ["statement", "batch"])
      targets.push({ name: `prototype ${mode}`, entry: "test/bench/prototype-ingest-server.ts", environment: { PROTOTYPE_MODE: mode } });
  if (process.env.BENCH_INGEST_PROFILE === "on") {
    // One webhook at a time through the in-process app: statements per webhook and where the Node thread's time goes.
    const profile = await profileIngest(database, workspaceId, settings.ingest.profileSamples);
    for (const path of profile.paths) {
      console.log(`${path.label}: ${path.queriesPerMessage.toFixed(1)} round trips, p50 ${path.requestP50.toFixed(1)} ms`);
      for (const statement of path.statements)
        console.log(`  ${statement.perMessage.toFixed(2)} × ${statement.meanMilliseconds.toFixed(2)} ms  ${statement.statement}`);
    }
    for (const bucket of profile.cpu) console.log(`  cpu ${JSON.stringify(bucket)}`);
  }
  console.log("| server | messages/s | steady/s | p50 / p99 ms | non-200 | lost / duplicated | chats |");
  for (const [index, target] of targets.entries()) {
    const result = await runIngest(database, workspaceId, {
      ...settings.ingest,
      entry: target.entry,
      environment: target.environment,
      contactOffset: 1_000_000 * index,
    });
    const latency = result.requestLatency;
    console.log(
      `| ${target.name} | ${result.messagesPerSecond.toFixed(0)} | ${result.steadyMessagesPerSecond.toFixed(0)} | ${latency.p50.toFixed(1)} / ${latency.p99.toFixed(1)} | ${result.non200}${result.firstFailure ? ` (${result.firstFailure})` : ""} | ${result.lost} / ${result.duplicated} | ${result.chatsCreated} |`,
    );
  }
} finally {
  await database.dispose();
}
