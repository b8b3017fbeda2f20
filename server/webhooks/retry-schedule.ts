import { listedBackoff } from "../jobs/backoff";

/**
 * Waits after the 1st, 2nd, … failed attempt: roughly exponential, ~21 hours in all, so a
 * receiver that is down overnight still gets its events. One more attempt than there are waits.
 */
export const defaultRetryDelaysMs: readonly number[] = [10e3, 60e3, 5 * 60e3, 30 * 60e3, 2 * 3600e3, 6 * 3600e3, 12 * 3600e3];

/** Spread of each wait, ±20 %, so deliveries that failed together do not retry in lockstep. */
export const defaultJitterRatio = 0.2;

export type RetrySchedule = { delaysMs: readonly number[]; jitterRatio: number };

/** How many attempts a delivery gets before it is marked failed. */
export function maxAttempts(schedule: RetrySchedule): number {
  return schedule.delaysMs.length + 1;
}

/**
 * The wait after `failedAttempts` attempts have failed, jittered; null when none is left.
 * `random` returns [0, 1) (injectable so the jitter is testable).
 */
export function retryDelayMs(schedule: RetrySchedule, failedAttempts: number, random: () => number = Math.random): number | null {
  return listedBackoff(schedule.delaysMs, schedule.jitterRatio, random)(failedAttempts);
}
