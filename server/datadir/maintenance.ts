import type { PGlite } from "@electric-sql/pglite";
import type { DatabaseHandle } from "../db/client";
import type { Services } from "../services";

/** How often the embedded database's statistics are checked (cheap: one catalogue query). */
export const analyzeCheckMs = 60_000;
/** How often every table is vacuumed, one table at a time. */
const vacuumEveryMs = 24 * 3_600_000;

/**
 * One database session: PGlite, or a node-postgres client. The pending counts the check reads are
 * the session's own until it flushes them, so it runs on the session that wrote.
 */
export type StatisticsSession = { query(text: string): Promise<{ rows: unknown[] }> };

/**
 * PostgreSQL's autovacuum rule, which PGlite has no daemon to apply: a table is analyzed once
 * more rows changed since its last ANALYZE than 50 + 10% of its rows, so plans follow growth.
 * Returns the tables analyzed.
 */
export async function analyzeStaleTables(session: StatisticsSession): Promise<string[]> {
  // This session's pending statistics reach pg_stat_* when a transaction ends after the flush is asked for.
  await session.query("select pg_stat_force_next_flush()");
  const { rows } = (await session.query(`
    select s.relname as name
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    where s.schemaname = 'public' and s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
    order by s.relname`)) as { rows: { name: string }[] };
  for (const { name } of rows) {
    await betweenStatements();
    await session.query(`analyze "${name.replaceAll('"', '""')}"`);
  }
  return rows.map((row) => row.name);
}

/** The check in flight per embedded database, so passes run one after another, never twice at once. */
const checks = new WeakMap<PGlite, Promise<unknown>>();

/**
 * Call after a bulk write commits (a campaign's recipients, the demo seed, a template sync, a
 * restore): on the embedded database it applies the autovacuum rule now, rather than at the
 * timer's next check a minute later, so the requests that follow are planned for the rows just
 * written. PostgreSQL's own autovacuum does this there: it returns [] without a query.
 */
export async function analyzeAfterBulkWrite(database: Pick<DatabaseHandle, "pglite">): Promise<string[]> {
  return database.pglite ? checkStatistics(database.pglite) : [];
}

/** analyzeStaleTables on the embedded database, one check at a time (the timer's and the writes'). */
async function checkStatistics(pglite: PGlite): Promise<string[]> {
  // A check already running may have read the counts before this write: run again after it.
  const previous = checks.get(pglite) ?? Promise.resolve();
  const check = previous.catch(() => undefined).then(() => analyzeStaleTables(pglite));
  checks.set(pglite, check);
  try {
    return await check;
  } finally {
    if (checks.get(pglite) === check) checks.delete(pglite);
  }
}

/** VACUUM table by table: each is one short statement, so requests run between them. */
export async function vacuumTables(pglite: PGlite): Promise<void> {
  const { rows } = await pglite.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by 1");
  for (const { name } of rows) {
    await betweenStatements();
    await pglite.exec(`vacuum "${name.replaceAll('"', '""')}"`);
  }
}

/**
 * PGlite runs a statement on this thread and settles its promise at once, so a loop of them never
 * lets the event loop read a request: measured with `npm run bench`, a request waited for the
 * whole pass (15 s at 100k chats), not for one table. Between tables, the requests come first.
 */
function betweenStatements(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs the maintenance autovacuum would on the embedded database while the server runs. */
export function startMaintenance(services: Services, pglite: PGlite) {
  let running: Promise<unknown> | null = null;
  const run = (work: () => Promise<unknown>, what: string) => () => {
    if (running) return;
    running = work()
      .then((result) => services.logger.debug({ result }, `${what} done`))
      .catch((error: unknown) => services.logger.warn({ err: error }, `${what} failed`))
      .finally(() => {
        running = null;
      });
  };
  const timers = [
    setInterval(
      run(() => checkStatistics(pglite), "analyze"),
      analyzeCheckMs,
    ),
    setInterval(
      run(() => vacuumTables(pglite), "vacuum"),
      vacuumEveryMs,
    ),
  ];
  for (const timer of timers) timer.unref();
  services.background.add({
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await running;
    },
  });
}
