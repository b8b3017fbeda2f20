import { setTimeout as sleep } from "node:timers/promises";
import { and, eq } from "drizzle-orm";
import { whatsappAccounts } from "../db/schema";
import { newId } from "../ids";
import type { AccountRow } from "../inbox/providers";
import type { Services } from "../services";
import { deferSendSlots, slotTiming, slotWaitInDatabaseMs, tryAcquireSendSlot, wakeBeforeSlotMs } from "../whatsapp/pacing";
import { type DeliveryOutcome, deliverRecipient, type LaneCampaign } from "./delivery";
import { noteCampaignProgress } from "./progress";
import {
  accountsWithRunningCampaigns,
  type ClaimedRecipient,
  claimRecipients,
  completeFinishedCampaigns,
  ensureChats,
  markSending,
  nextRunningCampaign,
  pauseCampaignsOfDisconnectedAccounts,
  recoverAbandonedSends,
  releaseClaims,
  startDueCampaigns,
} from "./queue";

export type CampaignDispatcherOptions = {
  /** How often to look for work when nothing wakes the dispatcher (default 1 s). */
  pollIntervalMs?: number;
  /** Concurrent sends per number in this process (default from the rate: 3 at 20/s, 9 at 80/s). */
  lanesPerAccount?: number;
  /** Default: config.campaigns.unknownOutcomeAfterMs. */
  unknownOutcomeAfterMs?: number;
};

export type CampaignDispatcher = {
  /** Stops claiming, lets the sends in flight finish and record, then resolves. */
  stop(): Promise<void>;
  /** Stops at once, as if the process died: sends in flight record nothing (crash tests). */
  kill(): void;
};

/** Progress events wake the dispatcher (a launch in another process), but no more often than this. */
const minTickGapMs = 500;

const maxBackOffMs = 30_000;
/** Recipients a lane claims at a time (one statement); a crash puts unsent claims back in the queue. */
const claimBatch = 4;

/**
 * Lanes keep the rate with time to spare for each send's own round trips: a lane's cycle (claim,
 * slot, provider, record) is some twenty statements, so about 10 sends/s per lane on a busy host.
 */
export function defaultLanes(ratePerSecond: number): number {
  return Math.min(16, Math.max(2, Math.ceil(ratePerSecond / 10) + 1));
}

/**
 * Starts this process's campaign sender and registers it in `services.background`. Any number of
 * processes may run one against the same database: recipients are claimed with SKIP LOCKED and
 * every send takes a slot of the number's shared schedule (server/whatsapp/pacing.ts), as a bulk
 * send that yields to members' own messages. A tick (every second, or when a campaign changes)
 * recovers what a dead process left behind, starts scheduled campaigns, completes finished ones
 * and runs lanes — sequential send loops — for every account with a running campaign.
 */
