import type { MessageRichContent, messages } from "../db/schema";
import type { PresentedMedia } from "../media/presentation";
import { type Actor, abilities, mayAskToTakeOver, presentPhone, presentText } from "../permissions";
import type { MessageReaction, QuotedMessage } from "./message-presentation";
import { type ChatRow, chatRecord } from "./queries";

/**
 * Who a presentation is for: a member (numbers as they may see them, contacts.view_numbers), or
 * `outbox` — the copy a webhook delivery stores, masked per webhook when it is sent
 * (server/webhooks/number-masking.ts), never an API answer.
 */
export type Audience = Actor | "outbox";

function phoneFor(audience: Audience, phone: string): string;
function phoneFor(audience: Audience, phone: string | null): string | null;
function phoneFor(audience: Audience, phone: string | null): string | null {
  return audience === "outbox" ? phone : presentPhone(audience, phone);
}

/**
 * A chat as the API shows it to `audience`; its abilities for a member unless `abilities: false`
 * (a chat that just left the member's view).
 */
export function presentChat(row: ChatRow & { unreadCount?: number; markedUnread?: boolean }, audience: Audience, options: { abilities?: boolean } = {}) {
  const actor = audience === "outbox" || options.abilities === false ? null : audience;
  return {
    id: row.id,
    accountId: row.accountId,
    contact: { id: row.contactId, phone: phoneFor(audience, row.contactPhone), name: row.contactName },
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

/** A message as the API shows it to `audience` (a shared contact card's numbers as they may see them). */
export function presentMessage(row: MessageRow, extras: MessageExtras, audience: Audience) {
  return {
    id: row.id,
    chatId: row.chatId,
    direction: row.direction,
    text: row.text,
    status: row.status,
    authorId: row.authorId,
    templateName: row.templateName,
    // A failure's detail is Meta's or ours and may name the recipient: masked like any number.
    error: row.errorCode ? { code: row.errorCode, detail: audience === "outbox" ? row.errorDetail : presentText(audience, row.errorDetail) } : null,
    createdAt: row.createdAt.toISOString(),
    statusAt: row.statusAt?.toISOString() ?? null,
    sentAt: row.sentAt?.toISOString() ?? null,
    ...(extras.media ? { media: extras.media } : {}),
    ...(extras.replyTo === undefined ? {} : { replyTo: extras.replyTo }),
    reactions: extras.reactions ?? [],
    ...richFields(row.rich, audience),
  };
}

/** `location`, `contacts` or `interactive` as the customer sent them; absent for other messages. */
function richFields(
  rich: MessageRichContent | null,
  audience: Audience,
): {
  location?: Extract<MessageRichContent, { location: unknown }>["location"];
  contacts?: Extract<MessageRichContent, { contacts: unknown }>["contacts"];
  interactive?: Extract<MessageRichContent, { interactive: unknown }>["interactive"];
} {
  if (!rich) return {};
  if ("location" in rich) return { location: rich.location };
  if ("contacts" in rich) return { contacts: rich.contacts.map((card) => ({ ...card, phones: card.phones.map((phone) => phoneFor(audience, phone)) })) };
  return { interactive: rich.interactive };
}
