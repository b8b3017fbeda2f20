import { isMaskedPhone } from "../../shared/masked-phone";
import type { Chat, ChatFilters, Message } from "./types";

export const chatPageSize = 30;

/** GET /chats with the member's filters: "Mine" is responsibleId = me, "Unassigned" unassigned=true. */
export function chatListPath(filters: ChatFilters, meId: string, cursor?: string | null): string {
  const params = new URLSearchParams({ limit: String(chatPageSize) });
  if (filters.accountId) params.set("accountId", filters.accountId);
  if (filters.view === "mine") params.set("responsibleId", meId);
  if (filters.view === "unassigned") params.set("unassigned", "true");
  if (filters.q.trim()) params.set("q", filters.q.trim());
  if (cursor) params.set("cursor", cursor);
  return `/chats?${params}`;
}

const digits = (text: string) => text.replace(/[\s()+-]/g, "");

/**
 * Whether a chat that a live event brought belongs in the list as filtered: the same rules the
 * server applies to GET /chats (the search also looks at the newest message's text). `listed`: the
 * chat is in the list already, i.e. the server found it for this search.
 */
export function matchesFilters(chat: Chat, filters: ChatFilters, meId: string, message?: Message, listed = false): boolean {
  if (filters.accountId && chat.accountId !== filters.accountId) return false;
  if (filters.view === "mine" && chat.responsibleId !== meId) return false;
  if (filters.view === "unassigned" && chat.responsibleId !== null) return false;
  const q = filters.q.trim().toLowerCase();
  if (!q) return true;
  const texts = [chat.contact.name, chat.lastMessagePreview, message?.text].map((text) => (text ?? "").toLowerCase());
  if (texts.some((text) => text.includes(q))) return true;
  const phone = chat.contact.phone ?? "";
  // A masked number cannot be compared here (the server matches the full one): a listed chat stays,
  // a new one shows with the next load.
  if (isMaskedPhone(phone)) return listed && /^\d+$/.test(digits(q));
  return matchesPhone(phone, digits(q));
}

/**
 * A number typed as stored (+44…, 44…) or nationally with its trunk prefix (07700 900123 for
 * +447700900123), as the server reads it with the workspace's default country.
 */
function matchesPhone(phone: string, typed: string): boolean {
  if (!/^\d+$/.test(typed)) return false;
  const stored = digits(phone);
  return stored.includes(typed) || (typed.startsWith("0") && typed.length > 4 && stored.endsWith(typed.slice(1)));
}

/** Newest activity first, as GET /chats orders them. */
export function byActivity(a: Chat, b: Chat): number {
  return b.lastMessageAt.localeCompare(a.lastMessageAt) || b.id.localeCompare(a.id);
}
