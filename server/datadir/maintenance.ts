import type { PGlite } from "@electric-sql/pglite";
import type { Services } from "../services";

/** How often the embedded database's statistics are checked (cheap: one catalogue query). */
const analyzeCheckMs = 60_000;
/** How often every table is vacuumed, one table at a time. */
const vacuumEveryMs = 24 * 3_600_000;

/**
 * PostgreSQL's autovacuum rule, which PGlite has no daemon to apply: a table is analyzed once
 * more rows changed since its last ANALYZE than 50 + 10% of its rows, so plans follow growth.
 * Returns the tables analyzed.
 */
export async function analyzeStaleTables(pglite: PGlite): Promise<string[]> {
  // This process's pending statistics reach pg_stat_* when a transaction ends after the flush is asked for.
  await pglite.query("select pg_stat_force_next_flush()");
  const { rows } = await pglite.query<{ name: string }>(`
    select s.relname as name
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    where s.schemaname = 'public' and s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
    order by s.relname`);
  for (const { name } of rows) await pglite.exec(`analyze "${name.replaceAll('"', '""')}"`);
  return rows.map((row) => row.name);
}

/** VACUUM table by table: each is one short statement, so requests run between them. */
export async function vacuumTables(pglite: PGlite): Promise<void> {
  const { rows } = await pglite.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by 1");
  for (const { name } of rows) await pglite.exec(`vacuum "${name.replaceAll('"', '""')}"`);
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
      run(() => analyzeStaleTables(pglite), "analyze"),
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
