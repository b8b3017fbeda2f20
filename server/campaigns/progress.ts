import { and, inArray, sql } from "drizzle-orm";
import type { Database, Executor } from "../db/client";
import { campaignRecipients } from "../db/schema";
import { publish } from "../events/bus";
import { type FoldedStatus, statusBatchSql, statusRankSql } from "../inbox/statuses";

/** Live progress goes out at most this often per campaign and process; the last change always does. */
export const progressIntervalMs = 250;
const pending = new Map<string, NodeJS.Timeout>();

/**
 * Notes that a campaign's counts or state changed. Thousands of statuses a minute would flood
 * listeners, so this publishes one `campaign.progress` (ids only; listeners read the counts)
 * per interval, after the changes it covers have committed.
 */
export function noteCampaignProgress(db: Database, workspaceId: string, campaignId: string): void {
  const key = `${workspaceId}:${campaignId}`;
  if (pending.has(key)) return;
  const timer = setTimeout(() => {
    pending.delete(key);
    // The database may be closing (shutdown, end of a test): progress is best-effort.
    publish(db, { type: "campaign.progress", workspaceId, campaignId }).catch(() => undefined);
  }, progressIntervalMs);
  timer.unref();
  pending.set(key, timer);
}

/** noteCampaignProgress for each campaign a statement changed. */
export function noteCampaignsProgress(db: Database, keys: { workspaceId: string; campaignId: string }[]): void {
  for (const key of keys) noteCampaignProgress(db, key.workspaceId, key.campaignId);
}

/**
 * Applies provider statuses (one per message, server/inbox/statuses.ts foldStatuses) to the
 * campaign recipients sent as those messages, if any, in the caller's transaction and one
 * statement, with their times for the report. As for messages, a status only replaces an
 * earlier one (sent < failed < delivered < read); queued or in-flight recipients are left alone.
 */
export async function applyRecipientStatuses(tx: Executor, db: Database, folded: FoldedStatus[]): Promise<void> {
  const changed = await tx
    .update(campaignRecipients)
    .set({
      status: sql`batch.status`,
      deliveredAt: sql`coalesce(${campaignRecipients.deliveredAt}, batch.delivered_at)`,
      readAt: sql`case when batch.status = 'read' then batch.at else ${campaignRecipients.readAt} end`,
      error: sql`case when batch.status = 'failed' then coalesce(batch.error_code || ': ' || batch.error_detail, 'failed') else ${campaignRecipients.error} end`,
    })
    .from(statusBatchSql(folded))
    .where(
      and(
        sql`${campaignRecipients.workspaceId} = batch.workspace_id and ${campaignRecipients.providerMessageId} = batch.provider_message_id`,
        inArray(campaignRecipients.status, ["sent", "failed", "delivered"]),
        sql`${statusRankSql(campaignRecipients.status)} < ${statusRankSql(sql`batch.status`)}`,
      ),
    )
    .returning({ workspaceId: campaignRecipients.workspaceId, campaignId: campaignRecipients.campaignId });
  for (const key of new Map(changed.map((row) => [`${row.workspaceId}:${row.campaignId}`, row])).values())
    noteCampaignProgress(db, key.workspaceId, key.campaignId);
}
