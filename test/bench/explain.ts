import type { BenchDatabase } from "./engines";
import type { LatencyResult } from "./latency";
import type { CapturedQuery } from "./query-capture";
import { withSession } from "./sessions";

export type ExplainedQuery = { caller: string; caseKey: string; purpose: string; sql: string; values: unknown[]; plan: string };

/**
 * The route's own, scoped SQL among what the process sent during a request: SELECTs from chats
 * or messages. Left out: the bearer-token lookup, and whatever background timers of the app
 * (campaign dispatch, …) happened to run meanwhile — never EXPLAIN ANALYZE those, it runs them.
 */
export function routeQueries(queries: CapturedQuery[]): CapturedQuery[] {
  return queries.filter((query) => /^\s*select\b/i.test(query.text) && /from "(chats|messages)"/.test(query.text));
}

/** The queries a GET request itself makes: its route's and the bearer-token lookup. */
export function requestQueries(queries: CapturedQuery[]): CapturedQuery[] {
  return queries.filter((query) => /^\s*select\b/i.test(query.text) && /from "(chats|messages|auth_tokens)"/.test(query.text));
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of exactly the SQL and parameters the app sent for each case, so
 * the plans show the real `scope()` where-clause. Run after the timed requests (warm cache).
 */
export async function explainCases(database: BenchDatabase, results: LatencyResult[]): Promise<ExplainedQuery[]> {
  const explained: ExplainedQuery[] = [];
  await withSession(database, async (run) => {
    for (const result of results) {
      const queries = routeQueries(result.queries);
      for (const [index, query] of queries.entries()) {
        const rows = await run(`explain (analyze, buffers) ${query.text}`, query.values);
        const plan = rows.map((row) => String(row["QUERY PLAN"])).join("\n");
        const purpose = result.caseKey === "messages" ? (index === 0 ? "loadVisibleChat (scoped)" : "the chat's messages") : "chat list (scoped)";
        explained.push({ caller: result.caller, caseKey: result.caseKey, purpose, sql: query.text, values: query.values, plan });
      }
    }
  });
  return explained;
}

/** The execution time EXPLAIN ANALYZE reported, in ms. */
export function executionMilliseconds(plan: string): number {
  return Number(plan.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? Number.NaN);
}
