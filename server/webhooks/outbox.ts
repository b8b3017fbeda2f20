import { inArray, sql } from "drizzle-orm";
import { messageStoredCtes } from "../crm/message-stored";
import type { Executor } from "../db/client";
import { webhookDeliveries, webhooks } from "../db/schema";
import { type InboxEventType, publishAll } from "../events/bus";
import { newId } from "../ids";

export type InboxEvent = { type: InboxEventType; workspaceId: string; chatId: string; messageId?: string; previousResponsibleId?: string };

/**
 * Emits an inbox event in the caller's transaction: NOTIFY for live updates, and one pending
 * delivery for every webhook of the workspace subscribed to it (sent by the webhook worker).
 */
export async function emitInboxEvent(db: Executor, event: InboxEvent, payload: Record<string, unknown>): Promise<void> {
  await emitInboxEvents(db, [{ event, payload }]);
}

/**
 * emitInboxEvent for a batch, in a fixed few statements however many events there are.
 * `notify: false` leaves the live update to the caller, to publish after its commit
 * (EventHub.publishAfterCommit).
 */
export async function emitInboxEvents(
  db: Executor,
  batch: { event: InboxEvent; payload: Record<string, unknown> }[],
  options: { notify: boolean } = { notify: true },
): Promise<void> {
  if (batch.length === 0) return;
  if (options.notify)
    await publishAll(
      db,
      batch.map(({ event }) => event),
    );
  // CRM logging ("message stored", server/crm/message-stored.ts) rides the same transaction as
  // the message (a no-op without a CRM connection), in the same statement as the webhook lookup:
  // one round trip for all.
  const created = batch.flatMap(({ event }) =>
    event.type === "message.created" && event.messageId ? [{ workspaceId: event.workspaceId, messageId: event.messageId }] : [],
  );
  const workspaceIds = [...new Set(batch.map(({ event }) => event.workspaceId))];
  const types = [...new Set(batch.map(({ event }) => event.type))];
  const lookup = sql`select ${webhooks.id} as "id", ${webhooks.workspaceId} as "workspaceId", ${webhooks.events} as "events" from ${webhooks}
    where ${inArray(webhooks.workspaceId, workspaceIds)} and ${webhooks.enabled} and ${webhooks.events} ?| ${sql.raw(`array[${types.map((type) => `'${type}'`).join(", ")}]`)}`;
  const result = await db.execute<{ id: string; workspaceId: string; events: string[] }>(
    created.length > 0 ? sql`with ${messageStoredCtes(created)} ${lookup}` : lookup,
  );
  const subscribed = (result as unknown as { rows: { id: string; workspaceId: string; events: string[] }[] }).rows;
  if (subscribed.length === 0) return;
  const occurredAt = new Date().toISOString();
  const deliveries = batch.flatMap(({ event, payload }) => {
    const body = { id: newId("evt"), type: event.type, occurredAt, data: payload };
    return subscribed
      .filter((webhook) => webhook.workspaceId === event.workspaceId && (webhook.events as string[]).includes(event.type))
      .map((webhook) => ({ workspaceId: event.workspaceId, id: newId("dlv"), webhookId: webhook.id, event: event.type, payload: body }));
  });
  if (deliveries.length > 0) await db.insert(webhookDeliveries).values(deliveries);
}
