import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { webhookDeliveries, webhooks } from "../db/schema";

/** A pending delivery this process has leased for one attempt, with its webhook's target. */
export type ClaimedDelivery = {
  workspaceId: string;
  id: string;
  webhookId: string;
  event: string;
  payload: unknown;
  /** The attempt being made (1-based); also fences the outcome against a stale lease. */
  attempt: number;
  url: string;
  secretEncrypted: string;
};

type ClaimRow = {
  workspace_id: string;
  id: string;
  webhook_id: string;
  event: string;
  payload: unknown;
  attempts: string | number;
  url: string;
  secret_encrypted: string;
};

const milliseconds = (ms: number) => sql`(${ms}::double precision * interval '1 millisecond')`;

/**
 * Leases up to `limit` due deliveries in one statement: SKIP LOCKED lets several server processes
 * poll at once without waiting on or taking each other's rows, and the lease (next_attempt_at
 * moved `leaseMs` ahead) keeps them ours after commit while the HTTP call runs outside any
 * transaction. A process that dies mid-attempt loses the lease and another one retries.
 */
export async function claimDueDeliveries(db: Executor, options: { limit: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
  const result = await db.execute<ClaimRow>(sql`
    update ${webhookDeliveries} as d
      set attempts = d.attempts + 1, next_attempt_at = now() + ${milliseconds(options.leaseMs)}
    from (
      select workspace_id, id from ${webhookDeliveries}
      where status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at
      limit ${options.limit}
      for update skip locked
    ) as due, ${webhooks} as w
    where d.workspace_id = due.workspace_id and d.id = due.id and w.workspace_id = d.workspace_id and w.id = d.webhook_id
    returning d.workspace_id, d.id, d.webhook_id, d.event, d.payload, d.attempts, w.url, w.secret_encrypted`);
  return (result as unknown as { rows: ClaimRow[] }).rows.map((row) => ({
    workspaceId: row.workspace_id,
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event,
    payload: row.payload,
    attempt: Number(row.attempts),
    url: row.url,
    secretEncrypted: row.secret_encrypted,
  }));
}

const stillOurs = (claim: ClaimedDelivery) =>
  and(
    eq(webhookDeliveries.workspaceId, claim.workspaceId),
    eq(webhookDeliveries.id, claim.id),
    eq(webhookDeliveries.attempts, claim.attempt),
    eq(webhookDeliveries.status, "pending"),
  );

/** Records a 2xx answer. */
export async function markDelivered(db: Executor, claim: ClaimedDelivery, statusCode: number): Promise<void> {
  await db.update(webhookDeliveries).set({ status: "delivered", deliveredAt: sql`now()`, lastStatusCode: statusCode, lastError: null }).where(stillOurs(claim));
}

/** Records a failed attempt: retried after `retryInMs`, or failed for good when that is null. */
export async function markAttemptFailed(
  db: Executor,
  claim: ClaimedDelivery,
  failure: { statusCode: number | null; error: string; retryInMs: number | null },
): Promise<void> {
  const next = failure.retryInMs === null ? { status: "failed" as const } : { nextAttemptAt: sql`now() + ${milliseconds(failure.retryInMs)}` };
  await db
    .update(webhookDeliveries)
    .set({ ...next, lastStatusCode: failure.statusCode, lastError: failure.error.slice(0, 500) })
    .where(stillOurs(claim));
}

/** Gives an interrupted attempt back (shutdown): due now, and not counted. */
export async function releaseClaim(db: Executor, claim: ClaimedDelivery): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ attempts: claim.attempt - 1, nextAttemptAt: sql`now()` })
    .where(stillOurs(claim));
}
