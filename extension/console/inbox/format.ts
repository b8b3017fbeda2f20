import { formatPhone } from "../shared/phone-format";
import type { Chat, Message, MessageStatus } from "./types";

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

/** 14:05 today, "Mon" this week, "12 Mar" this year, "12 Mar 2024" before. */
export function listTime(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (sameDay(at, now)) return at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const days = (now.getTime() - at.getTime()) / 86_400_000;
  if (days < 6) return at.toLocaleDateString([], { weekday: "short" });
  if (at.getFullYear() === now.getFullYear()) return at.toLocaleDateString([], { day: "numeric", month: "short" });
  return at.toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" });
}

export function messageTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** "Today", "Yesterday", or the date: the divider above each day of a chat's history. */
export function dayLabel(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (sameDay(at, now)) return "Today";
  if (sameDay(at, new Date(now.getTime() - 86_400_000))) return "Yesterday";
  return at.toLocaleDateString([], { weekday: "long", day: "numeric", month: "long", year: at.getFullYear() === now.getFullYear() ? undefined : "numeric" });
}

export function contactLabel(chat: Pick<Chat, "contact">): string {
  return chat.contact.name || (chat.contact.phone && formatPhone(chat.contact.phone)) || "Unknown contact";
}

export function initialsOf(name: string): string {
  const letters = name
    .replace(/[^\p{L}\p{N}\s]/gu, "")
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase())
    .slice(0, 2)
    .join("");
  return letters || "#";
}

/** A status never goes back (a late "sent" after "delivered"); failed wins over anything before read. */
const statusRank: Record<MessageStatus, number> = { received: 0, queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export function newerMessage(current: Message, incoming: Message): Message {
  if (current.status === "read" && incoming.status === "failed") return current;
  return statusRank[incoming.status] >= statusRank[current.status] ? incoming : current;
}

export const statusLabels: Record<MessageStatus, string> = {
  queued: "Queued",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Failed",
  received: "Received",
};
