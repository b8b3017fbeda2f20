import { and, eq, or, type SQL } from "drizzle-orm";
import type { Executor } from "../db/client";
import { contacts } from "../db/schema";
import { newId } from "../ids";
import { normalizePhone, waIdToE164 } from "../whatsapp/phone";

export type ContactInput = { phone?: string | null; bsuid?: string | null; name?: string | null };
export type ContactRow = typeof contacts.$inferSelect;

/** E.164 from whatever the caller holds: a wa_id (digits) or a typed phone number. */
export function toE164(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const trimmed = phone.trim();
  return /^\d+$/.test(trimmed) ? waIdToE164(trimmed) : normalizePhone(trimmed);
}

/**
 * Finds the workspace's contact by phone or by business-scoped user id, filling in whichever
 * handle was missing, or creates it. Safe under concurrent first messages (unique indexes).
 */
export async function findOrCreateContact(db: Executor, workspaceId: string, input: ContactInput): Promise<ContactRow> {
  const phone = toE164(input.phone);
  const bsuid = input.bsuid?.trim() || null;
  if (!phone && !bsuid) throw new Error("A contact needs a phone number or a WhatsApp user id");
  const handles = [phone ? eq(contacts.phone, phone) : undefined, bsuid ? eq(contacts.bsuid, bsuid) : undefined].filter(Boolean) as SQL[];
  const find = async () => {
    const [found] = await db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), or(...handles)));
    return found;
  };
  let contact = await find();
  if (!contact) {
    await db
      .insert(contacts)
      .values({ workspaceId, id: newId("ct"), phone, bsuid, name: input.name ?? null })
      .onConflictDoNothing();
    contact = await find();
    if (!contact) throw new Error("Contact vanished while being created");
    return contact;
  }
  const missing = {
    ...(phone && !contact.phone ? { phone } : {}),
    ...(bsuid && !contact.bsuid ? { bsuid } : {}),
    ...(input.name && input.name !== contact.name ? { name: input.name } : {}),
  };
  if (Object.keys(missing).length === 0) return contact;
  const [updated] = await db
    .update(contacts)
    .set(missing)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contact.id)))
    .returning();
  return updated ?? contact;
}
