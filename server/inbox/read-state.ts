import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { chatReads, chats, members, messages, whatsappAccounts } from "../db/schema";
import { publish } from "../events/bus";
import type { Principal } from "../identity/tokens";
import { scope } from "../permissions";
import { type ChatRow, chatColumns } from "./queries";

// Unread, per member (issue 13 §5): each member's read point in each chat lives in chat_reads, so
// it follows them from device to device. A chat's unread count for a member is the number of
// customer messages after their read point — and after they joined the workspace, so a newcomer
// does not inherit years of "unread" — counted in SQL within the member's chats.view scope.

/** Counts stop here: a badge shows "99+" long before, and the count stays an index range of bounded length. */
export const unreadCountCap = 100;

/** When the member joined: nothing before it is unread for them. */
const joinedAt = (actor: Principal) =>
  sql`(select ${members.createdAt} from ${members} where ${members.workspaceId} = ${actor.workspaceId} and ${members.id} = ${actor.memberId})`;

/**
 * Customer messages (not deleted) of the row's chat after the member's read point (chat_reads, left-joined for
 * the member) and after they joined, at most unreadCountCap of them: an index-only range of
 * messages_inbound_idx.
 */
function unreadCountOf(actor: Principal): SQL<number> {
  return sql<number>`(select count(*)::int from (select 1 from ${messages} as unread_m
    where unread_m.workspace_id = ${chats.workspaceId} and unread_m.chat_id = ${chats.id} and unread_m.direction = 'in' and unread_m.deleted_at is null
      and (unread_m.created_at, unread_m.id) > (coalesce(${chatReads.readThroughAt}, '-infinity'::timestamptz), coalesce(${chatReads.readThroughId}, ''))
      and unread_m.created_at > ${joinedAt(actor)}
    limit ${unreadCountCap}) as unread)`;
}

/** The member's read row for each chat of a query (at most one: its key is workspace, member, chat). */
const readRowOf = (actor: Principal) =>
  and(eq(chatReads.workspaceId, chats.workspaceId), eq(chatReads.memberId, actor.memberId), eq(chatReads.chatId, chats.id)) as SQL;

export type ChatRowWithReadState = ChatRow & { unreadCount: number; markedUnread: boolean };

/** Chats with their account and the caller's read state: what GET /chats and GET /chats/{id} present. */
export const chatsWithReadState = (db: Executor, actor: Principal) =>
  db
    .select({ ...chatColumns, unreadCount: unreadCountOf(actor), markedUnread: sql<boolean>`coalesce(${chatReads.markedUnread}, false)` })
    .from(chats)
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, chats.workspaceId), eq(whatsappAccounts.id, chats.accountId)))
    .leftJoin(chatReads, readRowOf(actor));

/** One chat the actor may see, with their read state; null when they may not see it. */
export async function loadVisibleChatWithReadState(db: Executor, actor: Principal, chatId: string): Promise<ChatRowWithReadState | null> {
  const [row] = await chatsWithReadState(db, actor).where(and(eq(chats.workspaceId, actor.workspaceId), eq(chats.id, chatId), scope(actor, "chats.view")));
  return (row as ChatRowWithReadState | undefined) ?? null;
}

export type ReadState = { unreadCount: number; markedUnread: boolean };

/**
 * The read state of one chat for several members in one statement (the live-update streams of a
 * process share it: one read per event, not one per stream). Visibility is the caller's to check.
 */
export async function readStatesOfChat(db: Executor, workspaceId: string, chatId: string, memberIds: string[]): Promise<Map<string, ReadState>> {
  if (memberIds.length === 0) return new Map();
  const rows = await db
    .select({
      memberId: members.id,
      unreadCount: sql<number>`(select count(*)::int from (select 1 from ${messages} as unread_m
        where unread_m.workspace_id = ${members.workspaceId} and unread_m.chat_id = ${chatId} and unread_m.direction = 'in' and unread_m.deleted_at is null
          and (unread_m.created_at, unread_m.id) > (coalesce(${chatReads.readThroughAt}, '-infinity'::timestamptz), coalesce(${chatReads.readThroughId}, ''))
          and unread_m.created_at > ${members.createdAt}
        limit ${unreadCountCap}) as unread)`,
      markedUnread: sql<boolean>`coalesce(${chatReads.markedUnread}, false)`,
    })
    .from(members)
    .leftJoin(chatReads, and(eq(chatReads.workspaceId, members.workspaceId), eq(chatReads.memberId, members.id), eq(chatReads.chatId, chatId)))
    .where(and(eq(members.workspaceId, workspaceId), inArray(members.id, memberIds)));
  return new Map(rows.map((row) => [row.memberId, { unreadCount: Number(row.unreadCount), markedUnread: Boolean(row.markedUnread) }]));
}

/**
 * How many chats the member may see are unread for them (customer messages past their read point,
 * or marked unread), at most unreadCountCap: candidates are the chats with activity since the member
 * joined (chats_activity_idx) and the ones they marked (chat_reads_marked_idx).
 */
