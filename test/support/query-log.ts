import type { DatabaseHandle } from "../../server/db/client";
import { captureQueries } from "../bench/query-capture";

export type Statement = { text: string; values: unknown[] };

/**
 * Every statement (SQL text and parameters) the app sends to `database` while `work` runs, on either
 * engine: PostgreSQL through the bench's pg.Client capture, PGlite by wrapping the instance's
 * query and exec (what Drizzle's PGlite session calls) for the duration.
 */
export async function recordStatements(database: DatabaseHandle, work: () => Promise<void>): Promise<Statement[]> {
  const { pglite } = database;
  if (!pglite) return (await captureQueries(work)).queries.map(({ text, values }) => ({ text, values }));
  const statements: Statement[] = [];
  const instance = pglite as unknown as Record<"query" | "exec", (text: string, ...rest: unknown[]) => Promise<unknown>>;
  const originals = { query: instance.query, exec: instance.exec };
  const ownBefore = { query: Object.hasOwn(instance, "query"), exec: Object.hasOwn(instance, "exec") };
  for (const name of ["query", "exec"] as const) {
    instance[name] = function recorded(this: unknown, text: string, ...rest: unknown[]) {
      statements.push({ text, values: Array.isArray(rest[0]) ? rest[0] : [] });
      return originals[name].call(this, text, ...rest);
    };
  }
  try {
    await work();
  } finally {
    for (const name of ["query", "exec"] as const) {
      if (ownBefore[name]) instance[name] = originals[name];
      else delete (instance as Partial<typeof instance>)[name];
    }
  }
  return statements;
}
