import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { webhookDeliveries, webhooks } from "../db/schema";
import { leaseQueue } from "../jobs/lease-queue";

// webhook_deliveries is both the queue (server/jobs/lease-queue.ts) and the delivery log the
// console shows: a delivery that ran out of attempts stays there as `failed`, the dead letter.

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const deliveryQueue = leaseQueue("webhooks", webhookDeliveries, [webhookDeliveries.workspaceId, webhookDeliveries.id]);

/** Where a delivery goes: its webhook's URL and secret (null if the webhook was deleted meanwhile). */
export async function deliveryTarget(db: Executor, delivery: DeliveryRow): Promise<{ url: string; secretEncrypted: string } | null> {
  const [target] = await db
    .select({ url: webhooks.url, secretEncrypted: webhooks.secretEncrypted })
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, delivery.workspaceId), eq(webhooks.id, delivery.webhookId)));
  return target ?? null;
}

/** Records a 2xx answer. */
export async function markDelivered(db: Executor, delivery: DeliveryRow, statusCode: number): Promise<void> {
  await deliveryQueue.complete(db, delivery, "delivered", { deliveredAt: sql`now()`, lastStatusCode: statusCode, lastError: null });
}
