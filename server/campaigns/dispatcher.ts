import { type JobRunner, startJobRunner } from "../jobs/runner";
import type { Services } from "../services";
import { type Lane, type LaneContext, runLane } from "./lane";
import { noteCampaignsProgress } from "./progress";
import {
  accountsWithRunningCampaigns,
  completeFinishedCampaigns,
  pauseCampaignsOfDisconnectedAccounts,
  recoverAbandonedSends,
  startDueCampaigns,
} from "./queue";
import { sendSlots } from "./send-slots";

export type CampaignDispatcherOptions = {
  /** How often to look for work when nothing wakes the dispatcher (default 1 s). */
  pollIntervalMs?: number;
  /** Concurrent sends per number in this process (default from the rate: 3 at 20/s, 9 at 80/s). */
  lanesPerAccount?: number;
  /** Default: config.campaigns.unknownOutcomeAfterMs. */
  unknownOutcomeAfterMs?: number;
};

/** `stop()` stops claiming, lets the sends in flight finish and record, then resolves. */
export type CampaignDispatcher = JobRunner;

/** Progress events wake the dispatcher (a launch in another process), but no more often than this. */
const minTickGapMs = 500;

/**
 * Lanes keep the rate with time to spare for each send's own round trips: a lane's cycle (claim,
 * slot, provider, record) is some twenty statements, so about 10 sends/s per lane on a busy host.
 */
export function defaultLanes(ratePerSecond: number): number {
  return Math.min(16, Math.max(2, Math.ceil(ratePerSecond / 10) + 1));
}

/**
 * Starts this process's campaign sender on the job runner (server/jobs/runner.ts). Each tick
 * (every second, or when a campaign changes anywhere) tidies the campaigns up and starts lanes —
 * send loops, server/campaigns/lane.ts — up to `lanesPerAccount` for every number with a running
 * campaign. Any number of processes may run one against the same database: recipients are
 * claimed with SKIP LOCKED and every send takes a slot of the number's shared schedule.
 */
export function startCampaignDispatcher(services: Services, options: CampaignDispatcherOptions = {}): CampaignDispatcher {
  const rate = services.config.whatsapp.sendRatePerSecond;
  const lanesPerAccount = options.lanesPerAccount ?? defaultLanes(rate);
  const unknownOutcomeAfterMs = options.unknownOutcomeAfterMs ?? services.config.campaigns.unknownOutcomeAfterMs;
  const context: LaneContext = { services, slots: sendSlots(services.database.db, rate), rateLimitStreaks: new Map() };
  const running = new Map<string, number>();
  const keyOf = (lane: Lane) => `${lane.workspaceId}:${lane.accountId}`;

  /** The lanes to start now: enough that every number with a running campaign has its full count. */
  const lanesToStart = async (): Promise<Lane[]> => {
    await tidyUpCampaigns(services, unknownOutcomeAfterMs);
    return (await accountsWithRunningCampaigns(services.database.db)).flatMap((lane) => {
      const missing = lanesPerAccount - (running.get(keyOf(lane)) ?? 0);
      running.set(keyOf(lane), lanesPerAccount);
      return Array.from({ length: Math.max(0, missing) }, () => lane);
    });
  };

  return startJobRunner(services, {
    name: "campaigns",
    claim: lanesToStart,
    run: (lane, signal) =>
      runLane(context, lane, signal).finally(() => {
        const left = (running.get(keyOf(lane)) ?? 1) - 1;
        if (left > 0) running.set(keyOf(lane), left);
        else running.delete(keyOf(lane));
      }),
    wakeOn: (event) => event.type === "campaign.progress",
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    // Lanes are bounded per number, above.
    concurrency: Number.MAX_SAFE_INTEGER,
    minWakeGapMs: minTickGapMs,
  });
}

/**
 * What a tick does besides starting lanes: recovers what a dead process left behind, pauses the
 * campaigns of disconnected numbers, starts scheduled campaigns and completes finished ones.
 */
async function tidyUpCampaigns(services: Services, unknownOutcomeAfterMs: number): Promise<void> {
  const db = services.database.db;
  noteCampaignsProgress(db, await recoverAbandonedSends(db, unknownOutcomeAfterMs));
  noteCampaignsProgress(db, await pauseCampaignsOfDisconnectedAccounts(db));
  noteCampaignsProgress(db, await startDueCampaigns(db));
  noteCampaignsProgress(db, await completeFinishedCampaigns(db));
}
