import { decryptSecret } from "../crypto/secrets";
import { inboxEventTypes } from "../events/bus";
import type { Services } from "../services";
import { type AttemptOutcome, attemptDelivery } from "./attempt";
import { type ClaimedDelivery, claimDueDeliveries, markAttemptFailed, markDelivered, releaseClaim } from "./delivery-queue";
import { defaultJitterRatio, defaultRetryDelaysMs, type RetrySchedule, retryDelayMs } from "./retry-schedule";
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

export type WebhookWorker = { stop(): Promise<void> };

const inboxEvents: readonly string[] = inboxEventTypes;

/**
 * Starts this process's webhook delivery loop and registers it in `services.background`. Any
 * number of processes may run one against the same database; each delivery is leased by one.
 */
export function startWebhookWorker(services: Services, options: WebhookWorkerOptions = {}): WebhookWorker {
  const db = services.database.db;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const concurrency = options.concurrency ?? 10;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const schedule: RetrySchedule = { delaysMs: options.retryDelaysMs ?? defaultRetryDelaysMs, jitterRatio: options.jitterRatio ?? defaultJitterRatio };
  // Long enough that a lease never lapses while its attempt (bounded by timeoutMs) is still running.
  const leaseMs = 2 * timeoutMs + 30_000;
  const policy = webhookUrlPolicy(services.config);
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let pollAgain = false;
  let currentPoll: Promise<void> = Promise.resolve();
  let stopped: Promise<void> | undefined;

  const scheduleNextPoll = (delayMs: number) => {
    if (stopping.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(() => void poll(), delayMs);
  };

  const deliver = async (claim: ClaimedDelivery) => {
    let outcome: AttemptOutcome;
    try {
      outcome = await attemptDelivery({
        url: claim.url,
        secret: decryptSecret(services.config.encryptionKey, claim.secretEncrypted),
        rawBody: JSON.stringify(claim.payload),
        event: claim.event,
        deliveryId: claim.id,
        policy,
        lookup: options.lookup,
        timeoutMs,
        stopSignal: stopping.signal,
      });
    } catch (error) {
      outcome = { kind: "failed", statusCode: null, error: `Not sent: ${(error as Error).message}` };
    }
    if (outcome.kind === "delivered") await markDelivered(db, claim, outcome.statusCode);
    else if (outcome.kind === "interrupted") await releaseClaim(db, claim);
    // Past the last wait in the schedule there is none: the delivery is failed for good.
    else await markAttemptFailed(db, claim, { ...outcome, retryInMs: retryDelayMs(schedule, claim.attempt) });
  };

  const track = (claim: ClaimedDelivery) => {
    const running: Promise<void> = deliver(claim)
      .catch((error) => services.logger.error({ err: error, deliveryId: claim.id }, "webhook delivery could not be recorded"))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  const poll = async () => {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    let backlog = false;
    currentPoll = (async () => {
      try {
        const capacity = concurrency - inFlight.size;
        if (capacity <= 0 || stopping.signal.aborted) return;
        const claims = await claimDueDeliveries(db, { limit: capacity, leaseMs });
        for (const claim of claims) track(claim);
        backlog = claims.length === capacity;
      } catch (error) {
        if (!stopping.signal.aborted) services.logger.error({ err: error }, "webhook worker could not poll");
      }
    })();
    await currentPoll;
    polling = false;
    scheduleNextPoll(backlog || pollAgain ? 0 : pollIntervalMs);
    pollAgain = false;
  };

  // Wake on new inbox events (NOTIFY arrives after commit, so their deliveries are visible).
  const unsubscribe = services.events.subscribe((event) => {
    if (inboxEvents.includes(event.type)) scheduleNextPoll(0);
  });

  const worker: WebhookWorker = {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        clearTimeout(timer);
        unsubscribe();
        await currentPoll;
        await Promise.allSettled([...inFlight]);
        services.background.delete(worker);
      })();
      return stopped;
    },
  };
  services.background.add(worker);
  scheduleNextPoll(0);
  return worker;
}
