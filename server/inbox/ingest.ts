import { and, eq, sql } from "drizzle-orm";
import type { Database, Executor } from "../db/client";
import { chats, type MessageRichContent, messages } from "../db/schema";
import type { BusEvent } from "../events/bus";
import { newId } from "../ids";
import { type InboundMedia, insertInboundMedia } from "../media/inbound";
import { presentMedia } from "../media/presentation";
import { emitInboxEvents } from "../webhooks/outbox";
import { windowClosesAt } from "../whatsapp/customer-service-window";
import { type ContactInput, findOrCreateContact } from "./contacts";
import { conversationRelationsOf } from "./message-presentation";
import { presentMessage } from "./presenters";

/** How much of a message a chat list shows. */
export const previewLength = 120;

export type InboundMessage = {
  workspaceId: string;
  accountId: string;
  from: ContactInput;
  /** Meta's wamid (or the sandbox's); a redelivery with the same id changes nothing. */
  providerMessageId: string;
  text: string;
  receivedAt: Date;
  /** The wamid of the message this one quotes (Meta's `context`). */
  replyToWamid?: string;
  /** A location's, contact card's or button reply's data. */
  rich?: MessageRichContent;
  /** The customer's file, if the message carries one: stored with the message, fetched after. */
  media?: InboundMedia;
};

/**
 * Finds the chat of (account, contact), creating it on first contact. `firstMessageAt` is the
 * time of the message that creates it: Meta's timestamps are whole seconds and may be days old
 * (redeliveries), so a chat stamped "now" would be newer than its own first message and
 * touchChat would never take that message as the preview.
 */
export async function findOrCreateChat(
  db: Executor,
  workspaceId: string,
  accountId: string,
  contact: { id: string; phone: string | null; name: string | null },
  firstMessageAt?: Date,
) {
  const find = () =>
    db
      .select({ id: chats.id })
      .from(chats)
      .where(and(eq(chats.workspaceId, workspaceId), eq(chats.accountId, accountId), eq(chats.contactId, contact.id)));
  const [existing] = await find();
  if (existing) return existing;
  await db
    .insert(chats)
    .values({
      workspaceId,
      id: newId("chat"),
      accountId,
      contactId: contact.id,
      contactPhone: contact.phone,
      contactName: contact.name,
      ...(firstMessageAt ? { lastMessageAt: firstMessageAt } : {}),
    })
    .onConflictDoNothing();
  const [chat] = await find();
  if (!chat) throw new Error("Chat vanished while being created");
  return chat;
}

/** Moves a chat's activity forward (never back, whatever order messages arrive in). */
export async function touchChat(db: Executor, workspaceId: string, chatId: string, at: Date, preview: string, opensWindow: boolean) {
  await db
    .update(chats)
    .set({
      lastMessageAt: sql`greatest(${chats.lastMessageAt}, ${at.toISOString()}::timestamptz)`,
      lastMessagePreview: sql`case when ${chats.lastMessageAt} <= ${at.toISOString()}::timestamptz then ${preview.slice(0, previewLength)} else ${chats.lastMessagePreview} end`,
      ...(opensWindow
        ? {
            windowOpenUntil: sql`greatest(coalesce(${chats.windowOpenUntil}, '-infinity'::timestamptz), ${windowClosesAt(at).toISOString()}::timestamptz)`,
          }
        : {}),
    })
    .where(and(eq(chats.workspaceId, workspaceId), eq(chats.id, chatId)));
}

/** Our id of the chat's message with this wamid (a quoted message), or null when it isn't one of the chat's. */
async function messageIdOfWamid(db: Executor, workspaceId: string, chatId: string, wamid: string): Promise<string | null> {
  const [quoted] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.chatId, chatId), eq(messages.providerMessageId, wamid)));
  return quoted?.id ?? null;
}

/**
 * Records a customer's message: contact and chat created on first contact, the message stored
 * once per provider id (redeliveries are no-ops), the chat's activity and 24-hour window moved
 * forward, and `message.created` emitted — all in one transaction.
 */
export async function ingestInboundMessage(
  db: Database,
  inbound: InboundMessage,
  /** Extra writes in the same transaction (the activity-log entry of a sandbox message). */
  within?: (tx: Executor, result: { chatId: string; messageId: string }) => Promise<void>,
  /**
   * Publishes the live update after the commit instead of inside the transaction (Meta's
   * webhooks: a NOTIFY inside every message's transaction would serialize their commits).
   */
  publishAfterCommit?: (events: BusEvent[]) => void,
): Promise<{ chatId: string; messageId: string; duplicate: boolean }> {
  const ingested = await db.transaction(async (tx) => {
    const contact = await findOrCreateContact(tx, inbound.workspaceId, inbound.from);
    const chat = await findOrCreateChat(tx, inbound.workspaceId, inbound.accountId, contact, inbound.receivedAt);
    const replyToMessageId = inbound.replyToWamid ? await messageIdOfWamid(tx, inbound.workspaceId, chat.id, inbound.replyToWamid) : null;
    const [message] = await tx
      .insert(messages)
      .values({
        workspaceId: inbound.workspaceId,
        id: newId("msg"),
        chatId: chat.id,
        direction: "in",
        text: inbound.text,
        status: "received",
        providerMessageId: inbound.providerMessageId,
        createdAt: inbound.receivedAt,
        replyToMessageId,
        replyToProviderId: inbound.replyToWamid ?? null,
        rich: inbound.rich ?? null,
      })
      .onConflictDoNothing()
      .returning();
    if (!message) {
      const [existing] = await tx
        .select({ id: messages.id, chatId: messages.chatId })
        .from(messages)
        .where(and(eq(messages.workspaceId, inbound.workspaceId), eq(messages.providerMessageId, inbound.providerMessageId)));
      return { chatId: existing?.chatId ?? chat.id, messageId: existing?.id ?? "", duplicate: true, event: null };
    }
    const media = inbound.media ? await insertInboundMedia(tx, inbound.workspaceId, message.id, inbound.media) : undefined;
    await touchChat(tx, inbound.workspaceId, chat.id, inbound.receivedAt, inbound.text, true);
    const event = { type: "message.created" as const, workspaceId: inbound.workspaceId, chatId: chat.id, messageId: message.id };
    // Outgoing webhooks get the file's description, never a download link (those are for members).
    const quoted = message.replyToProviderId ? (await conversationRelationsOf(tx, [message])).get(message.id) : {};
    const payload = { message: presentMessage(message, { ...quoted, ...(media ? { media: presentMedia(media, null) } : {}) }, "outbox") };
    await emitInboxEvents(tx, [{ event, payload }], { notify: !publishAfterCommit });
    await within?.(tx, { chatId: chat.id, messageId: message.id });
    return { chatId: chat.id, messageId: message.id, duplicate: false, event };
  });
  const { event, ...result } = ingested;
  if (event && publishAfterCommit) publishAfterCommit([event]);
  return result;
}
