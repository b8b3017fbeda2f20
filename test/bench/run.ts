// `npm run bench`: seeds each size on each engine, measures the inbox API, ingests webhooks on
// PostgreSQL, and writes test/bench/RESULTS.md. See test/bench/README.md.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { searchWalkBounds } from "../../server/inbox/routes";
import { checkWorkspaceDistribution } from "../support/workspace-distribution";
import { type AuthorizationResult, authorizationTargetRows, renderAuthorizationSection, runAuthorizationBenchmark } from "./authorization";
import { renderCampaignSection, runCampaignBenchmark } from "./campaign";
import { type CommitProbeResult, probeCommits } from "./commit-probe";
import { renderCrmLoggingSection, runCrmLoggingBenchmark } from "./crm-logging";
import { type BenchDatabase, type EngineName, openBenchDatabase } from "./engines";
import { type ExplainedQuery, explainCases } from "./explain";
import { type IngestResult, runIngest } from "./ingest";
import { type IngestProfile, profileIngest } from "./ingest-profile";
import { type LatencyResult, measureLatency } from "./latency";
import { type LoadResult, loadTargetRows, renderLoadSection, runLoadBenchmark } from "./load-run";
import { describeMachine } from "./machine";
import { renderMaintenanceSection, runMaintenanceBenchmark } from "./maintenance";
import { renderReport } from "./report";
import { renderScaleOutSection, runScaleOutBenchmark, type ScaleOutResult, scaleOutTargetRows } from "./scale-out";
import { loadNow, measureSearchOn, renderSearchSection, type SearchResult, type SearchRow, searchTargetRows } from "./search";
import { type SeedResult, seedWorkspace } from "./seed";
import { rowsOf } from "./sessions";
import { settings, sizeLabel } from "./settings";

export type SizeRun = {
  engine: EngineName;
  chats: number;
  seed: SeedResult;
  engineVersion: string;
  latency: LatencyResult[];
  explained: ExplainedQuery[];
};
export type PrototypeRun = { mode: "statement" | "batch"; result: IngestResult };
export type IngestRun = { chats: number; result: IngestResult; prototypes: PrototypeRun[]; profile: IngestProfile; commitProbe: CommitProbeResult[] };

