import { setTimeout as sleep } from "node:timers/promises";
import type { Executor } from "../db/client";
import { slotTiming, slotWaitInDatabaseMs, tryAcquireSendSlot, wakeBeforeSlotMs } from "../whatsapp/pacing";
import type { ClaimedRecipient } from "./delivery";
import { markSending } from "./queue";

/** Takes a number's bulk send slots for this process's lanes. */
export type SendSlots = {
  /**
   * Waits for the number's next bulk slot and, in the same statement, marks the claimed recipient
   * `sending` at the slot's time (its idempotency record, committed before the provider call).
   * Null when the campaign stopped running meanwhile (that slot goes unused).
   */
  take(recipient: ClaimedRecipient, accountId: string, messageId: string, signal: AbortSignal): Promise<Date | null>;
};

/**
 * The slot is taken last, right before the provider call, so the rate holds where Meta counts it
 * (server/whatsapp/pacing.ts keeps each number's schedule, shared by every process). One lane of
 * this process asks for a number's slot at a time: the others would only wake together at the
 * same instant and all but one ask in vain.
 */
export function sendSlots(db: Executor, ratePerSecond: number): SendSlots {
  const spacingMs = slotTiming(ratePerSecond).spacingMicros / 1000;
  /** Per number, when the slot after the last one this process took falls due (epoch ms). */
  const expectedSlots = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();

  const oneAtATime = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const current = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    const settled = current.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return current;
  };

  return {
    take(recipient, accountId, messageId, signal) {
      const key = `${recipient.workspaceId}:${accountId}`;
      return oneAtATime(key, async () => {
        // Ask for the slot after the one this process took last just before it falls due (the
        // database waits out the rest) instead of first asking how long to wait.
        const expectedInMs = (expectedSlots.get(key) ?? 0) - Date.now();
        if (expectedInMs > 0) await sleep(wakeBeforeSlotMs(expectedInMs), undefined, { signal });
        for (;;) {
          signal.throwIfAborted();
          const attempt = await tryAcquireSendSlot(
            db,
            recipient.workspaceId,
            accountId,
            ratePerSecond,
            "bulk",
            markSending(recipient, messageId),
            slotWaitInDatabaseMs,
          );
          if ("acquiredAt" in attempt) {
            expectedSlots.set(key, attempt.acquiredAt.getTime() + spacingMs);
            return attempt.changed === 1 ? attempt.acquiredAt : null;
          }
          await sleep(wakeBeforeSlotMs(attempt.waitMs), undefined, { signal });
        }
      });
    },
  };
}
