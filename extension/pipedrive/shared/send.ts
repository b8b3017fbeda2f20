import { isMaskedPhone } from "../../shared/masked-phone";
import type { PanelApi } from "./api";
import type { Chat, Message, TemplateContent, WhatsAppAccount } from "./types";

/** A text may quote a message of the chat (replyToMessageId); a template never does. */
export type Content = { text: string; replyToMessageId?: string } | { template: TemplateContent };

/**
 * Accounts the member may send to `phone` from: every account they may start chats on, plus the
 * account of a visible chat with that phone they may reply in (a Collaborator: chats they are
 * responsible for). `accounts` already holds only what the server lets the member send from.
 */
export function sendableAccounts(accounts: WhatsAppAccount[], chats: Chat[], phone: string): WhatsAppAccount[] {
  return accounts.filter(
    (account) => account.canStartChats || chats.some((chat) => chat.accountId === account.id && chat.contact.phone === phone && chat.abilities.reply),
  );
}

export function existingChat(chats: Chat[], accountId: string, phone: string): Chat | undefined {
  return chats.find((chat) => chat.accountId === accountId && chat.contact.phone === phone);
}

/**
 * Replies in the chat when there is one the member may reply in; otherwise starts one (POST /chats),
 * to a masked number by the record's `phoneRef` for it (the server knows the number, the member does not).
 * Both carry `idempotencyKey`: a repeat after a lost answer is answered from the first and sends once.
 */
export async function sendTo(
  api: PanelApi,
  target: { accountId: string; phone: string; phoneRef?: string | null | undefined; chat: Chat | undefined },
  content: Content,
  idempotencyKey: string,
): Promise<{ chat: Chat | null; message: Message }> {
  if (target.chat?.abilities.reply) {
    const { message } = await api.call<{ message: Message }>("POST", `/chats/${encodeURIComponent(target.chat.id)}/messages`, content, { idempotencyKey });
    return { chat: null, message };
  }
  const to = isMaskedPhone(target.phone) && target.phoneRef ? { phoneRef: target.phoneRef } : { phone: target.phone };
  return api.call<{ chat: Chat; message: Message }>("POST", "/chats", { accountId: target.accountId, ...to, ...content }, { idempotencyKey });
}

export function accountLabel(account: WhatsAppAccount): string {
  return account.displayName ? `${account.displayName} (${account.phoneNumber})` : account.phoneNumber;
}
