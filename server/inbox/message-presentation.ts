import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Executor } from "../db/client";
import { members, messageMedia, messageReactions, messages, users } from "../db/schema";
import type { MessageRow } from "./presenters";

// What a message shows from other rows besides its file: the message it quotes and its reactions,
// read for a whole page of messages in two statements.

/** The quoted message of a reply (the media contract's `replyTo`); `deleted: true`, with nothing of its content, once it was deleted. */
export type QuotedMessage = { id: string; direction: "in" | "out"; text: string; mediaKind: string | null; deleted?: true };
export type MessageReaction = { emoji: string; by: "customer" | { memberId: string; name: string } };
export type ConversationRelations = { replyTo?: QuotedMessage | null; reactions: MessageReaction[] };

/** Each message's `replyTo` and `reactions` (presentMessage's relations): two statements per workspace the rows are of. */
export async function conversationRelationsOf(db: Executor, rows: MessageRow[]): Promise<Map<string, ConversationRelations>> {
  const byWorkspace = new Map<string, MessageRow[]>();
  for (const row of rows) byWorkspace.set(row.workspaceId, [...(byWorkspace.get(row.workspaceId) ?? []), row]);
  const relations = new Map<string, ConversationRelations>();
  for (const [workspaceId, group] of byWorkspace) {
    for (const [id, related] of await relationsInWorkspace(db, workspaceId, group)) relations.set(id, related);
  }
  return relations;
}

async function relationsInWorkspace(db: Executor, workspaceId: string, rows: MessageRow[]): Promise<Map<string, ConversationRelations>> {
  const ids = rows.map((row) => row.id);
  const quotedIds = [...new Set(rows.flatMap((row) => (row.replyToMessageId ? [row.replyToMessageId] : [])))];
  const [reactions, quoted] = await Promise.all([loadReactions(db, workspaceId, ids), loadQuoted(db, workspaceId, quotedIds)]);
  const extras = new Map<string, ConversationRelations>();
  for (const row of rows) {
    const replyTo = row.replyToMessageId ? (quoted.get(row.replyToMessageId) ?? null) : row.replyToProviderId ? null : undefined;
    extras.set(row.id, { reactions: reactions.get(row.id) ?? [], ...(replyTo === undefined ? {} : { replyTo }) });
  }
  return extras;
}

/** The reactions in force on each message (a customer's removal is stored as an empty emoji), oldest first. */
async function loadReactions(db: Executor, workspaceId: string, messageIds: string[]): Promise<Map<string, MessageReaction[]>> {
  const rows = await db
    .select({ messageId: messageReactions.messageId, reactor: messageReactions.reactor, emoji: messageReactions.emoji, name: users.name })
    .from(messageReactions)
    .leftJoin(members, and(eq(members.workspaceId, messageReactions.workspaceId), eq(members.id, messageReactions.reactor)))
    .leftJoin(users, eq(users.id, members.userId))
    .where(and(eq(messageReactions.workspaceId, workspaceId), inArray(messageReactions.messageId, messageIds), ne(messageReactions.emoji, "")))
    .orderBy(asc(messageReactions.reactedAt), asc(messageReactions.reactor));
  const byMessage = new Map<string, MessageReaction[]>();
  for (const row of rows) {
    const by = row.reactor === "customer" ? ("customer" as const) : { memberId: row.reactor, name: row.name ?? "" };
    byMessage.set(row.messageId, [...(byMessage.get(row.messageId) ?? []), { emoji: row.emoji, by }]);
  }
  return byMessage;
}

async function loadQuoted(db: Executor, workspaceId: string, messageIds: string[]): Promise<Map<string, QuotedMessage>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db
    .select({ id: messages.id, direction: messages.direction, text: messages.text, mediaKind: messageMedia.kind, deletedAt: messages.deletedAt })
    .from(messages)
    .leftJoin(messageMedia, and(eq(messageMedia.workspaceId, messages.workspaceId), eq(messageMedia.messageId, messages.id)))
    .where(and(eq(messages.workspaceId, workspaceId), inArray(messages.id, messageIds)));
  return new Map(
    rows.map((row) => [
      row.id,
      row.deletedAt
        ? { id: row.id, direction: row.direction, text: "", mediaKind: null, deleted: true as const }
        : { id: row.id, direction: row.direction, text: row.text, mediaKind: row.mediaKind ?? null },
    ]),
  );
}