export function startCampaignDispatcher(services: Services, options: CampaignDispatcherOptions = {}): CampaignDispatcher {
  const db = services.database.db;
  const rate = services.config.whatsapp.sendRatePerSecond;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const lanesPerAccount = options.lanesPerAccount ?? defaultLanes(rate);
  const unknownOutcomeAfterMs = options.unknownOutcomeAfterMs ?? services.config.campaigns.unknownOutcomeAfterMs;
  const stopping = new AbortController();
  let dead = false;
  const laneCounts = new Map<string, number>();
  const lanes = new Set<Promise<void>>();
  const rateLimitStreaks = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();
  let tickRunning = false;
  let tickAgain = false;
  let lastTickAt = 0;
  let stopped: Promise<void> | undefined;

  const progress = (keys: { workspaceId: string; campaignId: string }[]) => {
    for (const key of keys) noteCampaignProgress(db, key.workspaceId, key.campaignId);
  };

  const scheduleTick = (delayMs: number) => {
    if (stopping.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
  };

  const tick = async () => {
    if (tickRunning) {
      tickAgain = true;
      return;
    }
    tickRunning = true;
    ticking = (async () => {
      try {
        progress(await recoverAbandonedSends(db, unknownOutcomeAfterMs));
        progress(await pauseCampaignsOfDisconnectedAccounts(db));
        progress(await startDueCampaigns(db));
        progress(await completeFinishedCampaigns(db));
        for (const account of await accountsWithRunningCampaigns(db)) ensureLanes(account.workspaceId, account.accountId);
      } catch (error) {
        if (!stopping.signal.aborted) services.logger.error({ err: error }, "campaign dispatcher tick failed");
      }
    })();
    await ticking;
    tickRunning = false;
    lastTickAt = Date.now();
    scheduleTick(tickAgain ? minTickGapMs : pollIntervalMs);
    tickAgain = false;
  };

  const ensureLanes = (workspaceId: string, accountId: string) => {
    const key = `${workspaceId}:${accountId}`;
    for (let running = laneCounts.get(key) ?? 0; running < lanesPerAccount && !stopping.signal.aborted; running++) {
      laneCounts.set(key, running + 1);
      const lane: Promise<void> = runLane(workspaceId, accountId)
        // A lane that fails ends; the next tick starts another. Its rejection must not end the process.
        .catch((error: unknown) => services.logger.error({ err: error, accountId }, "campaign lane stopped"))
        .finally(() => {
          laneCounts.set(key, (laneCounts.get(key) ?? 1) - 1);
          lanes.delete(lane);
        });
      lanes.add(lane);
    }
  };

  /** One send loop for one number: claim, slot, send, record — until its campaigns have nothing queued. */
  const runLane = async (workspaceId: string, accountId: string) => {
    let campaign: LaneCampaign | null = null;
    let account: AccountRow | undefined;
    let claims: ClaimedRecipient[] = [];
    const giveBack = async () => {
      const held = claims;
      claims = [];
      if (!dead && held.length > 0) await releaseClaims(db, held);
    };
    try {
      while (!stopping.signal.aborted) {
        try {
          if (!campaign || !account) {
            campaign = await nextRunningCampaign(db, workspaceId, accountId);
            [account] = await db
              .select()
              .from(whatsappAccounts)
              .where(and(eq(whatsappAccounts.workspaceId, workspaceId), eq(whatsappAccounts.id, accountId)));
            if (!campaign || account?.status !== "connected") return;
          }
          if (claims.length === 0) {
            const claimed = await claimRecipients(db, workspaceId, campaign.id, claimBatch);
            claims = await ensureChats(db, accountId, claimed).catch(async (error: unknown) => {
              await releaseClaims(db, claimed);
              throw error;
            });
          }
          if (dead) return;
          const recipient = claims.shift();
          if (!recipient) {
            campaign = null;
            continue;
          }
          const messageId = recipient.messageId ?? newId("msg");
          const slotAt = await takeSlot(recipient, accountId, messageId).catch(async (error: unknown) => {
            claims.unshift(recipient);
            throw error;
          });
          if (dead) return;
          if (!slotAt) {
            // Paused or cancelled while it waited: back to the queue (or it stays skipped).
            claims.unshift(recipient);
            await giveBack();
            campaign = null;
            continue;
          }
          const outcome = await deliverRecipient(services, account, campaign, { ...recipient, messageId }, slotAt, () => !dead);
          if (dead) return;
          noteCampaignProgress(db, workspaceId, campaign.id);
          if (!(await afterDelivery(workspaceId, accountId, outcome))) return;
        } catch (error) {
          if (stopping.signal.aborted) return;
          services.logger.error({ err: error, accountId }, "campaign lane failed; retrying");
          // The database may be the failure: claims it can't take back now are requeued by the
          // tick's recovery once they are older than unknownOutcomeAfterMs.
          await giveBack().catch((giveBackError: unknown) => services.logger.warn({ err: giveBackError }, "could not give back campaign claims"));
          campaign = null;
          await sleep(1000, undefined, { signal: stopping.signal }).catch(() => undefined);
        }
      }
    } finally {
      await giveBack().catch((error: unknown) => services.logger.warn({ err: error }, "could not give back campaign claims"));
    }
  };

  /**
   * Waits for the number's next bulk slot and, in the same statement, marks the claimed recipient
   * `sending` at the slot's time: the slot is taken last, right before the provider call, so the
   * rate holds where Meta counts it. Null when the campaign stopped running meanwhile (that slot
   * goes unused, which only delays the next send).
   */
  const takeSlot = (recipient: ClaimedRecipient, accountId: string, messageId: string): Promise<Date | null> =>
    // One lane of this process asks for the number's slot at a time: the others would only wake
    // together at the same instant and all but one ask in vain.
    oneAtATime(`${recipient.workspaceId}:${accountId}`, async () => {
      const key = `${recipient.workspaceId}:${accountId}`;
      // The slot after the one this process took last is due one spacing later: ask for it just
      // before then (the database waits out the rest) instead of first asking how long to wait.
      const expectedInMs = (expectedSlots.get(key) ?? 0) - Date.now();
      if (expectedInMs > 0) await sleep(wakeBeforeSlotMs(expectedInMs), undefined, { signal: stopping.signal });
      for (;;) {
        stopping.signal.throwIfAborted();
        const attempt = await tryAcquireSendSlot(db, recipient.workspaceId, accountId, rate, "bulk", markSending(recipient, messageId), slotWaitInDatabaseMs);
        if ("acquiredAt" in attempt) {
          expectedSlots.set(key, attempt.acquiredAt.getTime() + spacingMs);
          return attempt.changed === 1 ? attempt.acquiredAt : null;
        }
        await sleep(wakeBeforeSlotMs(attempt.waitMs), undefined, { signal: stopping.signal });
      }
    });
  /** Per number, when the slot after the last one this process took falls due (epoch ms). */
  const expectedSlots = new Map<string, number>();
  const spacingMs = slotTiming(rate).spacingMicros / 1000;
  const slotQueues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = slotQueues.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    const settled = current.catch(() => undefined);
    slotQueues.set(key, settled);
    void settled.then(() => {
      if (slotQueues.get(key) === settled) slotQueues.delete(key);
    });
    return current;
  };

  /** Backs the number off after Meta's 130429; false when the lane should stop (token rejected). */
  const afterDelivery = async (workspaceId: string, accountId: string, outcome: DeliveryOutcome): Promise<boolean> => {
    const key = `${workspaceId}:${accountId}`;
    if (outcome.kind === "sent") rateLimitStreaks.delete(key);
    if (outcome.kind === "token_invalid") {
      progress(await pauseCampaignsOfDisconnectedAccounts(db));
      return false;
    }
    if (outcome.kind !== "requeued") return true;
    if (outcome.rateLimited) {
      const streak = (rateLimitStreaks.get(key) ?? 0) + 1;
      rateLimitStreaks.set(key, streak);
      const backOffMs = outcome.retryAfterMs ?? Math.min(maxBackOffMs, 250 * 2 ** (streak - 1));
      services.logger.warn({ accountId, backOffMs }, "Meta answered 130429 (throughput exceeded): the number backs off");
      await deferSendSlots(db, workspaceId, accountId, backOffMs);
    } else {
      await sleep(500, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
    return true;
  };

  // Launches, approvals, resumes and progress from any process wake the dispatcher.
  const unsubscribe = services.events.subscribe((event) => {
    if (event.type === "campaign.progress") scheduleTick(Math.max(0, lastTickAt + minTickGapMs - Date.now()));
  });

  const dispatcher: CampaignDispatcher = {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        clearTimeout(timer);
        unsubscribe();
        await ticking;
        // A killed dispatcher's lanes may wait forever on a provider that never answers.
        if (!dead) await Promise.allSettled([...lanes]);
        services.background.delete(dispatcher);
      })();
      return stopped;
    },
    kill() {
      dead = true;
      stopping.abort();
      clearTimeout(timer);
      unsubscribe();
      services.background.delete(dispatcher);
    },
  };
  services.background.add(dispatcher);
  scheduleTick(0);
  return dispatcher;
}
