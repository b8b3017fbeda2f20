import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { ChatDayKey, DayLine } from "../crm/day-lines";
import { loadDayLines } from "../crm/day-lines";
import type { Executor } from "../db/client";
import { hubspotChatLinks, hubspotLogEntries, hubspotMessageLogs, members, messages, users } from "../db/schema";

// What a portal already holds of a chat-day: the Communications carrying its parts
// (hubspot_log_entries) or, logging per message, the one each message became
// (hubspot_message_logs). A run sends only what is in neither.

export type HubspotLogEntry = typeof hubspotLogEntries.$inferSelect;

const entriesOf = (hubId: number, key: ChatDayKey) =>
  and(
    eq(hubspotLogEntries.hubId, hubId),
    eq(hubspotLogEntries.workspaceId, key.workspaceId),
    eq(hubspotLogEntries.chatId, key.chatId),
    eq(hubspotLogEntries.day, key.day),
  ) as SQL;

/** The chat-day's parts in this portal, in order. */
export function loadParts(db: Executor, hubId: number, key: ChatDayKey): Promise<HubspotLogEntry[]> {
  return db.select().from(hubspotLogEntries).where(entriesOf(hubId, key)).orderBy(asc(hubspotLogEntries.part));
}

/** The chat-day's messages in no part yet (late ones included: a part keeps the ids it holds). */
export function loadLinesOutsideParts(db: Executor, hubId: number, key: ChatDayKey): Promise<DayLine[]> {
  return loadDayLines(
    db,
    key,
    sql`not exists (select 1 from ${hubspotLogEntries} as e where e.hub_id = ${hubId} and e.workspace_id = ${key.workspaceId}
      and e.chat_id = ${key.chatId} and e.day = ${key.day} and ${messages.id} = any(e.message_ids))`,
  );
}

/** The chat-day's messages not logged one by one yet in this portal. */
export function loadLinesNotLogged(db: Executor, hubId: number, key: ChatDayKey): Promise<DayLine[]> {
  return loadDayLines(
    db,
    key,
    sql`not exists (select 1 from ${hubspotMessageLogs} as l where l.hub_id = ${hubId} and l.workspace_id = ${key.workspaceId} and l.message_id = ${messages.id})`,
  );
}

/** Records what a part holds after its Communication was written (created or grown). */
export async function savePart(
  db: Executor,
  hubId: number,
  key: ChatDayKey,
  part: Pick<HubspotLogEntry, "part" | "communicationId" | "contactId" | "dealId" | "lines" | "lineCount" | "messageIds">,
): Promise<void> {
  const { part: number, ...values } = part;
  const set = { ...values, updatedAt: new Date() };
  await db
    .insert(hubspotLogEntries)
    .values({ hubId, ...key, part: number, ...set })
    .onConflictDoUpdate({
      target: [hubspotLogEntries.workspaceId, hubspotLogEntries.hubId, hubspotLogEntries.chatId, hubspotLogEntries.day, hubspotLogEntries.part],
      set,
    });
}

/** Records the Communication a message became. */
export async function saveMessageLog(
  db: Executor,
  hubId: number,
  key: ChatDayKey,
  logged: { messageId: string; communicationId: string; contactId: string },
): Promise<void> {
  await db
    .insert(hubspotMessageLogs)
    .values({ hubId, workspaceId: key.workspaceId, chatId: key.chatId, ...logged })
    .onConflictDoNothing();
}

/** A member's sign-in e-mail (what their HubSpot user is matched by until members link their HubSpot user). */
export async function memberEmail(db: Executor, workspaceId: string, memberId: string): Promise<string | null> {
  const [row] = await db
    .select({ email: users.email })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.workspaceId, workspaceId), eq(members.id, memberId)));
  return row?.email ?? null;
}

/** The deal (and its contact) the chat is logged under in this portal, when it was used from a HubSpot panel on a deal. */
export async function loadChatDealLink(db: Executor, hubId: number, key: ChatDayKey): Promise<{ contactId: string; dealId: string } | null> {
  const [row] = await db
    .select({ contactId: hubspotChatLinks.contactId, dealId: hubspotChatLinks.dealId })
    .from(hubspotChatLinks)
    .where(and(eq(hubspotChatLinks.workspaceId, key.workspaceId), eq(hubspotChatLinks.chatId, key.chatId), eq(hubspotChatLinks.hubId, hubId)));
  return row ?? null;
}
