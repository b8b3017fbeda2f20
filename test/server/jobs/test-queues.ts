import { sql } from "drizzle-orm";
import { bigint, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import type { Executor } from "../../../server/db/client";
import { leaseQueue } from "../../../server/jobs/lease-queue";

// Queue tables of the tests' own: the queue module works on any table with its columns, and
// these let the tests set each job's state directly.

export const testJobs = pgTable("test_jobs", {
  id: text("id").primaryKey(),
  status: text("status").notNull().default("pending"),
  attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
  lastError: text("last_error"),
});

/** Jobs that coalesce: a newer version while one runs sends it round again. */
export const testCoalescingJobs = pgTable("test_coalescing_jobs", {
  id: text("id").primaryKey(),
  status: text("status").notNull().default("pending"),
  version: bigint("version", { mode: "number" }).notNull().default(1),
  attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
  lastError: text("last_error"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const testQueue = leaseQueue("test", testJobs, [testJobs.id]);
export const coalescingQueue = leaseQueue("test-coalescing", testCoalescingJobs, [testCoalescingJobs.id]);

export async function createTestQueueTables(db: Executor): Promise<void> {
  await db.execute(sql`create table if not exists test_jobs (
    id text primary key, status text not null default 'pending', attempts bigint not null default 0,
    next_attempt_at timestamptz not null default now(), last_error text)`);
  await db.execute(sql`create table if not exists test_coalescing_jobs (
    id text primary key, status text not null default 'pending', version bigint not null default 1, attempts bigint not null default 0,
    next_attempt_at timestamptz not null default now(), last_error text, updated_at timestamptz not null default now())`);
}

/** Seconds from now until the job is due (negative: overdue), as the database sees it. */
export async function dueInSeconds(db: Executor, id: string): Promise<number> {
  const result = await db.execute(sql`select extract(epoch from next_attempt_at - now()) as seconds from test_jobs where id = ${id}`);
  return Number((result as unknown as { rows: { seconds: string | number }[] }).rows[0]?.seconds);
}
