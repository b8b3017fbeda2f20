/** The wait before the next attempt after `failedAttempts` attempts failed; null when none is left (dead-letter). */
export type Backoff = (failedAttempts: number) => number | null;

/**
 * Waits listed one by one (one more attempt than there are waits), each spread by ±`jitterRatio`
 * so jobs that failed together do not retry in lockstep. `random` returns [0, 1).
 */
export function listedBackoff(delaysMs: readonly number[], jitterRatio: number, random: () => number = Math.random): Backoff {
  return (failedAttempts) => {
    const base = delaysMs[failedAttempts - 1];
    if (base === undefined) return null;
    const factor = 1 - jitterRatio + 2 * jitterRatio * random();
    return Math.max(0, Math.round(base * factor));
  };
}

/** `firstMs`, doubling, capped at `capMs`, for `maxAttempts` attempts in all. */
export function doublingBackoff(options: { firstMs: number; capMs: number; maxAttempts: number }): Backoff {
  return (failedAttempts) => (failedAttempts >= options.maxAttempts ? null : Math.min(options.firstMs * 2 ** (failedAttempts - 1), options.capMs));
}
