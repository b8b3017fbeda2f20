import { type SQL, sql } from "drizzle-orm";
import { hubspotInstallations, hubspotLogJobs, hubspotSettings, messages } from "../db/schema";
import { leaseQueue } from "../jobs/lease-queue";

// HubSpot's logging outbox on the one job queue (server/jobs/): a job per chat and UTC day,
// inserted in the transaction that stores the message (server/crm/message-stored.ts), so a burst
// of messages bumps one row's version and one run logs them all.

export type ClaimedHubspotLogJob = typeof hubspotLogJobs.$inferSelect;

/**
 * The statement queueing HubSpot logging for new messages: nothing unless the workspace's portal
 * is connected and logging isn't off, so other workspaces pay one indexed lookup.
 */
export function hubspotLogEnqueueSql(events: { workspaceId: string; messageId: string }[]): SQL {
  const keys = JSON.stringify(events.map((event) => ({ workspace_id: event.workspaceId, id: event.messageId })));
  return sql`
    insert into ${hubspotLogJobs} (workspace_id, chat_id, day)
    select distinct m.workspace_id, m.chat_id, (m.created_at at time zone 'UTC')::date
    from jsonb_to_recordset(${keys}::jsonb) as wanted(workspace_id text, id text)
    join ${messages} as m on m.workspace_id = wanted.workspace_id and m.id = wanted.id
    where exists (select 1 from ${hubspotInstallations} as h where h.workspace_id = m.workspace_id and h.status = 'connected')
      and coalesce((select s.logging from ${hubspotSettings} as s where s.workspace_id = m.workspace_id), 'per_day') <> 'off'
    on conflict (workspace_id, chat_id, day) do update set
      version = ${hubspotLogJobs}.version + 1,
      -- A pending job keeps its time (a lease, or a rate-limit wait); a finished one is due now.
      next_attempt_at = case when ${hubspotLogJobs}.status = 'pending' then ${hubspotLogJobs}.next_attempt_at else now() end,
      attempts = case when ${hubspotLogJobs}.status = 'pending' then ${hubspotLogJobs}.attempts else 0 end,
      status = 'pending',
      updated_at = now()`;
}

/** The queue operations; a job coalesces by `version`, so a run that started before a new message never marks it done. */
export const hubspotLogQueue = leaseQueue("hubspot-log", hubspotLogJobs, [hubspotLogJobs.workspaceId, hubspotLogJobs.chatId, hubspotLogJobs.day]);
