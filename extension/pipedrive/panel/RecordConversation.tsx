import { useState } from "react";
import type { PanelApi } from "../shared/api";
import { Composer, type ReplyTarget } from "../shared/Composer";
import { RecordChats } from "../shared/RecordChats";
import type { Chat, ListedMember, Message, PanelPerson, PanelPhone, WhatsAppAccount } from "../shared/types";
import { ChatPane } from "./ChatPane";
import type { useHistory } from "./use-panel-data";

type Props = {
  api: PanelApi;
  /** The signed-in member (the session's). */
  me: { id: string; name: string };
  /** The record's chats, the accounts the member may use and the record's people. */
  context: { chats: Chat[]; accounts: WhatsAppAccount[]; persons: Pick<PanelPerson, "name" | "phones">[] };
  phones: PanelPhone[];
  selectedId: string | null;
  onSelect(chatId: string | null): void;
  history: ReturnType<typeof useHistory>;
  members: ListedMember[];
  /** A chat changed in the chat pane (assigned, closed…). */
  onChat(chat: Chat): void;
  onSent(result: { chat: Chat | null; message: Message }): void;
  onFailed(detail: string): void;
};

/** A record's WhatsApp chats, the selected one's history, and the composer: the body of the Pipedrive and HubSpot panels. */
export function RecordConversation({ api, me, context, phones, selectedId, onSelect, history, members, onChat, onSent, onFailed }: Props) {
  const selected = context.chats.find((chat) => chat.id === selectedId);
  // The message the next send quotes; only while its chat is the one selected.
  const [replying, setReplying] = useState<ReplyTarget | null>(null);
  const replyTo = replying && replying.message.chatId === selectedId ? replying : null;
  return (
    <>
      <h3>WhatsApp chats</h3>
      <RecordChats chats={context.chats} accounts={context.accounts} selectedId={selectedId} onSelect={onSelect} />
      {selected && (
        <ChatPane
          api={api}
          me={me}
          chat={selected}
          messages={history.messages}
          hasOlder={history.hasOlder}
          loadingOlder={history.loadingOlder}
          onLoadOlder={history.loadOlder}
          members={members}
          onChat={onChat}
          onMessage={history.merge}
          onReply={(message, author) => setReplying({ message, author })}
        />
      )}
      <h3>Send</h3>
      <Composer
        key={selected?.id ?? "new"}
        api={api}
        accounts={context.accounts}
        chats={context.chats}
        phones={phones}
        chat={selected}
        persons={context.persons}
        replyTo={replyTo}
        onCancelReply={() => setReplying(null)}
        onSent={onSent}
        onFailed={onFailed}
      />
    </>
  );
}
