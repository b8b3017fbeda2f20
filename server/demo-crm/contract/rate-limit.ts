// Rate limits, https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting:
// - burst: per token, a rolling 2-second window; OAuth apps on the Lite plan get 80 requests per
//   window, and the Search API 10 whatever the plan. Answers carry `x-ratelimit-limit`,
//   `x-ratelimit-remaining` and `x-ratelimit-reset` (the seconds left in the window); one over the
//   limit is a 429;
// - daily budget: per company, 30,000 tokens × plan multiplier × seats; each request costs tokens
//   by kind (single entity 2, list 20, update 10, delete 6, search 40); once spent every request
//   is a 429 until the budget resets at midnight (the fakes use UTC's).
// `Retry-After` on the 429 (seconds) is RFC 6585 §4's header for it; the page names only the
// x-ratelimit-* headers (inferred).

export type RateLimitPlan = { burstLimit: number; searchBurstLimit: number; dailyBudget: number };

/** Lite, OAuth app, one seat. */
export const litePlan: RateLimitPlan = { burstLimit: 80, searchBurstLimit: 10, dailyBudget: 30_000 };
const windowMs = 2_000;

export type RateLimitVerdict = {
  headers: Record<string, string>;
  /** Set when the request is refused: which limit, and how long to wait. */
  refused: { limit: "burst" | "daily"; retryAfterSeconds: number; error: string } | null;
};

/** The token cost of a request (the page's table; create is priced as update, inferred). */
export function requestCost(method: string, path: string): number {
  const verb = method.toUpperCase();
  if (/\/search$/.test(path)) return 40;
  // One entity: its id last (or the caller's own user); anything else a GET answers is a list.
  if (verb === "GET") return /\/(\d+|me)$/.test(path) ? 2 : 20;
  if (verb === "DELETE") return 6;
  return 10;
}

/** Pipedrive's limiter for one imitation: `charge` once per API request. */
export function createRateLimiter(plan: RateLimitPlan = litePlan, now: () => number = Date.now) {
  const windows = new Map<string, number[]>();
  const spent = new Map<string, { day: string; tokens: number }>();

  function charge(request: { token: string; companyId: number | string; method: string; path: string }): RateLimitVerdict {
    const at = now();
    const search = /\/search$/.test(request.path);
    const limit = search ? plan.searchBurstLimit : plan.burstLimit;
    const key = `${search ? "search" : "api"}:${request.token}`;
    const recent = (windows.get(key) ?? []).filter((time) => time > at - windowMs);
    const resetSeconds = Math.max(1, Math.ceil(((recent[0] ?? at) + windowMs - at) / 1000));
    const day = new Date(at).toISOString().slice(0, 10);
    const company = String(request.companyId);
    const budget = spent.get(company)?.day === day ? (spent.get(company) as { tokens: number }) : { day, tokens: 0 };
    const cost = requestCost(request.method, request.path);
    if (budget.tokens + cost > plan.dailyBudget) {
      const midnight = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
      const headers = {
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-remaining": String(Math.max(0, limit - recent.length)),
        "x-ratelimit-reset": String(resetSeconds),
      };
      return { headers, refused: { limit: "daily", retryAfterSeconds: Math.ceil((midnight - at) / 1000), error: "Daily API token budget exceeded" } };
    }
    if (recent.length >= limit) {
      const headers = { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetSeconds) };
      windows.set(key, recent);
      return { headers, refused: { limit: "burst", retryAfterSeconds: resetSeconds, error: "Too many requests" } };
    }
    recent.push(at);
    windows.set(key, recent);
    spent.set(company, { day, tokens: budget.tokens + cost });
    const headers = { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(limit - recent.length), "x-ratelimit-reset": String(resetSeconds) };
    return { headers, refused: null };
  }

  return {
    charge,
    /** Spends a company's budget as other apps on the account would (the budget is shared). */
    spend(companyId: number | string, tokens: number) {
      const day = new Date(now()).toISOString().slice(0, 10);
      const current = spent.get(String(companyId));
      spent.set(String(companyId), { day, tokens: (current?.day === day ? current.tokens : 0) + tokens });
    },
    reset() {
      windows.clear();
      spent.clear();
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
