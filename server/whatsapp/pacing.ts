import { type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { sendPacing } from "../db/schema";

type Row = { acquired_at: string | Date | null; changed: string | number; wait_ms: string | number };

/**
 * How far a provider call may trail its slot (the statement's answer, the event loop) while
 * the calls themselves still never put more than `rate` into any one-second window.
 */
export const providerJitterToleranceSeconds = 0.01;

/**
 * Slot spacing and the lateness a sender may make up. Slots are spaced 1/(rate − m) s and a late
 * sender makes up at most a quarter slot, so a send happens between its slot and a quarter slot
 * (plus the jitter J) after it. A one-second window of sends then spans slots over 1 s + ¼ slot
 * + J, which holds at most `rate` of them when (m − ¼)·spacing ≥ J: m = (¼ + J·rate)/(1 + J),
 * and at least ½ (at 80/s: m ≈ 1.04, spacing 12.66 ms, the average at most 1.3% under the rate;
 * at 20/s: m = ½). Below 1/s the margin shrinks with the rate.
 */
export function slotTiming(ratePerSecond: number) {
  // The bound holds with equality; a tenth of a millisecond more than J keeps rounding (the
  // spacing to whole microseconds, the catch-up down) from tipping it over.
  const jitter = providerJitterToleranceSeconds + 1e-4;
  const margin = Math.min(Math.max(0.5, (0.25 + jitter * ratePerSecond) / (1 + jitter)), ratePerSecond / 2);
  const spacingMicros = Math.round(1_000_000 / (ratePerSecond - margin));
  return { spacingMicros, catchUpMicros: Math.floor(spacingMicros / 4) };
}

/**
 * Who is sending: a member's message (`interactive`) or a campaign (`bulk`). Interactive sends go
 * first: while one waits, it keeps a short `interactive_until` marker on the number, and bulk
 * sends take no slot until the marker has passed, so a campaign never starves a rep's reply.
 */
export type SendPriority = "interactive" | "bulk";

/**
 * How long past its slot a waiting interactive send keeps bulk sends off: one spacing, and at
 * least 50 ms so a busy event loop that wakes the waiter a little late does not lose the slot.
 */
export function interactiveHoldMicros(ratePerSecond: number): number {
  return Math.max(slotTiming(ratePerSecond).spacingMicros, 50_000);
}

/**
 * Tries to take one number's next send slot on the database clock: it succeeds only when the
 * slot is due, and then moves it one spacing ahead. Because the slot is taken at the moment of
 * sending (not booked in advance), a delayed sender cannot bunch up with the next one, and every
 * server process shares the same schedule. A bulk send also needs the interactive marker to have
 * passed. Returns the slot's time when acquired, else how long to wait.
 *
 * `whenAcquired` is a data-modifying statement run in the same statement (one round trip, one
 * commit) given the slot's time, or NULL when no slot was taken; `changed` counts its rows.
 *
 * `waitUpToMs`: a slot due within that long is waited for inside the statement (pg_sleep, then
 * the take), so it is taken on time whatever the round trip: a sender wakes that much early and
 * a busy event loop or a slow network no longer makes it late. The connection is held that long.
 */
export async function tryAcquireSendSlot(
  db: Executor,
  workspaceId: string,
  accountId: string,
  ratePerSecond: number,
  priority: SendPriority = "interactive",
  whenAcquired?: (slotAt: SQL) => SQL,
  waitUpToMs = 0,
): Promise<{ acquiredAt: Date; changed: number } | { waitMs: number }> {
  const { spacingMicros, catchUpMicros } = slotTiming(ratePerSecond);
  const spacing = sql.raw(`interval '${spacingMicros} microseconds'`);
  const catchUp = sql.raw(`interval '${catchUpMicros} microseconds'`);
  const bulk = priority === "bulk";
  const noInteractiveWaiting = bulk ? sql`and coalesce(${sendPacing.interactiveUntil}, '-infinity') <= clock_timestamp()` : sql``;
  const freeAt = bulk ? sql`greatest(${sendPacing.nextSlotAt}, coalesce(${sendPacing.interactiveUntil}, '-infinity'))` : sql`${sendPacing.nextSlotAt}`;
  const result = await db.execute<Row>(sql`
    with taken as (
      insert into ${sendPacing} (workspace_id, account_id, next_slot_at)
      select ${workspaceId}, ${accountId}, clock_timestamp() + ${spacing}
      from (select pg_sleep(least(${waitUpToMs / 1000}::float8, greatest(0, coalesce((select extract(epoch from (${freeAt} - clock_timestamp()))
        from ${sendPacing} where ${sendPacing.workspaceId} = ${workspaceId} and ${sendPacing.accountId} = ${accountId}), 0))))) as waited
      on conflict (workspace_id, account_id) do update
        set next_slot_at = greatest(${sendPacing.nextSlotAt}, clock_timestamp() - ${catchUp}) + ${spacing}
        where ${sendPacing.nextSlotAt} <= clock_timestamp() ${noInteractiveWaiting}
      returning next_slot_at - ${spacing} as slot_at
    )${whenAcquired ? sql`, also as (${whenAcquired(sql`(select slot_at from taken)`)})` : sql``}
    select (select slot_at from taken) as acquired_at, ${whenAcquired ? sql`(select count(*) from also)` : sql`0`} as changed,
      coalesce((select extract(epoch from (${freeAt} - clock_timestamp())) * 1000 from ${sendPacing}
        where ${sendPacing.workspaceId} = ${workspaceId} and ${sendPacing.accountId} = ${accountId}), 1) as wait_ms`);
  const row = (result as unknown as { rows: Row[] }).rows[0];
  if (row?.acquired_at) return { acquiredAt: new Date(row.acquired_at), changed: Number(row.changed ?? 0) };
  return { waitMs: Math.max(1, Number(row?.wait_ms ?? 1)) };
}

/**
 * How long before a slot a waiting sender asks for it, the database waiting out the rest
 * (tryAcquireSendSlot's `waitUpToMs`): more than a round trip usually takes on a busy host.
 */
export const slotWaitInDatabaseMs = 5;

/** How long a sender told to wait `waitMs` sleeps before asking again (see slotWaitInDatabaseMs). */
export function wakeBeforeSlotMs(waitMs: number): number {
  return Math.max(1, waitMs - slotWaitInDatabaseMs + 1);
}

/** Marks an interactive send as waiting for the number's next slot (see SendPriority). */
async function holdForInteractive(db: Executor, workspaceId: string, accountId: string, ratePerSecond: number): Promise<void> {
  const hold = sql.raw(`interval '${interactiveHoldMicros(ratePerSecond)} microseconds'`);
  await db
    .update(sendPacing)
    .set({ interactiveUntil: sql`greatest(coalesce(${sendPacing.interactiveUntil}, '-infinity'), ${sendPacing.nextSlotAt} + ${hold})` })
    .where(sql`${sendPacing.workspaceId} = ${workspaceId} and ${sendPacing.accountId} = ${accountId}`);
}

/** Waits until this sender holds a slot of the number's rate; returns the slot's time. */
export async function waitForSendSlot(
  db: Executor,
  workspaceId: string,
  accountId: string,
  ratePerSecond: number,
  priority: SendPriority = "interactive",
): Promise<Date> {
  for (;;) {
    const attempt = await tryAcquireSendSlot(db, workspaceId, accountId, ratePerSecond, priority, undefined, slotWaitInDatabaseMs);
    if ("acquiredAt" in attempt) return attempt.acquiredAt;
    if (priority === "interactive") await holdForInteractive(db, workspaceId, accountId, ratePerSecond);
    await new Promise((resolve) => setTimeout(resolve, wakeBeforeSlotMs(attempt.waitMs)));
  }
}

/**
 * Pushes the number's next slot at least `delayMs` into the future, for every sender of every
 * process: Meta answered 130429 (throughput exceeded), so the number as a whole backs off.
 */
export async function deferSendSlots(db: Executor, workspaceId: string, accountId: string, delayMs: number): Promise<void> {
  const delay = sql.raw(`interval '${Math.max(0, Math.round(delayMs))} milliseconds'`);
  await db
    .insert(sendPacing)
    .values({ workspaceId, accountId, nextSlotAt: sql`clock_timestamp() + ${delay}` })
    .onConflictDoUpdate({
      target: [sendPacing.workspaceId, sendPacing.accountId],
      set: { nextSlotAt: sql`greatest(${sendPacing.nextSlotAt}, clock_timestamp() + ${delay})` },
    });
}
