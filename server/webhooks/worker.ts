import { decryptSecret } from "../crypto/secrets";
import { inboxEventTypes } from "../events/bus";
import { listedBackoff } from "../jobs/backoff";
import { type JobOutcome, type JobRunner, startJobRunner } from "../jobs/runner";
import type { Services } from "../services";
import { attemptDelivery } from "./attempt";
import { type DeliveryRow, deliveryQueue, deliveryTarget, markDelivered, markTurnedOff } from "./delivery-queue";
import { payloadAsConfigured } from "./number-masking";
import { defaultJitterRatio, defaultRetryDelaysMs } from "./retry-schedule";
import { type HostLookup, webhookUrlPolicy } from "./url-policy";

export type WebhookWorkerOptions = {
  /** How often to look for due deliveries (default 500 ms); new events also wake the worker at once. */
  pollIntervalMs?: number;
  /** Deliveries in flight at most in this process (default 10). */
  concurrency?: number;
  /** Per attempt, DNS included (default 10 s). */
  timeoutMs?: number;
  /** Waits after each failed attempt; the number of attempts is one more (default ~21 h, 8 attempts). */
  retryDelaysMs?: readonly number[];
  jitterRatio?: number;
  /** Resolves receiver host names (default dns.lookup, all addresses). */
  lookup?: HostLookup;
};

export type WebhookWorker = JobRunner;

const inboxEvents: readonly string[] = inboxEventTypes;

/**
 * Starts this process's webhook delivery worker on the job runner (server/jobs/): each due
 * delivery is leased by one process, POSTed once, and recorded as delivered, retried after the
 * schedule's wait, or failed for good past its last wait.
 */
export function startWebhookWorker(services: Services, options: WebhookWorkerOptions = {}): WebhookWorker {
  const db = services.database.db;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const backoff = listedBackoff(options.retryDelaysMs ?? defaultRetryDelaysMs, options.jitterRatio ?? defaultJitterRatio);
  // Long enough that a lease never lapses while its attempt (bounded by timeoutMs) is still running.
  const leaseMs = 2 * timeoutMs + 30_000;
  const policy = webhookUrlPolicy(services.config);

  const deliver = async (delivery: DeliveryRow, signal: AbortSignal): Promise<JobOutcome> => {
    const target = await deliveryTarget(db, delivery);
    if (!target) return "done";
    if (!target.enabled) {
      await markTurnedOff(db, delivery);
      return "done";
    }
    const payload = await payloadAsConfigured(db, delivery, target.createdBy);
    const outcome = await Promise.resolve()
      .then(() =>
        attemptDelivery({
          url: target.url,
          secret: decryptSecret(services.config.encryptionKey, target.secretEncrypted),
          rawBody: JSON.stringify(payload),
          event: delivery.event,
          deliveryId: delivery.id,
          policy,
          lookup: options.lookup,
          timeoutMs,
          stopSignal: signal,
        }),
      )
      .catch((error: Error) => ({ kind: "failed" as const, statusCode: null, error: `Not sent: ${error.message}` }));
    if (outcome.kind === "delivered") {
      await markDelivered(db, delivery, outcome.statusCode);
      return "done";
    }
    if (outcome.kind === "interrupted") {
      await deliveryQueue.release(db, delivery);
      return "released";
    }
    return deliveryQueue.fail(db, delivery, { error: outcome.error, backoff, set: { lastStatusCode: outcome.statusCode } });
  };

  return startJobRunner(services, {
    name: "webhooks",
    claim: (limit) => deliveryQueue.claim(db, { limit, leaseMs }),
    run: deliver,
    wakeOn: (event) => inboxEvents.includes(event.type),
    pollIntervalMs: options.pollIntervalMs ?? 500,
    concurrency: options.concurrency ?? 10,
  });
}
