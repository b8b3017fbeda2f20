import { and, eq, lt, sql } from "drizzle-orm";
import { members, securityEvents, users } from "../db/schema";
import { HttpProblem } from "../http/problem";
import { newId } from "../ids";
import type { Services } from "../services";
import { recordAudit } from "./recorder";

// Refused credentials, recorded with the address and user agent they came from. An event of a
// workspace (a failed login for one of its members, a forged webhook for one of its numbers) is
// an entry of that workspace's activity log, seen by `audit.view`; one that belongs to no
// workspace goes to the global security_events table and the server log, for the operator only.

export const securityEventKinds = ["login.failed", "login.rate_limited", "webhook.signature_refused", "panel_token.refused"] as const;
export type SecurityEventKind = (typeof securityEventKinds)[number];

export type SecurityEvent = {
  kind: SecurityEventKind;
  /** The workspace it concerns, when one is known for sure; otherwise the event is global. */
  workspaceId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
};

/**
 * Each (kind, workspace) pair — and each kind of global event — records at most this many events
 * per minute and process; the rest are counted, and the next recorded one says how many were
 * left out (`suppressed`). Whoever can make us refuse things cannot make the logs grow unboundedly.
 */
export const securityEventBudget = { events: 10, windowMs: 60_000 };
/** Global events older than this are deleted (at most once an hour per process, while recording). */
export const securityEventRetentionDays = 90;
const pruneEveryMs = 60 * 60_000;
const maxUserAgentLength = 512;

type Window = { startedAt: number; recorded: number; suppressed: number };
type Throttle = { windows: Map<string, Window>; lastPrunedAt: number };
const throttles = new WeakMap<object, Throttle>();

type SecurityServices = Pick<Services, "database" | "logger" | "config">;

/**
 * Records a security event in its own transaction; never throws (a failure is logged). Call it
 * without awaiting from a handler that is about to refuse: it must not join — and be rolled back
 * with — the request's transaction, and on PGlite it runs once that transaction is over.
 */
export async function recordSecurityEvent(services: SecurityServices, event: SecurityEvent): Promise<void> {
  try {
    const suppressed = admit(services, `${event.kind}|${event.workspaceId ?? "global"}`);
    if (suppressed === null) return;
    const userAgent = event.userAgent?.slice(0, maxUserAgentLength) ?? null;
    const details = suppressed > 0 ? { ...event.detail, suppressed } : event.detail;
    const log = { securityEvent: event.kind, workspaceId: event.workspaceId ?? null, ip: event.ip, userAgent, ...details };
    const db = services.database.db;
    if (event.workspaceId) {
      const workspaceId = event.workspaceId;
      await db.transaction((tx) =>
        recordAudit(tx, services.config.auditChainKey, {
          workspaceId,
          actorId: null,
          action: event.kind,
          targetType: event.targetType ?? null,
          targetId: event.targetId ?? null,
          ip: event.ip,
          userAgent,
          details,
        }),
      );
    } else {
      await db.insert(securityEvents).values({ id: newId("sev"), kind: event.kind, ip: event.ip, userAgent, details });
      await pruneIfDue(services);
    }
    services.logger.warn(log, `security event: ${event.kind}`);
  } catch (error) {
    services.logger.error({ err: error, securityEvent: event.kind }, "could not record a security event");
  }
}

/**
 * A refused login (wrong password, or too many attempts) for `email`: in the activity log of the
 * workspace the account last logged in to when the account exists, else global.
 */
export async function recordLoginRefusal(
  services: SecurityServices,
  meta: { ip: string | null; userAgent: string | null },
  refusal: { kind: "login.failed" | "login.rate_limited"; email: string; reason?: string },
): Promise<void> {
  let member: { id: string; workspaceId: string } | undefined;
  try {
    [member] = await services.database.db
      .select({ id: members.id, workspaceId: members.workspaceId })
      .from(users)
      .innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, users.lastWorkspaceId)))
      .where(eq(users.email, refusal.email));
  } catch (error) {
    services.logger.error({ err: error }, "could not find the workspace of a refused login");
  }
  await recordSecurityEvent(services, {
    kind: refusal.kind,
    workspaceId: member?.workspaceId ?? null,
    targetType: member ? "member" : null,
    targetId: member?.id ?? null,
    ip: meta.ip,
    userAgent: meta.userAgent,
    detail: { email: refusal.email, ...(refusal.reason ? { reason: refusal.reason } : {}) },
  });
}

/**
 * For `.catch()` on a password-attempt limiter: records a refusal (429) as `login.rate_limited`
 * (without waiting for it), then rethrows whatever was thrown.
 */
export function recordingRateLimit(services: SecurityServices, meta: { ip: string | null; userAgent: string | null }, email: string) {
  return (error: unknown): never => {
    if (error instanceof HttpProblem && error.status === 429) void recordLoginRefusal(services, meta, { kind: "login.rate_limited", email });
    throw error;
  };
}

/**
 * For `.catch()` around a check that answers a wrong password with 401: records it as
 * `login.failed` via `door` (without waiting), then rethrows whatever was thrown.
 */
export function recordingWrongPassword(services: SecurityServices, meta: { ip: string | null; userAgent: string | null }, email: string, door: string) {
  return (error: unknown): never => {
    if (error instanceof HttpProblem && error.status === 401) void recordLoginRefusal(services, meta, { kind: "login.failed", email, reason: door });
    throw error;
  };
}

/** Null when the event is over budget (counted); otherwise how many were left out before it. */
function admit(services: SecurityServices, key: string): number | null {
  const throttle = throttleOf(services);
  const now = Date.now();
  let window = throttle.windows.get(key);
  if (!window || now - window.startedAt >= securityEventBudget.windowMs) {
    const carried = window?.suppressed ?? 0;
    window = { startedAt: now, recorded: 0, suppressed: carried };
    throttle.windows.set(key, window);
  }
  if (window.recorded >= securityEventBudget.events) {
    window.suppressed++;
    return null;
  }
  window.recorded++;
  const suppressed = window.suppressed;
  window.suppressed = 0;
  return suppressed;
}

function throttleOf(services: SecurityServices): Throttle {
  let throttle = throttles.get(services);
  if (!throttle) {
    throttle = { windows: new Map(), lastPrunedAt: 0 };
    throttles.set(services, throttle);
  }
  return throttle;
}

async function pruneIfDue(services: SecurityServices) {
  const throttle = throttleOf(services);
  if (Date.now() - throttle.lastPrunedAt < pruneEveryMs) return;
  throttle.lastPrunedAt = Date.now();
  await services.database.db.delete(securityEvents).where(lt(securityEvents.at, sql`now() - make_interval(days => ${securityEventRetentionDays})`));
}
