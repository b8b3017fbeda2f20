import { useSyncExternalStore } from "react";

// The open chat lives in the hash (#/inbox/<chatId>): a link to a conversation, and Back goes to the previous one.
const inboxChatPattern = /^#\/inbox\/([^/?#]+)/;

function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

export function useSelectedChatId(): string | null {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  const match = hash.match(inboxChatPattern);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export function openChat(chatId: string | null): void {
  window.location.hash = chatId ? `/inbox/${encodeURIComponent(chatId)}` : "/inbox";
}
