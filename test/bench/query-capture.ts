import pg from "pg";

// A query logger without touching server/: every node-postgres query goes through
// pg.Client.prototype.query (pooled or in a transaction), so wrapping it here sees exactly the
// SQL and parameters the app sends, with the client-side time of each round trip.

/** `rows`: how many rows the statement returned to the app. */
export type CapturedQuery = { text: string; values: unknown[]; milliseconds: number; rows: number };

type QueryFunction = (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) => unknown;

const recorders = new Set<(query: CapturedQuery) => void>();
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  const prototype = pg.Client.prototype as unknown as { query: QueryFunction };
  const original = prototype.query;
  prototype.query = function capturingQuery(config, values, callback) {
    if (recorders.size === 0) return original.call(this, config, values, callback);
    const text = typeof config === "string" ? config : String((config as { text?: string })?.text ?? "");
    const params = Array.isArray(values) ? values : ((config as { values?: unknown[] })?.values ?? []);
    const started = performance.now();
    const finish = (result?: unknown) => {
      const returned = (result as { rows?: unknown[] } | undefined)?.rows;
      const query = { text, values: params, milliseconds: performance.now() - started, rows: Array.isArray(returned) ? returned.length : 0 };
      for (const record of recorders) record(query);
    };
    const wrap = (done: (error: unknown, result: unknown) => void) => (error: unknown, result: unknown) => {
      finish(result);
      done(error, result);
    };
    if (typeof values === "function") return original.call(this, config, wrap(values as never));
    if (typeof callback === "function") return original.call(this, config, values, wrap(callback as never));
    const result = original.call(this, config, values, callback) as Promise<unknown> | undefined;
    result?.then?.(finish, () => finish());
    return result;
  };
}

/** Records every query this process sends to PostgreSQL while `work` runs. */
export async function captureQueries<T>(work: () => Promise<T>): Promise<{ result: T; queries: CapturedQuery[] }> {
  install();
  const queries: CapturedQuery[] = [];
  const record = (query: CapturedQuery) => queries.push(query);
  recorders.add(record);
  try {
    return { result: await work(), queries };
  } finally {
    recorders.delete(record);
  }
}
