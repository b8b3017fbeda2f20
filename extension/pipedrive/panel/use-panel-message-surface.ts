import { useMemo } from "react";
import { windowIsOpen } from "../../../server/whatsapp/customer-service-window";
import { apiBase } from "../../console/api/client";
import { contactLabel } from "../../console/inbox/format";
import type { MessageSurface } from "../../shared/message/message-surface";
import { type PanelApi, problemText } from "../shared/api";
import type { Chat, Message } from "../shared/types";

/** The panels' side of the shared message content (Pipedrive's and HubSpot's): the bearer's API, the member, this chat. */
export function usePanelMessageSurface(
  api: PanelApi,
  me: { id: string; name: string },
  chat: Chat,
  messages: Message[],
  onUpdated: (message: Message) => void,
): MessageSurface {
  const shown = useMemo(() => new Set(messages.map((message) => message.id)), [messages]);
  return useMemo(
    () => ({
      call: (method, path, body) => api.call(method, path, body),
      apiBase,
      me: { memberId: me.id, name: me.name },
      customerName: contactLabel(chat),
      // Reactions go out as messages: only with chats.reply, inside the customer's 24-hour window.
      canReact: chat.abilities.reply && windowIsOpen(chat.windowOpenUntil),
      isShown: (messageId) => shown.has(messageId),
      onUpdated: (message) => onUpdated(message as Message),
      describe: problemText,
    }),
    [api, me.id, me.name, chat, shown, onUpdated],
  );
}
