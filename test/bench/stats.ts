/** Latency summary of one case: nearest-rank percentiles over the timed samples. */
export type LatencySummary = { count: number; p50: number; p99: number; mean: number; max: number };

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (percentile: number) => sorted[Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1)] ?? Number.NaN;
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return { count: sorted.length, p50: rank(50), p99: rank(99), mean: sorted.length ? total / sorted.length : Number.NaN, max: sorted.at(-1) ?? Number.NaN };
}

export const milliseconds = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : "—");
