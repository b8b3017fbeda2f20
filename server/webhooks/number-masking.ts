import { loadActor } from "../crm/actor";
import type { Executor } from "../db/client";
import { maskNumbersIn, maySeeNumbers } from "../permissions";

/**
 * What a delivery sends: its stored payload (chats and messages presented for the outbox, numbers
 * in full) with every contact number masked unless the member who configured the webhook may see
 * numbers (contacts.view_numbers) at the moment it is sent — a member without it cannot read full
 * numbers through a URL of their own. A creator who is suspended or gone no longer vouches for it.
 */
export async function payloadAsConfigured(db: Executor, delivery: { workspaceId: string; payload: unknown }, createdBy: string): Promise<unknown> {
  const creator = await loadActor(db, delivery.workspaceId, createdBy);
  return creator && maySeeNumbers(creator) ? delivery.payload : maskNumbersIn(delivery.payload);
}
