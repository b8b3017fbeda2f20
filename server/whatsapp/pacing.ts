import { sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { sendPacing } from "../db/schema";

/**
 * Reserves the next send slot of one WhatsApp number and returns how long to wait for it.
 * Slots are spaced exactly 1/rate apart on the database clock, so every server process shares
 * the same schedule and no burst exceeds the rate (virtual scheduling, as in GCRA).
 */
export async function reserveSendSlot(db: Executor, workspaceId: string, accountId: string, ratePerSecond: number): Promise<number> {
  const spacing = sql.raw(`interval '${Math.round(1_000_000 / ratePerSecond)} microseconds'`);
  const result = await db.execute<{ wait_ms: string | number }>(sql`
    insert into ${sendPacing} (workspace_id, account_id, next_slot_at)
    values (${workspaceId}, ${accountId}, clock_timestamp() + ${spacing})
    on conflict (workspace_id, account_id) do update
      set next_slot_at = greatest(${sendPacing.nextSlotAt}, clock_timestamp()) + ${spacing}
    returning extract(epoch from (next_slot_at - ${spacing} - clock_timestamp())) * 1000 as wait_ms`);
  const rows = (result as unknown as { rows: { wait_ms: string | number }[] }).rows;
  return Math.max(0, Number(rows[0]?.wait_ms ?? 0));
}

/** Waits for a reserved slot. */
export async function waitForSendSlot(db: Executor, workspaceId: string, accountId: string, ratePerSecond: number): Promise<void> {
  const waitMs = await reserveSendSlot(db, workspaceId, accountId, ratePerSecond);
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}
