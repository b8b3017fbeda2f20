import { getTableColumns, type InferSelectModel, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Executor } from "../db/client";
import type { Backoff } from "./backoff";
import { claimRows } from "./claim";

/**
 * A table that is a durable job queue. Its rows need `status` ('pending' while waiting or
 * running, anything else is final: 'failed' is the dead letter), `attempts`, `next_attempt_at`
 * and `last_error`; optionally `version` (jobs that coalesce: a newer version while running
 * sends the job round again) and `updated_at`.
 */
export type LeaseQueueTable = PgTable & {
  status: PgColumn;
  attempts: PgColumn;
  nextAttemptAt: PgColumn;
  lastError: PgColumn;
};

/** A claimed row: `attempts` counts this attempt and fences every outcome against a lapsed lease. */
export type LeasedJob = { attempts: number; version?: number };

export type LeaseQueue<Row extends LeasedJob> = {
  /** For logs and metrics. */
  name: string;
  /**
   * Leases up to `limit` due jobs, oldest due first: `attempts` + 1 and `next_attempt_at` moved
   * `leaseMs` ahead, so a process that dies mid-attempt loses the job to another after the lease.
   */
  claim(db: Executor, options: { limit: number; leaseMs: number }): Promise<Row[]>;
  /** Ends the job as `status` — unless its version moved meanwhile: then it is due again at once. */
  complete(db: Executor, job: Row, status: string, set?: ColumnValues): Promise<void>;
  /** Tries again after `delayMs`; `countAttempt: false` for waits the other side asked for (a 429). */
  retry(db: Executor, job: Row, options: { delayMs: number; error: string; countAttempt: boolean; set?: ColumnValues }): Promise<void>;
  /** A failed attempt: retried after the backoff's wait, or dead-lettered ('failed') when none is left. */
  fail(db: Executor, job: Row, options: { error: string; backoff: Backoff; set?: ColumnValues }): Promise<"retry" | "dead">;
  /** Gives an interrupted attempt back (shutdown): due now, and not counted. */
  release(db: Executor, job: Row): Promise<void>;
  /** What waits: pending jobs, those due now, the dead letters, and how late the oldest due one is. */
  depth(db: Executor): Promise<QueueDepth>;
};

/** Column values by Drizzle property name; SQL is written as is. */
export type ColumnValues = Record<string, unknown>;
export type QueueDepth = { pending: number; due: number; deadLettered: number; oldestDueMs: number };

const milliseconds = (ms: number) => sql`(${ms}::double precision * interval '1 millisecond')`;
const errorText = (error: string) => error.slice(0, 500);

/** The queue operations over `table`, whose primary key is `key`. */
export function leaseQueue<T extends LeaseQueueTable, Row extends LeasedJob = InferSelectModel<T> & LeasedJob>(
  name: string,
  table: T,
  key: PgColumn[],
): LeaseQueue<Row> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const column = (property: string) => {
    const found = columns[property];
    if (!found) throw new Error(`${name}: no column ${property}`);
    return sql.identifier(found.name);
  };
  const versioned = "version" in columns;
  const touched = "updatedAt" in columns;
  const keyProperties = key.map((keyColumn) => Object.keys(columns).find((property) => columns[property] === keyColumn) as string);

  const assignments = (values: ColumnValues) =>
    sql.join(
      Object.entries({ ...(touched ? { updatedAt: sql`now()` } : {}), ...values }).map(([property, value]) => sql`${column(property)} = ${value}`),
      sql`, `,
    );
  // Still ours: the same row, still pending, and no other process has claimed it since.
  const fence = (job: Row) =>
    sql.join(
      [
        ...keyProperties.map((property) => sql`${column(property)} = ${(job as Record<string, unknown>)[property]}`),
        sql`${column("status")} = 'pending'`,
        sql`${column("attempts")} = ${job.attempts}`,
      ],
      sql` and `,
    );
  const update = async (db: Executor, job: Row, values: ColumnValues) => {
    await db.execute(sql`update ${table} set ${assignments(values)} where ${fence(job)}`);
  };

  const queue: LeaseQueue<Row> = {
    name,
    async claim(db, options) {
      const rows = await claimRows<Row>(db, {
        table,
        key,
        where: sql`candidate.status = 'pending' and candidate.next_attempt_at <= now()`,
        orderBy: sql`candidate.next_attempt_at`,
        limit: options.limit,
        set: {
          attempts: sql`${table.attempts} + 1`,
          nextAttemptAt: sql`now() + ${milliseconds(options.leaseMs)}`,
          ...(touched ? { updatedAt: sql`now()` } : {}),
        },
      });
      return rows.map((row) => ({ ...row, attempts: Number(row.attempts), ...(versioned ? { version: Number(row.version) } : {}) }));
    },
    async complete(db, job, status, set = {}) {
      if (!versioned) return update(db, job, { status, ...set });
      const current = sql`${column("version")} = ${job.version}`;
      await update(db, job, {
        ...set,
        status: sql`case when ${current} then ${status} else 'pending' end`,
        attempts: sql`case when ${current} then ${column("attempts")} else 0 end`,
        nextAttemptAt: sql`now()`,
      });
    },
    async retry(db, job, options) {
      await update(db, job, {
        ...options.set,
        nextAttemptAt: sql`now() + ${milliseconds(options.delayMs)}`,
        lastError: errorText(options.error),
        ...(options.countAttempt ? {} : { attempts: job.attempts - 1 }),
      });
    },
    async fail(db, job, options) {
      const delayMs = options.backoff(job.attempts);
      if (delayMs === null) {
        await queue.complete(db, job, "failed", { ...options.set, lastError: errorText(options.error) });
        return "dead";
      }
      await queue.retry(db, job, { delayMs, error: options.error, countAttempt: true, set: options.set });
      return "retry";
    },
    async release(db, job) {
      await update(db, job, { attempts: job.attempts - 1, nextAttemptAt: sql`now()` });
    },
    async depth(db) {
      const result = await db.execute(sql`
        select count(*) filter (where status = 'pending') as pending,
          count(*) filter (where status = 'pending' and next_attempt_at <= now()) as due,
          count(*) filter (where status = 'failed') as dead_lettered,
          coalesce(extract(epoch from now() - min(next_attempt_at) filter (where status = 'pending' and next_attempt_at <= now())) * 1000, 0) as oldest_due_ms
        from ${table}`);
      const [row] = (result as unknown as { rows: Record<string, string | number>[] }).rows;
      return {
        pending: Number(row?.pending ?? 0),
        due: Number(row?.due ?? 0),
        deadLettered: Number(row?.dead_lettered ?? 0),
        oldestDueMs: Math.round(Number(row?.oldest_due_ms ?? 0)),
      };
    },
  };
  return queue;
}
