import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database, Executor } from "../db/client";
import { campaignRecipients } from "../db/schema";
import { publish } from "../events/bus";
import type { MessageStatus } from "../whatsapp/message-status";

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

/** Which recipient statuses a provider status may replace (never backwards, as for messages). */
const replaces: Record<MessageStatus, ("sent" | "failed" | "delivered")[]> = {
  sent: [],
  failed: ["sent"],
  delivered: ["sent", "failed"],
  read: ["sent", "failed", "delivered"],
};

/**
 * Applies a provider status to the campaign recipient sent as `providerMessageId`, if any, in
 * the caller's transaction (server/inbox/statuses.ts applyStatus), with its time for the report.
 */
export async function applyRecipientStatus(
  tx: Executor,
  db: Database,
  update: { workspaceId: string; providerMessageId: string; status: MessageStatus; at: Date; error?: { code: string; detail: string } },
): Promise<void> {
  const from = replaces[update.status];
  if (from.length === 0) return;
  const at = update.at.toISOString();
  const [changed] = await tx
    .update(campaignRecipients)
    .set({
      status: update.status,
      ...(update.status === "delivered" || update.status === "read"
        ? { deliveredAt: sql`coalesce(${campaignRecipients.deliveredAt}, ${at}::timestamptz)` }
        : {}),
      ...(update.status === "read" ? { readAt: update.at } : {}),
      ...(update.status === "failed" ? { error: update.error ? `${update.error.code}: ${update.error.detail}` : "failed" } : {}),
    })
    .where(
      and(
        eq(campaignRecipients.workspaceId, update.workspaceId),
        eq(campaignRecipients.providerMessageId, update.providerMessageId),
        inArray(campaignRecipients.status, from),
      ),
    )
    .returning({ campaignId: campaignRecipients.campaignId });
  if (changed) noteCampaignProgress(db, update.workspaceId, changed.campaignId);
}
