import type { Services } from "../services";
import { hubspotAccessToken } from "./tokens";

// HubSpot's CRM API on its dated 2026-03 paths (hubspot.md §0, §4), as a thin fetch client.
// @hubspot/api-client is not used here: its CRM modules call /crm/v3 and /crm/v4, its request
// layer (apiRequest) adds nothing we need over fetch — it never throws on 4xx/5xx, so statuses and
// the rate-limit headers are ours to read anyway — and its limiter is one process-wide singleton
// that the last `new Client` resets (§6), where the budget is per portal.
//
// Pacing (hubspot.md §4): OAuth apps get 100 (or 110) requests per 10 s per portal; every answer
// carries X-HubSpot-RateLimit-Max, -Remaining and -Interval-Milliseconds. A portal whose last
// answer left less than a tenth of the budget waits out the interval before the next background
// call (the card's reads share the budget); a 429 waits Retry-After, else the interval, else 10 s.

/** HubSpot asked us to wait (429), or the budget we saw is nearly spent: try again after `retryAfterMs`. */
export class HubspotRateLimited extends Error {
  override readonly name = "HubspotRateLimited";
  constructor(
    readonly retryAfterMs: number,
    message: string,
  ) {
    super(message);
  }
}

/** A HubSpot answer we can't use: `not_found` (the record is gone), `rejected` (4xx), `unavailable` (5xx, network). */
export class HubspotApiError extends Error {
  override readonly name = "HubspotApiError";
  constructor(
    readonly reason: "not_found" | "rejected" | "unauthorized" | "unavailable",
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export type HubspotApi = {
  hubId: number;
  /** A JSON request on `path` (a dated path); answers the parsed 2xx body, throws the errors above otherwise. */
  request<T = unknown>(method: "GET" | "POST" | "PATCH", path: string, body?: unknown): Promise<T>;
};

type Budget = { max: number; remaining: number; intervalMs: number; seenAt: number };
const budgets = new WeakMap<Services, Map<number, Budget>>();
const defaultIntervalMs = 10_000;
const requestTimeoutMs = 20_000;

/** The wait the last answer's rate-limit headers ask of a background call (0: go ahead). */
export function pacingDelayMs(budget: Budget | undefined, now: number): number {
  if (!budget) return 0;
  const elapsed = now - budget.seenAt;
  if (elapsed >= budget.intervalMs) return 0;
  const reserve = Math.max(1, Math.floor(budget.max / 10));
  return budget.remaining < reserve ? budget.intervalMs - elapsed : 0;
}

/** The budget an answer's X-HubSpot-RateLimit-* headers describe, or undefined without them. */
export function budgetFrom(headers: Headers, now: number): Budget | undefined {
  const max = Number(headers.get("x-hubspot-ratelimit-max"));
  const remaining = Number(headers.get("x-hubspot-ratelimit-remaining"));
  const intervalMs = Number(headers.get("x-hubspot-ratelimit-interval-milliseconds")) || defaultIntervalMs;
  if (!headers.has("x-hubspot-ratelimit-remaining") || !Number.isFinite(max) || !Number.isFinite(remaining)) return undefined;
  return { max, remaining, intervalMs, seenAt: now };
}

/** How long a 429 asks us to wait: Retry-After (seconds) when sent, else the interval header, else ten seconds. */
export function rateLimitWaitMs(headers: Headers): number {
  const retryAfter = Number(headers.get("retry-after"));
  if (headers.has("retry-after") && Number.isFinite(retryAfter) && retryAfter >= 0) return Math.ceil(retryAfter * 1000);
  return Number(headers.get("x-hubspot-ratelimit-interval-milliseconds")) || defaultIntervalMs;
}

/**
 * The workspace's portal as an API client, with a fresh access token. A 401 is not taken as
 * expiry (hubspot.md §3) but answered once by a forced refresh: a refused refresh marks the
 * connection reconnect_required (tokens.ts) and throws HubspotReconnectRequired.
 */
export async function hubspotApi(services: Services, workspaceId: string, now: () => number = Date.now): Promise<HubspotApi> {
  let { accessToken, hubId } = await hubspotAccessToken(services, workspaceId, now);
  const portalBudgets = budgets.get(services) ?? new Map<number, Budget>();
  budgets.set(services, portalBudgets);
  const base = services.config.hubspot.apiUrl;

  const send = async (method: string, path: string, body: unknown): Promise<Response> => {
    const wait = pacingDelayMs(portalBudgets.get(hubId), now());
    if (wait > 0) throw new HubspotRateLimited(wait, `HubSpot's ten-second budget for portal ${hubId} is nearly spent`);
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw new HubspotApiError("unavailable", `HubSpot could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return {
    hubId,
    async request<T>(method: "GET" | "POST" | "PATCH", path: string, body?: unknown): Promise<T> {
      let response = await send(method, path, body);
      if (response.status === 401) {
        await response.body?.cancel();
        // Forces a refresh (as if the token were about to expire); refused = uninstalled, marked by tokens.ts.
        ({ accessToken, hubId } = await hubspotAccessToken(services, workspaceId, () => now() + 60 * 60 * 1000));
        response = await send(method, path, body);
        if (response.status === 401) throw new HubspotApiError("unauthorized", `HubSpot refused a fresh token for ${method} ${path}`, 401);
      }
      if (response.status === 429) {
        await response.body?.cancel();
        throw new HubspotRateLimited(rateLimitWaitMs(response.headers), `HubSpot answered 429 to ${method} ${path}`);
      }
      const budget = budgetFrom(response.headers, now());
      if (budget) portalBudgets.set(hubId, budget);
      const json: unknown = await response.json().catch(() => null);
      if (response.ok) return json as T;
      const detail = (json as { message?: string; category?: string } | null) ?? {};
      const message = `HubSpot answered ${response.status} to ${method} ${path}: ${detail.category ?? ""} ${detail.message ?? ""}`.trim();
      if (response.status === 404) throw new HubspotApiError("not_found", message, 404);
      throw new HubspotApiError(response.status >= 500 ? "unavailable" : "rejected", message, response.status);
    },
  };
}
