import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { webhookDeliveries, webhooks } from "../db/schema";
import { leaseQueue } from "../jobs/lease-queue";

// webhook_deliveries is both the queue (server/jobs/lease-queue.ts) and the delivery log the
// console shows: a delivery that ran out of attempts stays there as `failed`, the dead letter.

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const deliveryQueue = leaseQueue("webhooks", webhookDeliveries, [webhookDeliveries.workspaceId, webhookDeliveries.id]);

/** What a delivery of a webhook that was turned off says in the log. */
export const turnedOffError = "The webhook was turned off before this was delivered.";

/**
 * Where a delivery goes: its webhook's URL, secret, whether it is on and who configured it (null
 * if the webhook was deleted meanwhile).
 */
export async function deliveryTarget(
  db: Executor,
  delivery: DeliveryRow,
): Promise<{ url: string; secretEncrypted: string; enabled: boolean; createdBy: string } | null> {
  const [target] = await db
    .select({ url: webhooks.url, secretEncrypted: webhooks.secretEncrypted, enabled: webhooks.enabled, createdBy: webhooks.createdBy })
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, delivery.workspaceId), eq(webhooks.id, delivery.webhookId)));
  return target ?? null;
}

/** Records a 2xx answer. */
export async function markDelivered(db: Executor, delivery: DeliveryRow, statusCode: number): Promise<void> {
  await deliveryQueue.complete(db, delivery, "delivered", { deliveredAt: sql`now()`, lastStatusCode: statusCode, lastError: null });
}

/** Ends a delivery whose webhook is off (queued by a transaction that read it as on just before). */
export async function markTurnedOff(db: Executor, delivery: DeliveryRow): Promise<void> {
  await deliveryQueue.complete(db, delivery, "failed", { lastError: turnedOffError });
}

/** When a webhook is turned off: its waiting deliveries fail (Retry sends them once it is on again). Answers how many. */
export async function failWaitingDeliveries(db: Executor, workspaceId: string, webhookId: string): Promise<number> {
  const failed = await db
    .update(webhookDeliveries)
    .set({ status: "failed", lastError: turnedOffError })
    .where(and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.status, "pending")))
    .returning({ id: webhookDeliveries.id });
  return failed.length;
}

/**
 * Queues a failed delivery again, due now: one more attempt (its `attempts` keep counting, so
 * past the retry schedule a new failure is final at once). Null if it is no longer failed.
 */
export async function requeueFailedDelivery(db: Executor, workspaceId: string, deliveryId: string): Promise<DeliveryRow | null> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: sql`now()` })
    .where(and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "failed")))
    .returning();
  return row ?? null;
}
