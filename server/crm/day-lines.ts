import { and, asc, eq, gte, isNull, lt, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Executor } from "../db/client";
import { members, messageMedia, messages, users } from "../db/schema";
import type { TranscriptLine } from "./transcript";

// A chat's messages on one UTC day, as every CRM's logging reads them.

export type ChatDayKey = { workspaceId: string; chatId: string; day: string };
/** A message as a transcript needs it. */
export type DayLine = TranscriptLine & { id: string; authorName: string | null; authorId: string | null };

/**
 * Every message that arrived in the chat-day, deleted ones too (an index range on
 * messages_chat_idx): what a count of the day's arrivals compares with the lines logged, since a
 * message deleted after it was logged still counts as logged.
 */
export function chatDayArrivals(key: ChatDayKey): SQL {
  const start = new Date(`${key.day}T00:00:00.000Z`);
  const end = new Date(start.getTime() + 24 * 60 * 60 * 1000);
  return and(eq(messages.workspaceId, key.workspaceId), eq(messages.chatId, key.chatId), gte(messages.createdAt, start), lt(messages.createdAt, end)) as SQL;
}

/** The messages of the chat-day that are still shown: a deleted message is never logged. */
export function chatDayMessages(key: ChatDayKey): SQL {
  return and(chatDayArrivals(key), isNull(messages.deletedAt)) as SQL;
}

/**
 * The chat-day's messages that `also` holds for (over the messages table), in time order, with
 * their authors' names, their files, the text they quote and the place they share.
 */
export async function loadDayLines(db: Executor, key: ChatDayKey, also?: SQL): Promise<DayLine[]> {
  const author = alias(members, "author");
  const quoted = alias(messages, "quoted");
  const rows = await db
    .select({
      id: messages.id,
      at: messages.createdAt,
      direction: messages.direction,
      text: messages.text,
      authorName: users.name,
      authorId: messages.authorId,
      rich: messages.rich,
      quotedText: quoted.text,
      mediaKind: messageMedia.kind,
      fileName: messageMedia.fileName,
      sizeBytes: messageMedia.sizeBytes,
      caption: messageMedia.caption,
    })
    .from(messages)
    .leftJoin(author, and(eq(author.workspaceId, messages.workspaceId), eq(author.id, messages.authorId)))
    .leftJoin(users, eq(users.id, author.userId))
    .leftJoin(messageMedia, and(eq(messageMedia.workspaceId, messages.workspaceId), eq(messageMedia.messageId, messages.id)))
    .leftJoin(quoted, and(eq(quoted.workspaceId, messages.workspaceId), eq(quoted.id, messages.replyToMessageId)))
    .where(also ? and(chatDayMessages(key), also) : chatDayMessages(key))
    .orderBy(asc(messages.createdAt), asc(messages.id));
  return rows.map(({ rich, quotedText, mediaKind, fileName, sizeBytes, caption, ...line }) => ({
    ...line,
    attachment: mediaKind ? { kind: mediaKind, fileName, sizeBytes, caption } : null,
    quotedText,
    location: rich && "location" in rich ? rich.location : null,
  }));
}
