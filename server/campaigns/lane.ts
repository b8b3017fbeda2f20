import { setTimeout as sleep } from "node:timers/promises";
import { and, eq } from "drizzle-orm";
import { whatsappAccounts } from "../db/schema";
import { newId } from "../ids";
import type { AccountRow } from "../inbox/providers";
import type { JobOutcome } from "../jobs/runner";
import type { Services } from "../services";
import { deferSendSlots } from "../whatsapp/pacing";
import { type ClaimedRecipient, type DeliveryOutcome, deliverRecipient, type LaneCampaign } from "./delivery";
import { noteCampaignProgress, noteCampaignsProgress } from "./progress";
import { claimRecipients, ensureChats, nextRunningCampaign, pauseCampaignsOfDisconnectedAccounts, releaseClaims } from "./queue";
import type { SendSlots } from "./send-slots";

/** One number's sending loop; a dispatcher runs several per number (server/campaigns/dispatcher.ts). */
export type Lane = { workspaceId: string; accountId: string };

/** What every lane of this process shares. */
export type LaneContext = {
  services: Services;
  slots: SendSlots;
  /** Per number, how many 130429 answers in a row (the back-off grows with it). */
  rateLimitStreaks: Map<string, number>;
};

/** Recipients a lane claims at a time (one statement); a crash puts unsent claims back in the queue. */
const claimBatch = 4;
const maxBackOffMs = 30_000;

type Target = { lane: Lane; campaign: LaneCampaign; account: AccountRow };

/**
 * Sends the number's running campaigns, oldest first, one recipient at a time: claim a few,
 * take a slot, send, record — until nothing is queued, the account is gone, or the runner stops.
 * A failure (the database, say) is logged and the loop goes on after a second.
 */
export async function runLane(context: LaneContext, lane: Lane, signal: AbortSignal): Promise<JobOutcome> {
  while (!signal.aborted) {
    try {
      const target = await nextTarget(context, lane);
      if (!target || !(await sendCampaign(context, target, signal))) return "done";
    } catch (error) {
      if (signal.aborted) break;
      context.services.logger.error({ err: error, accountId: lane.accountId }, "campaign lane failed; retrying");
      await sleep(1000, undefined, { signal }).catch(() => undefined);
    }
  }
  return "released";
}

/** The number's oldest running campaign with queued recipients, while the number is connected. */
async function nextTarget(context: LaneContext, lane: Lane): Promise<Target | null> {
  const db = context.services.database.db;
  const campaign = await nextRunningCampaign(db, lane.workspaceId, lane.accountId);
  if (!campaign) return null;
  const [account] = await db
    .select()
    .from(whatsappAccounts)
    .where(and(eq(whatsappAccounts.workspaceId, lane.workspaceId), eq(whatsappAccounts.id, lane.accountId)));
  return account?.status === "connected" ? { lane, campaign, account } : null;
}

/**
 * Claims and sends batches of one campaign until it has none left to claim (true: look for the
 * next campaign) or the number must stop (false). Claims not yet sent are given back on the way
 * out, however it ends; a crash leaves them to the dispatcher's recovery.
 */
async function sendCampaign(context: LaneContext, target: Target, signal: AbortSignal): Promise<boolean> {
  const db = context.services.database.db;
  while (!signal.aborted) {
    const claimed = await claimRecipients(db, target.lane.workspaceId, target.campaign.id, claimBatch);
    if (claimed.length === 0) return true;
    let unsent = claimed;
    try {
      const batch = await ensureChats(db, target.lane.accountId, claimed);
      for (const recipient of batch) {
        const outcome = await sendOne(context, target, recipient, signal);
        unsent = unsent.slice(1);
        // Paused or cancelled while it waited: the rest goes back to the queue (or stays skipped).
        if (outcome === "not_running") return true;
        if (!(await afterSend(context, target.lane, outcome, signal))) return false;
      }
    } finally {
      if (unsent.length > 0)
        await releaseClaims(db, unsent).catch((error: unknown) => context.services.logger.warn({ err: error }, "could not give back campaign claims"));
    }
  }
  return true;
}

/** Takes the recipient's slot (marking it `sending`), sends it and records the outcome. */
async function sendOne(context: LaneContext, target: Target, recipient: ClaimedRecipient, signal: AbortSignal): Promise<DeliveryOutcome | "not_running"> {
  const { services } = context;
  const messageId = recipient.messageId ?? newId("msg");
  const slotAt = await context.slots.take(recipient, target.lane.accountId, messageId, signal);
  if (!slotAt) return "not_running";
  const outcome = await deliverRecipient(services, target.account, target.campaign, { ...recipient, messageId }, slotAt);
  noteCampaignProgress(services.database.db, target.lane.workspaceId, target.campaign.id);
  return outcome;
}

/** Backs the number off after Meta's 130429; false when the lane should stop (token rejected). */
async function afterSend(context: LaneContext, lane: Lane, outcome: DeliveryOutcome, signal: AbortSignal): Promise<boolean> {
  const { services, rateLimitStreaks } = context;
  const db = services.database.db;
  const key = `${lane.workspaceId}:${lane.accountId}`;
  if (outcome.kind === "sent") rateLimitStreaks.delete(key);
  if (outcome.kind === "token_invalid") {
    noteCampaignsProgress(db, await pauseCampaignsOfDisconnectedAccounts(db));
    return false;
  }
  if (outcome.kind !== "requeued") return true;
  if (!outcome.rateLimited) {
    await sleep(500, undefined, { signal }).catch(() => undefined);
    return true;
  }
  const streak = (rateLimitStreaks.get(key) ?? 0) + 1;
  rateLimitStreaks.set(key, streak);
  const backOffMs = outcome.retryAfterMs ?? Math.min(maxBackOffMs, 250 * 2 ** (streak - 1));
  services.logger.warn({ accountId: lane.accountId, backOffMs }, "Meta answered 130429 (throughput exceeded): the number backs off");
  await deferSendSlots(db, lane.workspaceId, lane.accountId, backOffMs);
  return true;
}