const startedAt = new Date();
const started = performance.now();
const log = (message: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}`);

// A benchmark must end by itself: every loop is bounded, and this is the backstop.
setTimeout(() => {
  console.error(`bench: exceeded ${settings.hardLimitMinutes} minutes, giving up`);
  process.exit(2);
}, settings.hardLimitMinutes * 60_000).unref();

/** Seeds one size; the database stays open for the latency run. */
async function seedSize(engine: EngineName, chats: number): Promise<{ database: BenchDatabase; seed: SeedResult; engineVersion: string }> {
  const label = sizeLabel(chats);
  log(`${engine} ${label}: creating and migrating the database`);
  const database = await openBenchDatabase(engine, label);
  try {
    log(`${engine} ${label}: seeding ${chats} chats`);
    const seed = await seedWorkspace(database, chats, workspaceIdFor(chats));
    log(`${engine} ${label}: seeded ${seed.chats} chats, ${seed.messages} messages in ${seed.seconds.toFixed(1)}s`);
    const [version] = await rowsOf(database, "select version() as version");
    return { database, seed, engineVersion: String(version?.version ?? "").replace(/ on (x86_64|wasm32).*$/, "") };
  } catch (error) {
    await database.dispose();
    throw error;
  }
}

const workspaceIdFor = (chats: number) => `ws_bench_${sizeLabel(chats)}`;

/** Every size of one engine: seed them all, measure them interleaved, explain, ingest, drop. */
async function benchEngine(engine: EngineName): Promise<{ runs: SizeRun[]; ingest: IngestRun | null; search: SearchRow[] }> {
  const seeded: { chats: number; database: BenchDatabase; seed: SeedResult; engineVersion: string }[] = [];
  try {
    for (const chats of settings.sizes) seeded.push({ chats, ...(await seedSize(engine, chats)) });
    log(`${engine}: measuring latency (${settings.sizes.map(sizeLabel).join(" and ")} interleaved)`);
    const latency = await measureLatency(
      seeded.map((entry) => ({ label: sizeLabel(entry.chats), database: entry.database, workspaceId: workspaceIdFor(entry.chats) })),
      settings.latency,
    );
    const runs: SizeRun[] = [];
    for (const entry of seeded) {
      const results = latency.get(sizeLabel(entry.chats)) ?? [];
      const run: SizeRun = { engine, chats: entry.chats, seed: entry.seed, engineVersion: entry.engineVersion, latency: results, explained: [] };
      if (engine === "postgres" && entry === seeded.at(-1)) {
        log(`${engine} ${sizeLabel(entry.chats)}: EXPLAIN ANALYZE of each case`);
        run.explained = await explainCases(entry.database, results);
      }
      runs.push(run);
    }
    const search: SearchRow[] = [];
    if (settings.search.enabled) {
      for (const entry of seeded) {
        log(`${engine} ${sizeLabel(entry.chats)}: chat search`);
        const target = { engine, chats: entry.chats, messages: entry.seed.messages, workspaceId: workspaceIdFor(entry.chats) };
        search.push(...(await measureSearchOn(entry.database, target, settings.search.requests, () => undefined)));
      }
    }
    const largest = seeded.at(-1);
    const ingest = engine === "postgres" && settings.ingest.enabled && largest ? await benchIngest(largest.database, largest.chats) : null;
    return { runs, ingest, search };
  } finally {
    for (const entry of seeded) await entry.database.dispose();
  }
}

async function benchIngest(database: BenchDatabase, chats: number): Promise<IngestRun> {
  const workspaceId = workspaceIdFor(chats);
  log(`ingest: ${settings.ingest.messages} webhooks, ${settings.ingest.concurrency} in flight, ${settings.ingest.processes} server processes`);
  const result = await runIngest(database, workspaceId, { ...settings.ingest, entry: "server/main.ts", contactOffset: 0 });
  log(`ingest: ${result.messagesPerSecond.toFixed(0)} messages/s, lost ${result.lost}, duplicated ${result.duplicated}`);
  const prototypes: PrototypeRun[] = [];
  if (settings.ingest.prototype) {
    for (const [index, mode] of (["statement", "batch"] as const).entries()) {
      log(`ingest: the same load against the prototype, ${mode} mode (test/bench/prototype-ingest-server.ts)`);
      const prototype = await runIngest(database, workspaceId, {
        ...settings.ingest,
        secondsCap: settings.ingest.prototypeSecondsCap,
        entry: "test/bench/prototype-ingest-server.ts",
        environment: { PROTOTYPE_MODE: mode },
        contactOffset: 1_000_000 * (index + 1),
      });
      log(`ingest: prototype (${mode}) ${prototype.messagesPerSecond.toFixed(0)} messages/s, lost ${prototype.lost}, duplicated ${prototype.duplicated}`);
      prototypes.push({ mode, result: prototype });
    }
  }
  log("ingest: profiling one request at a time");
  const profile = await profileIngest(database, workspaceId, settings.ingest.profileSamples);
  log("ingest: commit probe (NOTIFY and group commit)");
  const commitProbe = await probeCommits(database, workspaceId, settings.commitProbe.clients, settings.commitProbe.seconds);
  return { chats, result, prototypes, profile, commitProbe };
}

/** Issue 14, item 6: the migrated schema checked against Citus's co-location rule, as a target row. */
async function schemaTargetRows(): Promise<(string | number)[][]> {
  const database = await openBenchDatabase("postgres", "schema");
  try {
    const check = await checkWorkspaceDistribution(database.db);
    const broken = Object.entries(check.violations);
    return [
      [
        "every tenant table's keys lead with workspace_id (Citus co-location)",
        "postgres",
        "",
        "the migrated schema (test/support/workspace-distribution.ts)",
        broken.length === 0
          ? `${check.distributed} distributed tables, ${check.reference} reference tables`
          : broken.map(([table, problems]) => `${table}: ${problems.join("; ")}`).join(" / "),
        `${broken.length} tables break it`,
        broken.length === 0 ? "**PASS**" : "**MISS**",
      ],
    ];
  } finally {
    await database.dispose();
  }
}

const carriedOver = "_Not run this time (switched off); carried over from the previous RESULTS.md, measured when it says._";

/** The section of `markdown` whose heading starts with `heading`, up to the next `## `, with a note that it was carried over. */
function keptSection(markdown: string, heading: string): string | null {
  const start = markdown.indexOf(`\n${heading}`);
  if (start < 0) return null;
  const end = markdown.indexOf("\n## ", start + 1);
  const text = markdown.slice(start + 1, end < 0 ? undefined : end).trimEnd();
  const [title, ...rest] = text.split("\n");
  const body = rest
    .filter((line) => line !== carriedOver)
    .join("\n")
    .trimStart();
  return [title, "", carriedOver, "", body].join("\n");
}

