import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { webhookDeliveries, webhooks } from "../db/schema";
import { type BusEvent, type InboxEventType, publish } from "../events/bus";
import { newId } from "../ids";
import { enqueuePipedriveLog } from "../pipedrive/log-queue";

/**
 * Emits an inbox event in the caller's transaction: NOTIFY for live updates, and one pending
 * delivery for every webhook of the workspace subscribed to it (sent by the webhook worker).
 */
export async function emitInboxEvent(
  db: Executor,
  event: { type: InboxEventType; workspaceId: string; chatId: string; messageId?: string },
  payload: Record<string, unknown>,
): Promise<void> {
  await publish(db, event satisfies BusEvent);
  // CRM logging rides the same transaction as the message (a no-op without a Pipedrive connection).
  if (event.type === "message.created" && event.messageId) await enqueuePipedriveLog(db, { workspaceId: event.workspaceId, messageId: event.messageId });
  const subscribed = await db
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, event.workspaceId), sql`${webhooks.events} @> ${JSON.stringify([event.type])}::jsonb`));
  if (subscribed.length === 0) return;
  const body = { id: newId("evt"), type: event.type, occurredAt: new Date().toISOString(), data: payload };
  await db.insert(webhookDeliveries).values(
    subscribed.map((webhook) => ({
      workspaceId: event.workspaceId,
      id: newId("dlv"),
      webhookId: webhook.id,
      event: event.type,
      payload: body,
    })),
  );
}
