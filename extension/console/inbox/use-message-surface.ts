import { useMemo } from "react";
import { windowIsOpen } from "../../../server/whatsapp/customer-service-window";
import type { MessageSurface } from "../../shared/message/message-surface";
import { apiBase, asProblem, callApi } from "../api/client";
import { useMe } from "../session/SessionProvider";
import { problemSentence } from "../shared/problem-words";
import { contactLabel } from "./format";
import type { Chat, Message } from "./types";
import type { ChatHistory } from "./use-chat-history";

/** The console's side of the shared message content: its session's API, the member, this chat. */
export function useMessageSurface(chat: Chat, history: ChatHistory): MessageSurface {
  const me = useMe();
  const { merge, messages } = history;
  const shown = useMemo(() => new Set(messages.map((message) => message.id)), [messages]);
  return useMemo(
    () => ({
      call: (method, path, body) => callApi(method, path, body),
      apiBase,
      me: { memberId: me.member.id, name: me.member.name },
      customerName: contactLabel(chat),
      // Reactions go out as messages: only with chats.reply, inside the customer's 24-hour window.
      canReact: chat.abilities.reply && windowIsOpen(chat.windowOpenUntil),
      isShown: (messageId) => shown.has(messageId),
      onUpdated: (message) => merge(message as Message),
      describe: (error) => problemSentence(asProblem(error).problem),
    }),
    [chat, me.member.id, me.member.name, merge, shown],
  );
}
