import type { DatabaseHandle } from "../../server/db/client";

/** Runs one SQL statement on the session's connection and returns its rows. */
export type RunStatement = (statement: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Runs `work` on one connection, so BEGIN … COMMIT and SET LOCAL hold across statements
 * (on PostgreSQL a pool would hand each statement to another connection).
 */
export async function withSession<T>(handle: DatabaseHandle, work: (run: RunStatement) => Promise<T>): Promise<T> {
  if (handle.pool) {
    const client = await handle.pool.connect();
    try {
      return await work(async (statement, values) => (await client.query(statement, values)).rows);
    } finally {
      client.release();
    }
  }
  const pglite = handle.pglite;
  if (!pglite) throw new Error("neither a PostgreSQL pool nor PGlite");
  return work(async (statement, values) => (await pglite.query<Record<string, unknown>>(statement, values)).rows);
}

/** Rows of one statement, on whichever engine. */
export function rowsOf(handle: DatabaseHandle, statement: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
  return withSession(handle, (run) => run(statement, values));
}
