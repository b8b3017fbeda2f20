import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { chats, members, users, whatsappAccounts } from "../db/schema";
import { notFound } from "../http/problem";
import { timestampText } from "../http/schemas";
import type { Principal } from "../identity/tokens";
import { type ChatRecord, scope } from "../permissions";

/** The columns a chat is presented and authorized with. */
export const chatColumns = {
  id: chats.id,
  workspaceId: chats.workspaceId,
  accountId: chats.accountId,
  contactId: chats.contactId,
  contactPhone: chats.contactPhone,
  contactName: chats.contactName,
  responsibleId: chats.responsibleId,
  lastMessageAt: chats.lastMessageAt,
  lastMessageAtText: timestampText(chats.lastMessageAt),
  lastMessagePreview: chats.lastMessagePreview,
  windowOpenUntil: chats.windowOpenUntil,
  accountConnectedBy: whatsappAccounts.connectedBy,
  accountProvider: whatsappAccounts.provider,
  accountStatus: whatsappAccounts.status,
};

export type ChatRow = {
  id: string;
  workspaceId: string;
  accountId: string;
  contactId: string;
  contactPhone: string | null;
  contactName: string | null;
  responsibleId: string | null;
  lastMessageAt: Date;
  lastMessageAtText: string;
  lastMessagePreview: string | null;
  windowOpenUntil: Date | null;
  accountConnectedBy: string;
  accountProvider: "sandbox" | "cloud";
  accountStatus: "connected" | "disconnected";
  /** The responsible's name, loaded with one chat (for the ownership lock's sentence), not with lists. */
  responsibleName?: string | null;
};

export const chatsWithAccount = (db: Executor) =>
  db
    .select(chatColumns)
    .from(chats)
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, chats.workspaceId), eq(whatsappAccounts.id, chats.accountId)));

/** The record the permission rules read. */
export function chatRecord(row: ChatRow): ChatRecord {
  return {
    workspaceId: row.workspaceId,
    responsibleId: row.responsibleId,
    account: { id: row.accountId, connectedBy: row.accountConnectedBy },
    ...(row.responsibleName === undefined ? {} : { responsibleName: row.responsibleName }),
  };
}

/** The chat's responsible's name: one key lookup per chat, so only for single chats. */
export const responsibleName = sql<
  string | null
>`(select ${users.name} from ${members} inner join ${users} on ${users.id} = ${members.userId} where ${members.workspaceId} = ${chats.workspaceId} and ${members.id} = ${chats.responsibleId})`;

/** Loads a chat the actor may see, or answers 404 (never revealing that it exists). */
export async function loadVisibleChat(db: Executor, actor: Principal, chatId: string): Promise<ChatRow> {
  const [row] = await db
    .select({ ...chatColumns, responsibleName })
    .from(chats)
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, chats.workspaceId), eq(whatsappAccounts.id, chats.accountId)))
    .where(and(eq(chats.workspaceId, actor.workspaceId), eq(chats.id, chatId), scope(actor, "chats.view")));
  if (!row) throw notFound("chat");
  return row as ChatRow;
}

/** Loads any chat of a workspace (for events and webhooks, not for members). */
export async function loadChat(db: Executor, workspaceId: string, chatId: string): Promise<ChatRow | null> {
  const [row] = await chatsWithAccount(db).where(and(eq(chats.workspaceId, workspaceId), eq(chats.id, chatId)));
  return (row as ChatRow | undefined) ?? null;
}
