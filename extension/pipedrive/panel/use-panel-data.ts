import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { newerMessage } from "../../console/inbox/format";
import { openEventStream } from "../../console/live/event-stream";
import type { LiveEvent } from "../../console/live/live-event";
import { type ApiProblem, type PanelApi, problemOf } from "../shared/api";
import type { Chat, ListedMember, Message, PanelPhone } from "../shared/types";

type DataState<Context> = { context?: Context; members: ListedMember[]; problem?: ApiProblem; loading: boolean };

/**
 * The record's people, the member's chats with them and the accounts they may send from, read
 * from `contextPath` (each CRM's panel context route); kept live over GET /events. Shared by the
 * Pipedrive and HubSpot panels.
 */
export function usePanelData<Context extends { chats: Chat[] }>(api: PanelApi, bearer: string, contextPath: string, onLive: (event: LiveEvent) => void) {
  const [state, setState] = useState<DataState<Context>>({ members: [], loading: true });
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((value) => value + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger reload() bumps.
  useEffect(() => {
    let current = true;
    Promise.all([
      api.call<Context>("GET", contextPath),
      api.call<{ data: ListedMember[] }>("GET", "/members").catch(() => ({ data: [] as ListedMember[] })),
    ]).then(
      ([context, members]) => current && setState({ context, members: members.data, loading: false }),
      (error: unknown) => current && setState((previous) => ({ ...previous, problem: problemOf(error), loading: false })),
    );
    return () => {
      current = false;
    };
  }, [api, contextPath, version]);

  const upsertChat = useCallback((chat: Chat) => {
    setState((previous) => {
      if (!previous.context) return previous;
      const known = previous.context.chats.some((candidate) => candidate.id === chat.id);
      const chats = known ? previous.context.chats.map((candidate) => (candidate.id === chat.id ? chat : candidate)) : [chat, ...previous.context.chats];
      return { ...previous, context: { ...previous.context, chats } };
    });
  }, []);

  // Live updates over GET /events with the current bearer; a refreshed bearer reopens the stream.
  useEffect(() => {
    return openEventStream(bearer, {
      onEvent(event) {
        setState((previous) => {
          if (!previous.context?.chats.some((chat) => chat.id === event.chat.id)) return previous;
          // The chat left what the member may see (they were unassigned): it leaves the panel.
          const chats =
            event.visible === false
              ? previous.context.chats.filter((chat) => chat.id !== event.chat.id)
              : previous.context.chats.map((chat) => (chat.id === event.chat.id ? { ...chat, ...event.chat } : chat));
          return { ...previous, context: { ...previous.context, chats } };
        });
        onLive(event);
      },
      onStatus() {},
    });
  }, [bearer, onLive]);

  return { ...state, reload, upsertChat };
}

/** Messages per page of history; older pages load as the member scrolls up. */
export const historyPageSize = 50;

type Page<Item> = { data: Item[]; nextCursor: string | null };

const messagesPath = (chatId: string, cursor?: string) =>
  `/chats/${encodeURIComponent(chatId)}/messages?limit=${historyPageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;

/**
 * A chat's messages, oldest first: the newest page of GET /chats/{id}/messages, older pages by its
 * nextCursor (loadOlder); live and sent messages merge in without duplicates or status going back.
 */
export function useHistory(api: PanelApi, chatId: string | null) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [problem, setProblem] = useState<ApiProblem>();
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const loading = useRef<string | null>(null);
  useEffect(() => {
    setMessages([]);
    setProblem(undefined);
    setOlderCursor(null);
    setLoadingOlder(false);
    loading.current = null;
    if (!chatId) return;
    let current = true;
    api.call<Page<Message>>("GET", messagesPath(chatId)).then(
      (page) => {
        if (!current) return;
        setMessages((previous) => mergeMessages(previous, page.data));
        setOlderCursor(page.nextCursor);
      },
      (error: unknown) => current && setProblem(problemOf(error)),
    );
    return () => {
      current = false;
    };
  }, [api, chatId]);
  const loadOlder = useCallback(() => {
    if (!chatId || !olderCursor || loading.current === olderCursor) return;
    const cursor = olderCursor;
    loading.current = cursor;
    setLoadingOlder(true);
    api.call<Page<Message>>("GET", messagesPath(chatId, cursor)).then(
      (page) => {
        if (loading.current !== cursor) return;
        loading.current = null;
        setMessages((previous) => mergeMessages(previous, page.data));
        setOlderCursor(page.nextCursor);
        setLoadingOlder(false);
      },
      (error: unknown) => {
        if (loading.current !== cursor) return;
        loading.current = null;
        setLoadingOlder(false);
        setProblem(problemOf(error));
      },
    );
  }, [api, chatId, olderCursor]);
  const merge = useCallback((message: Message) => setMessages((previous) => mergeMessages(previous, [message])), []);
  // A message deleted for everyone (message.deleted) leaves the panel too.
  const remove = useCallback((messageId: string) => setMessages((previous) => previous.filter((message) => message.id !== messageId)), []);
  return { messages, problem, merge, remove, hasOlder: olderCursor !== null, loadingOlder, loadOlder };
}

function mergeMessages(messages: Message[], incoming: Message[]): Message[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  for (const message of incoming) {
    const known = byId.get(message.id);
    byId.set(message.id, known ? newerMessage(known, message) : message);
  }
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * A record panel's state (Pipedrive's and HubSpot's): the selected chat and its history, which a
 * live message in that chat joins; the record's context from `contextPath`; its people's phones.
 */
export function useRecordPanel<Context extends { chats: Chat[]; persons: { phones: PanelPhone[] }[] }>(api: PanelApi, bearer: string, contextPath: string) {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selectedIdRef = useRef(selectedId);
  selectedIdRef.current = selectedId;
  const history = useHistory(api, selectedId);
  const { merge: mergeHistory, remove: removeFromHistory } = history;
  const onLive = useCallback(
    (event: LiveEvent) => {
      if (event.chat.id !== selectedIdRef.current) return;
      if (event.messageId) removeFromHistory(event.messageId);
      else if (event.message) mergeHistory(event.message);
    },
    [mergeHistory, removeFromHistory],
  );
  const data = usePanelData<Context>(api, bearer, contextPath, onLive);
  const context = data.context;
  const phones = useMemo(() => context?.persons.flatMap((person) => person.phones) ?? [], [context]);
  return { selectedId, setSelectedId, history, data, phones };
}
