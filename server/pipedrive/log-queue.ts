import { type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { messages, pipedriveConnections, pipedriveLogJobs, pipedriveSettings } from "../db/schema";

// The logging outbox. A message's insert and its job commit together, so no message is logged
// that was rolled back and none is missed. Jobs are per chat and UTC day: a burst of messages
// bumps one row's version, and the worker rewrites that day's note once per run.

/** A job this process has leased; `version` fences the outcome against newer messages. */
export type ClaimedLogJob = { workspaceId: string; chatId: string; day: string; version: number; attempt: number };

const milliseconds = (ms: number) => sql`(${ms}::double precision * interval '1 millisecond')`;

/**
 * Queues logging for a new message, in the caller's transaction. Does nothing unless the
 * workspace has a working Pipedrive connection and logging isn't off, so other workspaces pay
 * one indexed lookup.
 */
export async function enqueuePipedriveLog(db: Executor, event: { workspaceId: string; messageId: string }): Promise<void> {
  await db.execute(pipedriveLogEnqueueSql([event]));
}

/** The statement of enqueuePipedriveLog for several new messages (one day's chat job each). */
export function pipedriveLogEnqueueSql(events: { workspaceId: string; messageId: string }[]): SQL {
  const keys = JSON.stringify(events.map((event) => ({ workspace_id: event.workspaceId, id: event.messageId })));
  return sql`
    insert into ${pipedriveLogJobs} (workspace_id, chat_id, day)
    select distinct m.workspace_id, m.chat_id, (m.created_at at time zone 'UTC')::date
    from jsonb_to_recordset(${keys}::jsonb) as wanted(workspace_id text, id text)
    join ${messages} as m on m.workspace_id = wanted.workspace_id and m.id = wanted.id
    where exists (select 1 from ${pipedriveConnections} as c where c.workspace_id = m.workspace_id)
      and coalesce((select s.logging from ${pipedriveSettings} as s where s.workspace_id = m.workspace_id), 'note') <> 'off'
    on conflict (workspace_id, chat_id, day) do update set
      version = ${pipedriveLogJobs}.version + 1,
      -- A pending job keeps its time (a lease, or a rate-limit wait); a finished one is due now.
      next_attempt_at = case when ${pipedriveLogJobs}.status = 'pending' then ${pipedriveLogJobs}.next_attempt_at else now() end,
      attempts = case when ${pipedriveLogJobs}.status = 'pending' then ${pipedriveLogJobs}.attempts else 0 end,
      status = 'pending',
      updated_at = now()`;
}

type ClaimRow = { workspace_id: string; chat_id: string; day: string; version: string | number; attempts: string | number };

/** Leases due jobs (SKIP LOCKED: processes never wait on or take each other's rows). */
export async function claimDueLogJobs(db: Executor, options: { limit: number; leaseMs: number }): Promise<ClaimedLogJob[]> {
  const result = await db.execute<ClaimRow>(sql`
    update ${pipedriveLogJobs} as j
      set attempts = j.attempts + 1, next_attempt_at = now() + ${milliseconds(options.leaseMs)}
    from (
      select workspace_id, chat_id, day from ${pipedriveLogJobs}
      where status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at
      limit ${options.limit}
      for update skip locked
    ) as due
    where j.workspace_id = due.workspace_id and j.chat_id = due.chat_id and j.day = due.day
    returning j.workspace_id, j.chat_id, j.day::text as day, j.version, j.attempts`);
  return (result as unknown as { rows: ClaimRow[] }).rows.map((row) => ({
    workspaceId: row.workspace_id,
    chatId: row.chat_id,
    day: row.day,
    version: Number(row.version),
    attempt: Number(row.attempts),
  }));
}

const jobKey = (job: ClaimedLogJob) => sql`workspace_id = ${job.workspaceId} and chat_id = ${job.chatId} and day = ${job.day}::date and status = 'pending'`;

/**
 * Ends a run: the job becomes `outcome`, unless a message arrived meanwhile (its version moved),
 * in which case it stays pending and is due at once.
 */
export async function finishLogJob(db: Executor, job: ClaimedLogJob, outcome: "done" | "skipped" | "failed", error: string | null = null): Promise<void> {
  await db.execute(sql`
    update ${pipedriveLogJobs} set
      status = case when version = ${job.version} then ${outcome} else 'pending' end,
      attempts = case when version = ${job.version} then attempts else 0 end,
      next_attempt_at = now(), last_error = ${error?.slice(0, 500) ?? null}, updated_at = now()
    where ${jobKey(job)}`);
}

/** Tries again after `delayMs` (a 429's retry-after, or a backoff); `countAttempt: false` for waits we were told to make. */
export async function retryLogJob(db: Executor, job: ClaimedLogJob, delayMs: number, error: string, options: { countAttempt: boolean }): Promise<void> {
  await db.execute(sql`
    update ${pipedriveLogJobs} set
      next_attempt_at = now() + ${milliseconds(delayMs)}, last_error = ${error.slice(0, 500)}, updated_at = now(),
      attempts = attempts - ${options.countAttempt ? 0 : 1}
    where ${jobKey(job)}`);
}
