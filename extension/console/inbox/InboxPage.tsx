import { useCallback, useState } from "react";
import { asProblem } from "../api/client";
import type { ListedMember } from "../api/types";
import { useApiList } from "../api/use-api-query";
import { useMe } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";
import { ChatFilterBar } from "./ChatFilterBar";
import { ChatList } from "./ChatList";
import { ChatView } from "./ChatView";
import { LiveBadge } from "./LiveBadge";
import { NewChatDialog } from "./NewChatDialog";
import { SandboxSimulator } from "./SandboxSimulator";
import { openChat, useSelectedChatId } from "./selected-chat";
import { type ChatFilters, chatViews, noChatFilters, type WhatsAppAccount } from "./types";
import { useChatList } from "./use-chat-list";
import { useReadMarker, withoutReadState } from "./use-read-marker";

type OpenDialog = "new-chat" | "simulate" | null;

/** The shared inbox: the member's conversations on the left, the open one on the right, kept live. */
export function InboxPage() {
  const me = useMe();
  const meId = me.member.id;
  const selectedId = useSelectedChatId();
  const [filters, setFilters] = useState<ChatFilters>(noChatFilters);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const list = useChatList(filters, meId);
  const members = useApiList<ListedMember>("/members?limit=200");
  const accounts = useApiList<WhatsAppAccount>("/whatsapp-accounts");

  const allAccounts = accounts.data ?? [];
  const startable = allAccounts.filter((account) => account.canStartChats);
  // The simulator opens a chat as if the customer wrote first: only on sandboxes the member may start chats on.
  const sandboxes = allAccounts.filter((account) => account.provider === "sandbox" && account.canStartChats);
  // A member who sees only the chats assigned to them never sees an unassigned one.
  const views = me.permissions["chats.view"] === "assigned" ? chatViews.filter((view) => view !== "unassigned") : chatViews;
  const filtered = filters.view !== "all" || filters.accountId !== "" || filters.q.trim() !== "";
  const { remove, place } = list;
  const onGone = useCallback((chatId: string) => remove(chatId), [remove]);
  // Opening a chat reads it for this member, on every device (server-side read state).
  const { markUnread } = useReadMarker(selectedId, place);
  const [markProblem, setMarkProblem] = useState<ReturnType<typeof asProblem>>();
  const onMarkUnread = (chatId: string) => {
    setMarkProblem(undefined);
    // Back to the list, or the open chat would be read again at once.
    markUnread(chatId).then(
      () => openChat(null),
      (error: unknown) => setMarkProblem(asProblem(error)),
    );
  };

  return (
    // On small screens one column at a time: the list, or the open chat with Back (CSS decides by this class).
    <div className={selectedId ? "inbox showing-chat" : "inbox"}>
      <aside className="inbox-sidebar" aria-label="Conversations">
        <div className="inbox-sidebar-header">
          <h1>Inbox</h1>
          <LiveBadge />
          {startable.length > 0 && (
            <button type="button" className="primary new-chat-button" onClick={() => setDialog("new-chat")}>
              New chat
            </button>
          )}
        </div>
        <ChatFilterBar filters={filters} accounts={allAccounts} views={views} onChange={setFilters} />
        <ProblemMessage problem={members.problem ?? accounts.problem} />
        <ChatList list={list} selectedId={selectedId} meId={meId} members={members.data ?? []} accounts={allAccounts} filtered={filtered} onSelect={openChat} />
        {sandboxes.length > 0 && (
          <div className="sandbox-tool">
            <button type="button" onClick={() => setDialog("simulate")}>
              Simulate customer message
            </button>
            <span className="muted">Sandbox: try the inbox without Meta</span>
          </div>
        )}
      </aside>
      <section className="inbox-main" aria-label="Conversation">
        {selectedId ? (
          <>
            <div className="chat-toolbar">
              <button type="button" className="link-button back-to-chats" onClick={() => openChat(null)}>
                <span aria-hidden="true">← </span>
                Back to chats
              </button>
              <ProblemMessage problem={markProblem} />
              <button type="button" className="link-button" onClick={() => onMarkUnread(selectedId)}>
                Mark as unread
              </button>
            </div>
            <ChatView
              key={selectedId}
              chatId={selectedId}
              listed={list.chats.find((chat) => chat.id === selectedId)}
              members={members.data ?? []}
              accounts={allAccounts}
              onChatChanged={(chat, message) => place(withoutReadState(chat), message)}
              onGone={onGone}
            />
          </>
        ) : (
          <div className="inbox-empty">
            <h2>{list.chats.length > 0 ? "Pick a conversation" : "Your conversations will appear here"}</h2>
            <p className="muted">
              {list.chats.length > 0
                ? "Choose a chat on the left to read it and reply."
                : sandboxes.length > 0
                  ? "Use “Simulate customer message” to see one arrive."
                  : "When a customer writes to one of your WhatsApp numbers, the chat shows up here."}
            </p>
          </div>
        )}
      </section>
      {dialog === "new-chat" && (
        <NewChatDialog
          accounts={startable}
          onClose={() => setDialog(null)}
          onStarted={(chat, message) => {
            list.place(chat, message);
            setDialog(null);
            openChat(chat.id);
          }}
        />
      )}
      {dialog === "simulate" && (
        <SandboxSimulator
          accounts={sandboxes}
          onClose={() => setDialog(null)}
          onOpenChat={(chatId) => {
            setDialog(null);
            openChat(chatId);
          }}
        />
      )}
    </div>
  );
}
