import { budgetFrom, pacingDelayMs, rateLimitWaitMs } from "../../../server/hubspot/api";

// Pacing by HubSpot's rate-limit headers (hubspot.md §4): X-HubSpot-RateLimit-Max, -Remaining and
// -Interval-Milliseconds on every answer; a 429 waits Retry-After when sent, else the interval.
const headers = (values: Record<string, string>) => new Headers(values);
const rateHeaders = (remaining: number) =>
  headers({ "X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": String(remaining), "X-HubSpot-RateLimit-Interval-Milliseconds": "10000" });

describe("pacing HubSpot calls", () => {
  it.each([
    { case: "plenty left: go", remaining: 50, elapsedMs: 100, waitMs: 0 },
    { case: "at the reserve (a tenth of the budget): go", remaining: 10, elapsedMs: 100, waitMs: 0 },
    { case: "below the reserve: wait out the rest of the interval", remaining: 9, elapsedMs: 2_500, waitMs: 7_500 },
    { case: "none left: wait out the rest of the interval", remaining: 0, elapsedMs: 9_000, waitMs: 1_000 },
    { case: "the interval since that answer has passed: go", remaining: 0, elapsedMs: 10_000, waitMs: 0 },
  ])("$case", ({ remaining, elapsedMs, waitMs }) => {
    const budget = budgetFrom(rateHeaders(remaining), 1_000_000);
    expect(budget).toEqual({ max: 100, remaining, intervalMs: 10_000, seenAt: 1_000_000 });
    expect(pacingDelayMs(budget, 1_000_000 + elapsedMs)).toBe(waitMs);
  });

  it("an answer without the headers sets no budget, and no budget means no wait", () => {
    expect(budgetFrom(headers({}), 0)).toBeUndefined();
    expect(pacingDelayMs(undefined, 0)).toBe(0);
  });

  it.each([
    { case: "Retry-After in seconds wins", values: { "Retry-After": "3", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000" }, waitMs: 3_000 },
    { case: "else the interval header", values: { "X-HubSpot-RateLimit-Interval-Milliseconds": "1000" }, waitMs: 1_000 },
    { case: "else ten seconds (TEN_SECONDLY_ROLLING)", values: {}, waitMs: 10_000 },
  ] as { case: string; values: Record<string, string>; waitMs: number }[])("a 429: $case", ({ values, waitMs }) => {
    expect(rateLimitWaitMs(headers(values))).toBe(waitMs);
  });
});