async function main() {
  log(`sizes ${settings.sizes.map(sizeLabel).join(", ")}; engines ${settings.engines.join(", ")}`);
  const machine = await describeMachine(settings.engines.includes("postgres"));
  // First, while this process is small and the machine cool: its figures are rates over minutes.
  const campaign = settings.campaign.enabled && !settings.maintenance.only ? await runCampaignBenchmark({ log }) : null;
  const maintenance = settings.maintenance.enabled
    ? renderMaintenanceSection(
        await runMaintenanceBenchmark({ log, ...settings.maintenance, ...settings.latency, withPostgres: settings.engines.includes("postgres") }),
      )
    : null;
  if (maintenance && settings.maintenance.only) {
    console.log(maintenance);
    if (settings.maintenance.resultsFile) writeFileSync(settings.maintenance.resultsFile, maintenance);
    return;
  }
  const crmLogging = settings.crmLogging.enabled ? renderCrmLoggingSection(await runCrmLoggingBenchmark({ log })) : null;
  const authorization: AuthorizationResult | null = settings.authorization.enabled ? await runAuthorizationBenchmark({ log }) : null;
  const load: LoadResult | null = settings.load.enabled ? await runLoadBenchmark({ log }) : null;
  const scaleOut: ScaleOutResult | null = settings.scaleOut.enabled ? await runScaleOutBenchmark({ log }) : null;
  const sizeRuns: SizeRun[] = [];
  let ingest: IngestRun | null = null;
  const searchStartedAt = new Date().toISOString();
  const searchRows: SearchRow[] = [];
  for (const engine of settings.engines) {
    const result = await benchEngine(engine);
    sizeRuns.push(...result.runs);
    searchRows.push(...result.search);
    ingest ??= result.ingest;
  }
  const search: SearchResult | null = settings.search.enabled
    ? {
        startedAt: searchStartedAt,
        finishedAt: new Date().toISOString(),
        machine: { ...machine, loadAverage: `${machine.loadAverage} → ${await loadNow()}` },
        requests: settings.search.requests,
        walkBound: searchWalkBounds,
        seeds: sizeRuns.map((run) => ({ engine: run.engine, chats: run.seed.chats, messages: run.seed.messages, seconds: run.seed.seconds })),
        rows: searchRows,
      }
    : null;
  const seconds = (performance.now() - started) / 1000;
  const loadAverageAtEnd = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" / ");
  const schema = settings.engines.includes("postgres") ? await schemaTargetRows() : [];
  const extraTargets = [
    ...schema,
    ...(search ? searchTargetRows(search) : []),
    ...(authorization ? authorizationTargetRows(authorization) : []),
    ...(scaleOut ? scaleOutTargetRows(scaleOut) : []),
    ...(load ? loadTargetRows(load) : []),
  ];
  const report = renderReport({ startedAt, seconds, loadAverageAtEnd, machine, settings, sizeRuns, ingest, extraTargets });
  // A section switched off this time is carried over from the previous RESULTS.md, marked as such.
  const previous = existsSync(settings.resultsFile) ? readFileSync(settings.resultsFile, "utf8") : "";
  const section = (fresh: string | null, heading: string) => {
    if (fresh) return [fresh];
    const kept = keptSection(previous, heading);
    return kept ? [kept] : [];
  };
  const sections = [
    report.trimEnd(),
    ...section(search && renderSearchSection(search), "## Chat search"),
    ...section(campaign && renderCampaignSection(campaign), "## Campaign dispatch"),
    ...section(maintenance, "## Maintenance of the embedded database"),
    ...section(crmLogging, "## CRM logging"),
    ...section(authorization && renderAuthorizationSection(authorization), "## Authorization overhead"),
    ...section(scaleOut && renderScaleOutSection(scaleOut), "## Many processes behind pgbouncer"),
    ...section(load && renderLoadSection(load), "## Load run"),
  ];
  writeFileSync(settings.resultsFile, `${sections.join("\n\n").trimEnd()}\n`);
  log(`done in ${(seconds / 60).toFixed(1)} min; results in ${settings.resultsFile}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
