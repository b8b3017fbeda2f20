import { and, desc, eq, inArray, isNull, or } from "drizzle-orm";
import type { Executor } from "../db/client";
import { chats, messages, whatsappAccounts } from "../db/schema";
import { presentChat } from "../inbox/presenters";
import { type ChatRow, chatsWithAccount } from "../inbox/queries";
import { type Actor, accountScope, scope } from "../permissions";
import { presentAccount } from "../whatsapp/accounts";

/**
 * What a CRM panel shows beside a record's phones (every CRM's panel: Pipedrive, HubSpot): the
 * member's visible chats with those numbers, newest first, and the accounts they may send from —
 * those they may start chats on, or that hold one of these chats. Both filtered in SQL by the
 * permissions module's scopes.
 */
export async function panelChatsAndAccounts(db: Executor, actor: Actor, phones: string[]) {
  const chatRows: ChatRow[] =
    phones.length === 0
      ? []
      : ((await chatsWithAccount(db)
          .where(and(eq(chats.workspaceId, actor.workspaceId), inArray(chats.contactPhone, phones), scope(actor, "chats.view")))
          .orderBy(desc(chats.lastMessageAt))) as ChatRow[]);
  const accountsWithChats = [...new Set(chatRows.map((row) => row.accountId))];
  const sendable = or(
    and(scope(actor, "chats.start"), eq(whatsappAccounts.status, "connected")),
    accountsWithChats.length > 0 ? inArray(whatsappAccounts.id, accountsWithChats) : undefined,
  );
  const accounts = (
    await db
      .select()
      .from(whatsappAccounts)
      .where(and(accountScope(actor), sendable))
      .orderBy(whatsappAccounts.createdAt)
  ).map((account) => presentAccount(account, actor));
  return { chats: chatRows.map((row) => presentChat(row, actor)), accounts };
}

/** The chat's newest message: a chat linked to a CRM record logs its latest day again, under that record. */
export async function latestMessageId(db: Executor, workspaceId: string, chatId: string): Promise<string | undefined> {
  const [latest] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.chatId, chatId), isNull(messages.deletedAt)))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return latest?.id;
}
