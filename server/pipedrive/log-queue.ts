import { type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { messages, pipedriveConnections, pipedriveLogJobs, pipedriveSettings } from "../db/schema";
import { leaseQueue } from "../jobs/lease-queue";

// The logging outbox. A message's insert and its job commit together, so no message is logged
// that was rolled back and none is missed. Jobs are per chat and UTC day: a burst of messages
// bumps one row's version, and the worker rewrites that day's note once per run.

/** A job this process has leased; `attempts` counts this run, `version` the messages it has seen. */
export type ClaimedLogJob = typeof pipedriveLogJobs.$inferSelect;

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

/** The queue operations (server/jobs/lease-queue.ts): a job coalesces by `version`, so a run that started before a new message never marks it done. */
export const logQueue = leaseQueue("crm-log", pipedriveLogJobs, [pipedriveLogJobs.workspaceId, pipedriveLogJobs.chatId, pipedriveLogJobs.day]);
