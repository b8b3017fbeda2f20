import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { panelChatsAndAccounts } from "../crm/panel-chats";
import { members, messages, users } from "../db/schema";
import type { Actor } from "../permissions";
import type { Services } from "../services";
import type { CardRecord } from "./card-context";
import { conversationLinkKey, signConversationLink } from "./conversation-link";
import { readHubspotPanelPersons } from "./panel-reads";

// The card's "ready" answer for a member linked to the HubSpot user the signed card request names:
// the record's WhatsApp chats that member may see (the permissions module's SQL scope, matched on
// the phone numbers HubSpot holds for the contact, or for every contact of a deal), each with its
// last message, the accounts they may send from, and the panel's address behind a short-lived
// single-use token ("Open conversation").

/** The card shows the newest chats; the conversation shows them all. */
export const cardChatLimit = 10;

export type CardChat = {
  id: string;
  contactName: string | null;
  phone: string;
  accountLabel: string;
  responsible: string | null;
  lastMessage: { text: string; direction: "in" | "out"; at: string } | null;
};

export async function readyCardAnswer(
  services: Services,
  input: { actor: Actor & { name: string }; hubId: number; hubspotUserId: number; record: CardRecord },
) {
  const { actor, record } = input;
  const db = services.database.db;
  const persons = await readHubspotPanelPersons(services, actor.workspaceId, record);
  const phones = [...new Set(persons.flatMap((person) => person.phones.flatMap((phone) => (phone.e164 ? [phone.e164] : []))))];
  const { chats, accounts } = await panelChatsAndAccounts(db, actor, phones);
  const shown = chats.slice(0, cardChatLimit);
  const accountLabel = new Map(accounts.map((account) => [account.id, account.displayName || account.phoneNumber]));
  const names = await memberNames(
    db,
    actor.workspaceId,
    shown.flatMap((chat) => (chat.responsibleId ? [chat.responsibleId] : [])),
  );
  const last = await lastMessages(
    db,
    actor.workspaceId,
    shown.map((chat) => chat.id),
  );
  const cardChats: CardChat[] = shown.map((chat) => ({
    id: chat.id,
    contactName: chat.contact.name,
    phone: chat.contact.phone ?? "",
    accountLabel: accountLabel.get(chat.accountId) ?? "WhatsApp",
    responsible: chat.responsibleId ? (names.get(chat.responsibleId) ?? null) : null,
    lastMessage: last.get(chat.id) ?? null,
  }));
  const token = await signConversationLink(conversationLinkKey(services.config.encryptionKey), {
    ...record,
    hubspotUserId: input.hubspotUserId,
    workspaceId: actor.workspaceId,
    memberId: actor.memberId,
  });
  return {
    state: "ready" as const,
    memberName: actor.name,
    record: { objectTypeId: record.objectTypeId, objectId: record.objectId },
    chats: cardChats,
    moreChats: chats.length - shown.length,
    sendFrom: accounts.filter((account) => account.status === "connected").map((account) => account.displayName || account.phoneNumber),
    conversationUri: `${services.config.publicUrl}/hubspot/#conversation=${token}`,
  };
}

async function memberNames(db: Services["database"]["db"], workspaceId: string, memberIds: string[]): Promise<Map<string, string>> {
  if (memberIds.length === 0) return new Map();
  const rows = await db
    .select({ id: members.id, name: users.name })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.workspaceId, workspaceId), inArray(members.id, [...new Set(memberIds)])));
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Each chat's newest message (by time, then id), from chats the caller already may see. */
async function lastMessages(db: Services["database"]["db"], workspaceId: string, chatIds: string[]) {
  if (chatIds.length === 0) return new Map<string, NonNullable<CardChat["lastMessage"]>>();
  const rows = await db
    .selectDistinctOn([messages.chatId], { chatId: messages.chatId, text: messages.text, direction: messages.direction, at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), inArray(messages.chatId, chatIds), isNull(messages.deletedAt)))
    .orderBy(messages.chatId, desc(messages.createdAt), desc(messages.id));
  return new Map(rows.map((row) => [row.chatId, { text: row.text ?? "", direction: row.direction, at: row.at.toISOString() }]));
}
