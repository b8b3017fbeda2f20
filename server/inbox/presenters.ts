import type { MessageRichContent, messages } from "../db/schema";
import type { PresentedMedia } from "../media/presentation";
import { type Actor, abilities, mayAskToTakeOver } from "../permissions";
import type { MessageReaction, QuotedMessage } from "./message-presentation";
import { type ChatRow, chatRecord } from "./queries";

/** A chat as the API shows it; with an actor, its abilities for that actor. */
export function presentChat(row: ChatRow & { unreadCount?: number; markedUnread?: boolean }, actor?: Actor) {
  return {
    id: row.id,
    accountId: row.accountId,
    contact: { id: row.contactId, phone: row.contactPhone, name: row.contactName },
    responsibleId: row.responsibleId,
    lastMessageAt: row.lastMessageAt.toISOString(),
    lastMessagePreview: row.lastMessagePreview,
    // Every provider keeps the 24-hour window (server/whatsapp/customer-service-window.ts).
    windowOpenUntil: row.windowOpenUntil?.toISOString() ?? null,
    // The caller's own read state, where it was read for them (lists, one chat, their live updates).
    ...(row.unreadCount === undefined ? {} : { unreadCount: row.unreadCount, markedUnread: row.markedUnread ?? false }),
    ...(actor ? { abilities: chatAbilities(actor, row) } : {}),
  };
}

/** What the member may do in the chat, and whether the ownership lock alone stops them (they may ask to take it over). */
function chatAbilities(actor: Actor, row: ChatRow) {
  const record = chatRecord(row);
  return { ...abilities(actor, ["chats.reply", "chats.assign", "messages.delete"], record), askToTakeOver: mayAskToTakeOver(actor, record) };
}

export type MessageRow = typeof messages.$inferSelect;

/** What a message is presented with besides its own row, each loaded for a whole page at once. */
export type MessageExtras = {
  /** Its file (server/media/presentation.ts); absent for a message without one. */
  media?: PresentedMedia;
  /** The message it quotes (message-presentation.ts): null when Meta named one unknown here; absent when not a reply. */
  replyTo?: QuotedMessage | null;
  /** Its reactions in force (message-presentation.ts); none when not loaded. */
  reactions?: MessageReaction[];
};

export function presentMessage(row: MessageRow, extras: MessageExtras = {}) {
  return {
    id: row.id,
    chatId: row.chatId,
    direction: row.direction,
    text: row.text,
    status: row.status,
    authorId: row.authorId,
    templateName: row.templateName,
    error: row.errorCode ? { code: row.errorCode, detail: row.errorDetail } : null,
    createdAt: row.createdAt.toISOString(),
    statusAt: row.statusAt?.toISOString() ?? null,
    sentAt: row.sentAt?.toISOString() ?? null,
    ...(extras.media ? { media: extras.media } : {}),
    ...(extras.replyTo === undefined ? {} : { replyTo: extras.replyTo }),
    reactions: extras.reactions ?? [],
    ...richFields(row.rich),
  };
}

/** `location`, `contacts` or `interactive` as the customer sent them; absent for other messages. */
function richFields(rich: MessageRichContent | null): {
  location?: Extract<MessageRichContent, { location: unknown }>["location"];
  contacts?: Extract<MessageRichContent, { contacts: unknown }>["contacts"];
  interactive?: Extract<MessageRichContent, { interactive: unknown }>["interactive"];
} {
  if (!rich) return {};
  if ("location" in rich) return { location: rich.location };
  if ("contacts" in rich) return { contacts: rich.contacts };
  return { interactive: rich.interactive };
}
