import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { chats, messageMedia, messages } from "../db/schema";
import { notFound } from "../http/problem";
import type { Context } from "../http/route";
import type { Principal } from "../identity/tokens";
import { emitInboxEvent } from "../webhooks/outbox";
import { previewLength } from "./ingest";
import type { MessageRow } from "./presenters";
import type { ChatRow } from "./queries";

// Guarded deletion (issue 15 §4): a deleted message disappears for everyone — history, search,
// previews, unread counts, files, CRM logging not yet done, live updates — and what it said stays
// only in its activity-log entry, for members with audit.view. The row itself stays, blanked, so
// the chat's order and the replies quoting it keep their anchor ("Deleted message").

/** The sentence that says what deleting cannot undo on WhatsApp; null when WhatsApp never had it. */
export function whatsappNotice(message: Pick<MessageRow, "direction" | "status">): string | null {
  if (message.direction === "in") return "Deleted here only: the customer sent it on WhatsApp, so they still have it.";
  if (message.status === "delivered" || message.status === "read") return "Deleted here only: WhatsApp already delivered it, so the customer still has it.";
  if (message.status === "sent") return "Deleted here only: WhatsApp already accepted it, so the customer will still get it.";
  if (message.status === "queued") return "Deleted here only: it was still being sent, so WhatsApp may still deliver it.";
  // Failed: WhatsApp never delivered it.
  return null;
}

export type MessageDeletion = { notice: string | null; storageKeys: string[] };

type DeletionContext = Pick<Context<unknown, unknown, unknown, Principal>, "actor" | "audit">;

/**
 * Deletes one message of a chat the caller may delete in (checked by the caller), in `tx`: the row
 * marked deleted and blanked (text, rich content), its file's row removed, the chat's preview taken
 * from the newest message left, the activity-log entry with the retained copy, and
 * `message.deleted` (live update and webhooks). 404 for a message that is not the chat's or is
 * already deleted. Answers the storage keys to delete once the transaction has committed.
 */
export async function deleteMessage(tx: Executor, context: DeletionContext, chat: ChatRow, messageId: string): Promise<MessageDeletion> {
  const { actor, audit } = context;
  const [message] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, actor.workspaceId), eq(messages.chatId, chat.id), eq(messages.id, messageId), isNull(messages.deletedAt)))
    .for("update");
  if (!message) throw notFound("message");
  const [media] = await tx
    .delete(messageMedia)
    .where(and(eq(messageMedia.workspaceId, actor.workspaceId), eq(messageMedia.messageId, message.id)))
    .returning();
  const [deleted] = await tx
    .update(messages)
    .set({ deletedAt: sql`now()`, deletedBy: actor.memberId, text: "", rich: null })
    .where(and(eq(messages.workspaceId, actor.workspaceId), eq(messages.id, message.id)))
    .returning({ deletedAt: messages.deletedAt });
  await refreshPreview(tx, chat);
  const notice = whatsappNotice(message);
  await audit(
    {
      action: "message.delete",
      targetType: "message",
      targetId: message.id,
      details: {
        chatId: chat.id,
        deletedAt: deleted?.deletedAt?.toISOString() ?? null,
        notice,
        // The retained copy: what the message said and carried, as it was stored.
        message: {
          direction: message.direction,
          status: message.status,
          authorId: message.authorId,
          createdAt: message.createdAt.toISOString(),
          text: message.text,
          templateName: message.templateName,
          rich: message.rich,
          replyToMessageId: message.replyToMessageId,
          media: media
            ? { kind: media.kind, fileName: media.fileName, mimeType: media.mimeType, sizeBytes: media.sizeBytes, sha256: media.sha256, caption: media.caption }
            : null,
        },
      },
    },
    tx,
  );
  await emitInboxEvent(
    tx,
    { type: "message.deleted", workspaceId: actor.workspaceId, chatId: chat.id, messageId: message.id },
    { chatId: chat.id, messageId: message.id, deletedAt: deleted?.deletedAt?.toISOString() ?? null },
  );
  return { notice, storageKeys: media?.storageKey ? [media.storageKey] : [] };
}

/** The chat's preview becomes its newest message left (its readable text), or none. */
async function refreshPreview(tx: Executor, chat: ChatRow): Promise<void> {
  const [newest] = await tx
    .select({ text: messages.text })
    .from(messages)
    .where(and(eq(messages.workspaceId, chat.workspaceId), eq(messages.chatId, chat.id), isNull(messages.deletedAt)))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(1);
  await tx
    .update(chats)
    .set({ lastMessagePreview: newest ? newest.text.slice(0, previewLength) : null })
    .where(and(eq(chats.workspaceId, chat.workspaceId), eq(chats.id, chat.id)));
}