export async function countUnreadChats(db: Executor, actor: Principal): Promise<number> {
  const joined = joinedAt(actor);
  const withNewMessages = db
    .select({ id: chats.id })
    .from(chats)
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, chats.workspaceId), eq(whatsappAccounts.id, chats.accountId)))
    .leftJoin(chatReads, readRowOf(actor))
    .where(
      and(
        scope(actor, "chats.view"),
        sql`${chats.lastMessageAt} > ${joined}`,
        sql`${chats.lastMessageAt} >= coalesce(${chatReads.readThroughAt}, '-infinity'::timestamptz)`,
        sql`exists (select 1 from ${messages} as unread_m
          where unread_m.workspace_id = ${chats.workspaceId} and unread_m.chat_id = ${chats.id} and unread_m.direction = 'in' and unread_m.deleted_at is null
            and (unread_m.created_at, unread_m.id) > (coalesce(${chatReads.readThroughAt}, '-infinity'::timestamptz), coalesce(${chatReads.readThroughId}, ''))
            and unread_m.created_at > ${joined})`,
      ),
    )
    .limit(unreadCountCap);
  const marked = db
    .select({ id: chats.id })
    .from(chats)
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, chats.workspaceId), eq(whatsappAccounts.id, chats.accountId)))
    .innerJoin(chatReads, readRowOf(actor))
    .where(and(scope(actor, "chats.view"), eq(chatReads.markedUnread, true)))
    .limit(unreadCountCap);
  const result = await db.execute<{ count: number }>(
    sql`select least(count(*), ${unreadCountCap})::int as count from ((${withNewMessages}) union (${marked})) as unread_chats`,
  );
  return Number((result as unknown as { rows: { count: number }[] }).rows[0]?.count ?? 0);
}

/**
 * Moves the member's read point in a chat forward to `through` (a message of the chat), or to its
 * newest message; never backwards, so an older tab's late "read" does not undo a newer one. Clears
 * "marked unread". Tells the member's other tabs and devices (chat.read_state).
 */
export async function markRead(db: Executor, actor: Principal, chat: ChatRow, through: { createdAt: string; id: string } | null): Promise<void> {
  const point =
    through ??
    (
      await db
        .select({ createdAt: sql<string>`${messages.createdAt}::text`, id: messages.id })
        .from(messages)
        .where(and(eq(messages.workspaceId, chat.workspaceId), eq(messages.chatId, chat.id)))
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(1)
    )[0] ??
    null;
  const at = point ? sql`${point.createdAt}::timestamptz` : sql`null::timestamptz`;
  const id = point ? point.id : null;
  const current = sql`(${chatReads.readThroughAt}, ${chatReads.readThroughId})`;
  const moves = sql`${chatReads.readThroughAt} is null or (excluded.read_through_at, excluded.read_through_id) > ${current}`;
  await db
    .insert(chatReads)
    .values({ workspaceId: chat.workspaceId, memberId: actor.memberId, chatId: chat.id, readThroughAt: at, readThroughId: id, markedUnread: false })
    .onConflictDoUpdate({
      target: [chatReads.workspaceId, chatReads.memberId, chatReads.chatId],
      set: {
        readThroughAt: sql`case when ${moves} then excluded.read_through_at else ${chatReads.readThroughAt} end`,
        readThroughId: sql`case when ${moves} then excluded.read_through_id else ${chatReads.readThroughId} end`,
        markedUnread: false,
        updatedAt: sql`now()`,
      },
    });
  await publish(db, { type: "chat.read_state", workspaceId: chat.workspaceId, chatId: chat.id, memberId: actor.memberId });
}

/** "Mark as unread": the chat shows as unread for the member (on every device) until they read it again. */
export async function markUnread(db: Executor, actor: Principal, chat: ChatRow): Promise<void> {
  await db
    .insert(chatReads)
    .values({ workspaceId: chat.workspaceId, memberId: actor.memberId, chatId: chat.id, markedUnread: true })
    .onConflictDoUpdate({ target: [chatReads.workspaceId, chatReads.memberId, chatReads.chatId], set: { markedUnread: true, updatedAt: sql`now()` } });
  await publish(db, { type: "chat.read_state", workspaceId: chat.workspaceId, chatId: chat.id, memberId: actor.memberId });
}

/** The message `messageId` of the chat, as a read point (null when the chat has no such message). */
export async function messageAsReadPoint(db: Executor, chat: ChatRow, messageId: string): Promise<{ createdAt: string; id: string } | null> {
  const [row] = await db
    .select({ createdAt: sql<string>`${messages.createdAt}::text`, id: messages.id })
    .from(messages)
    .where(and(eq(messages.workspaceId, chat.workspaceId), eq(messages.chatId, chat.id), eq(messages.id, messageId)));
  return row ?? null;
}
