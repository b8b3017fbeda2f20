import { useCallback, useEffect, useState } from "react";
import { type ApiProblem, asProblem, callApi } from "../api/client";
import type { Page } from "../api/types";
import { useLiveEvents } from "../live/LiveUpdatesProvider";
import type { LiveSignal } from "../live/live-event";
import { byActivity, chatListPath, matchesFilters } from "./chat-filters";
import type { Chat, ChatFilters, Message } from "./types";

type ListState = { chats: Chat[]; nextCursor: string | null; loading: boolean; problem?: ApiProblem };

export type ChatList = ListState & {
  loadMore(): void;
  /** Puts a changed chat where it belongs (or takes it out when it no longer matches the filters). */
  place(chat: Chat, message?: Message): void;
  remove(chatId: string): void;
};

/**
 * The chats the member may see, as filtered: the first page from GET /chats, more by cursor,
 * then kept current by live events (no polling). A reconnect reloads the first page.
 */
export function useChatList(filters: ChatFilters, meId: string): ChatList {
  const [state, setState] = useState<ListState>({ chats: [], nextCursor: null, loading: true });
  const [version, setVersion] = useState(0);
  const path = chatListPath(filters, meId);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger a resync bumps.
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true, problem: undefined }));
    callApi<Page<Chat>>("GET", path).then(
      (page) => current && setState({ chats: page.data, nextCursor: page.nextCursor, loading: false }),
      (error: unknown) => current && setState({ chats: [], nextCursor: null, loading: false, problem: asProblem(error) }),
    );
    return () => {
      current = false;
    };
  }, [path, version]);

  const loadMore = useCallback(() => {
    const cursor = state.nextCursor;
    if (!cursor) return;
    setState((previous) => ({ ...previous, loading: true }));
    callApi<Page<Chat>>("GET", chatListPath(filters, meId, cursor)).then(
      (page) =>
        setState((previous) => {
          // A chat that moved up through a live event is already listed: keep that copy.
          const known = new Set(previous.chats.map((chat) => chat.id));
          return { chats: [...previous.chats, ...page.data.filter((chat) => !known.has(chat.id))], nextCursor: page.nextCursor, loading: false };
        }),
      (error: unknown) => setState((previous) => ({ ...previous, loading: false, problem: asProblem(error) })),
    );
  }, [state.nextCursor, filters, meId]);

  const place = useCallback(
    (incoming: Chat, message?: Message) =>
      setState((previous) => {
        // A copy without the member's read state (a status update, a sent message) keeps the list's.
        const known = previous.chats.find((listed) => listed.id === incoming.id);
        const chat = incoming.unreadCount === undefined && known ? { ...incoming, unreadCount: known.unreadCount, markedUnread: known.markedUnread } : incoming;
        const others = previous.chats.filter((listed) => listed.id !== chat.id);
        if (!matchesFilters(chat, filters, meId, message, Boolean(known)))
          return others.length === previous.chats.length ? previous : { ...previous, chats: others };
        const listed = others.length < previous.chats.length;
        // A chat older than the loaded pages arrives with "Load more"; placing it now would list it twice.
        const oldest = previous.chats[previous.chats.length - 1];
        if (!listed && previous.nextCursor && oldest && byActivity(chat, oldest) > 0) return previous;
        return { ...previous, chats: [...others, chat].sort(byActivity) };
      }),
    [filters, meId],
  );

  const remove = useCallback((chatId: string) => setState((previous) => ({ ...previous, chats: previous.chats.filter((chat) => chat.id !== chatId) })), []);

  useLiveEvents((signal: LiveSignal) => {
    if (signal.type === "resync") setVersion((value) => value + 1);
    else if (signal.visible === false) remove(signal.chat.id);
    else place(signal.chat, signal.message);
  });

  return { ...state, loadMore, place, remove };
}
