import pg from "pg";
import { cpuByPid, cpuSpent, ownCpuSeconds } from "./cpu";
import type { BenchDatabase } from "./engines";
import { rowsOf } from "./sessions";
import { singleStatementIngest, singleStatementIngestWithNotify } from "./single-statement-ingest";

// Ingestion commits one transaction per message, and each one NOTIFYs the event bus. PostgreSQL
// takes a database-wide lock in PreCommit_Notify and holds it until the commit record is
// flushed, so transactions that NOTIFY commit one WAL flush at a time (no group commit). This
// probe measures that ceiling on this machine's disk, with nothing of the app in the way.

type Variant = { key: string; label: string; statements: (sequence: number) => { text: string; values: unknown[] }[] };

const probeInsert = { text: "insert into bench_commit_probe (payload) values ($1)", values: ["probe"] };
const probeNotify = { text: "select pg_notify('bench_commit_probe', $1)", values: ['{"type":"probe"}'] };

/** The ingestion statement for message `sequence` of this probe: new and returning contacts mixed. */
const ingestValues = (workspaceId: string, runTag: string, sequence: number) => {
  const contact = (sequence * 7919) % 20_000;
  const id = `${runTag}${sequence}`;
  return [
    workspaceId,
    "acct_ingest",
    `+1555${5_000_000 + contact}`,
    `Probe ${contact}`,
    `ct_p${id}`,
    `chat_p${id}`,
    `msg_p${id}`,
    `wamid.probe.${id}`,
    "Probe message",
    new Date().toISOString(),
  ];
};

export function commitVariants(workspaceId: string, runTag: string): Variant[] {
  return [
    { key: "insert", label: "BEGIN; INSERT; COMMIT", statements: () => [{ text: "begin", values: [] }, probeInsert, { text: "commit", values: [] }] },
    {
      key: "insert_notify",
      label: "BEGIN; INSERT; pg_notify; COMMIT",
      statements: () => [{ text: "begin", values: [] }, probeInsert, probeNotify, { text: "commit", values: [] }],
    },
    {
      key: "single_statement_notify",
      label: "proposed single-statement ingest, pg_notify inside",
      statements: (sequence) => [{ text: singleStatementIngestWithNotify, values: ingestValues(workspaceId, `${runTag}n`, sequence) }],
    },
    {
      key: "single_statement",
      label: "proposed single-statement ingest, event published outside",
      statements: (sequence) => [{ text: singleStatementIngest, values: ingestValues(workspaceId, `${runTag}s`, sequence) }],
    },
  ];
}

export type CommitProbeResult = {
  key: string;
  label: string;
  commitsPerSecond: number;
  walSyncsPerCommit: number | null;
  /** CPU of the 32 backends plus the WAL writer, per commit. */
  postgresCpuMilliseconds: number;
  /** CPU of this process (node-postgres client side), per commit. */
  clientCpuMilliseconds: number;
};

/** Commits per second of `clients` connections for `seconds` per variant, on the bench database. */
export async function probeCommits(database: BenchDatabase, workspaceId: string, clients: number, seconds: number): Promise<CommitProbeResult[]> {
  if (!database.databaseUrl) throw new Error("the commit probe runs on PostgreSQL");
  await rowsOf(database, "create table if not exists bench_commit_probe (id bigserial primary key, payload text not null)");
  const listener = new pg.Client({ connectionString: database.databaseUrl });
  await listener.connect();
  await listener.query("listen bench_commit_probe");
  await listener.query("listen switchboard_events");
  const connect = () =>
    Promise.all(
      Array.from({ length: clients }, async () => {
        const client = new pg.Client({ connectionString: database.databaseUrl });
        await client.connect();
        return client;
      }),
    );
  try {
    const results: CommitProbeResult[] = [];
    const runTag = Date.now().toString(36);
    for (const variant of commitVariants(workspaceId, runTag)) {
      // Fresh connections per variant: a backend publishes its WAL statistics when it exits.
      const connections = await connect();
      const pids = [
        ...(await Promise.all(connections.map(async (client) => Number((await client.query("select pg_backend_pid() as pid")).rows[0]?.pid)))),
        ...(await walWriterPids(database)),
      ];
      const walBefore = await walSyncs(database);
      const cpuBefore = { postgres: cpuByPid(pids), client: ownCpuSeconds() };
      let commits = 0;
      const deadline = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        connections.map(async (client) => {
          while (performance.now() < deadline) {
            for (const statement of variant.statements(commits++)) await client.query(statement.text, statement.values);
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const cpuAfter = { postgres: cpuByPid(pids), client: ownCpuSeconds() };
      await Promise.all(connections.map((client) => client.end()));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const walAfter = await walSyncs(database);
      results.push({
        key: variant.key,
        label: variant.label,
        commitsPerSecond: commits / elapsed,
        walSyncsPerCommit: walBefore === null || walAfter === null ? null : (walAfter - walBefore) / commits,
        postgresCpuMilliseconds: (cpuSpent(cpuBefore.postgres, cpuAfter.postgres) / commits) * 1000,
        clientCpuMilliseconds: ((cpuAfter.client - cpuBefore.client) / commits) * 1000,
      });
    }
    return results;
  } finally {
    await listener.end();
    await rowsOf(database, "drop table if exists bench_commit_probe");
  }
}

async function walWriterPids(database: BenchDatabase): Promise<number[]> {
  const rows = await rowsOf(database, "select pid from pg_stat_activity where backend_type = 'walwriter'");
  return rows.map((row) => Number(row.pid));
}

async function walSyncs(database: BenchDatabase): Promise<number | null> {
  const rows = await rowsOf(database, "select wal_sync::text as syncs from pg_stat_wal").catch(() => []);
  return rows[0] ? Number(rows[0].syncs) : null;
}
