import { useCallback, useEffect, useRef } from "react";
import { callApi } from "../api/client";
import { useLiveEvents } from "../live/LiveUpdatesProvider";
import type { Chat } from "./types";

const seen = () => document.visibilityState === "visible";

/** The read state is the list's to show; a chat from elsewhere (the open chat's own copy) leaves it as the list has it. */
export function withoutReadState<C extends Chat>(chat: C): C {
  const { unreadCount: _count, markedUnread: _marked, ...rest } = chat;
  return rest as C;
}

/**
 * Opening a chat reads it (PUT /chats/{id}/read), and so does a customer's message arriving in the
 * open chat — when the tab is in sight; in a hidden tab it stays unread (the title counts it) until
 * the member looks again. The answer (the member's read state) goes to `onRead`; the member's other
 * tabs and devices hear it live.
 */
export function useReadMarker(selectedId: string | null, onRead: (chat: Chat) => void): { markUnread(chatId: string): Promise<void> } {
  const pending = useRef(false);
  const latestOnRead = useRef(onRead);
  latestOnRead.current = onRead;

  const markRead = useCallback((chatId: string, throughMessageId?: string) => {
    pending.current = false;
    callApi<{ chat: Chat }>("PUT", `/chats/${encodeURIComponent(chatId)}/read`, throughMessageId ? { throughMessageId } : {}).then(
      ({ chat }) => latestOnRead.current(chat),
      // A chat no longer visible says so in the conversation pane; a lost mark is made again on the next look.
      () => undefined,
    );
  }, []);

  useEffect(() => {
    if (!selectedId) return;
    if (seen()) markRead(selectedId);
    else pending.current = true;
  }, [selectedId, markRead]);

  useEffect(() => {
    if (!selectedId) return;
    const onLook = () => {
      if (seen() && pending.current) markRead(selectedId);
    };
    document.addEventListener("visibilitychange", onLook);
    window.addEventListener("focus", onLook);
    return () => {
      document.removeEventListener("visibilitychange", onLook);
      window.removeEventListener("focus", onLook);
    };
  }, [selectedId, markRead]);

  useLiveEvents((signal) => {
    if (signal.type !== "message.created" || !selectedId || signal.chat.id !== selectedId || signal.message?.direction !== "in") return;
    if (seen()) markRead(selectedId, signal.message.id);
    else pending.current = true;
  });

  const markUnread = useCallback(async (chatId: string) => {
    const { chat } = await callApi<{ chat: Chat }>("DELETE", `/chats/${encodeURIComponent(chatId)}/read`);
    latestOnRead.current(chat);
  }, []);
  return { markUnread };
}
