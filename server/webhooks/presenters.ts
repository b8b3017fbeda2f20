import type { webhookDeliveries, webhooks } from "../db/schema";

/** A webhook as the API shows it: never its secret, encrypted or not. */
export function presentWebhook(row: typeof webhooks.$inferSelect) {
  return { id: row.id, url: row.url, events: row.events, enabled: row.enabled, createdAt: row.createdAt.toISOString(), createdBy: row.createdBy };
}

/** One entry of a webhook's delivery log. */
export function presentDelivery(row: typeof webhookDeliveries.$inferSelect) {
  const payload = row.payload as { id?: unknown };
  return {
    id: row.id,
    event: row.event,
    eventId: typeof payload?.id === "string" ? payload.id : null,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}
