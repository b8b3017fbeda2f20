import { useCallback, useEffect, useState } from "react";
import { type ApiProblem, asProblem, callApi } from "../api/client";
import type { Page } from "../api/types";
import { newerMessage } from "./format";
import type { Message } from "./types";

const historyPageSize = 40;

type HistoryState = { messages: Message[]; olderCursor: string | null; loading: boolean; problem?: ApiProblem };

export type ChatHistory = HistoryState & {
  loadOlder(): void;
  /** Adds a message (sent here, or from a live event) or updates its status; never twice, never backwards. */
  merge(message: Message): void;
  /** Drops a message deleted for everyone (message.deleted, or the member's own Delete). */
  remove(messageId: string): void;
  reload(): void;
};

const byTime = (a: Message, b: Message) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

function mergeInto(messages: Message[], incoming: Message[]): Message[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  for (const message of incoming) {
    const known = byId.get(message.id);
    byId.set(message.id, known ? newerMessage(known, message) : message);
  }
  return [...byId.values()].sort(byTime);
}

/** A chat's history, oldest → newest: the newest page of GET /chats/{id}/messages, older pages by cursor. */
export function useChatHistory(chatId: string): ChatHistory {
  const [state, setState] = useState<HistoryState>({ messages: [], olderCursor: null, loading: true });
  const [version, setVersion] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger reload() bumps.
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true, problem: undefined }));
    callApi<Page<Message>>("GET", `/chats/${encodeURIComponent(chatId)}/messages?limit=${historyPageSize}`).then(
      // Messages that arrived live while the page loaded are kept (merged), not dropped.
      (page) => current && setState((previous) => ({ messages: mergeInto(previous.messages, page.data), olderCursor: page.nextCursor, loading: false })),
      (error: unknown) => current && setState((previous) => ({ ...previous, loading: false, problem: asProblem(error) })),
    );
    return () => {
      current = false;
    };
  }, [chatId, version]);

  const loadOlder = useCallback(() => {
    const cursor = state.olderCursor;
    if (!cursor) return;
    setState((previous) => ({ ...previous, loading: true }));
    callApi<Page<Message>>("GET", `/chats/${encodeURIComponent(chatId)}/messages?limit=${historyPageSize}&cursor=${encodeURIComponent(cursor)}`).then(
      (page) => setState((previous) => ({ messages: mergeInto(previous.messages, page.data), olderCursor: page.nextCursor, loading: false })),
      (error: unknown) => setState((previous) => ({ ...previous, loading: false, problem: asProblem(error) })),
    );
  }, [chatId, state.olderCursor]);

  const merge = useCallback((message: Message) => setState((previous) => ({ ...previous, messages: mergeInto(previous.messages, [message]) })), []);
  const remove = useCallback(
    (messageId: string) =>
      setState((previous) => ({
        ...previous,
        // Gone, and its quotes in the replies left say "Deleted message".
        messages: previous.messages
          .filter((message) => message.id !== messageId)
          .map((message) =>
            message.replyTo?.id === messageId ? { ...message, replyTo: { ...message.replyTo, text: "", mediaKind: null, deleted: true as const } } : message,
          ),
      })),
    [],
  );
  const reload = useCallback(() => setVersion((value) => value + 1), []);
  return { ...state, loadOlder, merge, remove, reload };
}
