import { useCallback, useEffect, useState } from "react";
import { type ApiProblem, asProblem, callApi } from "../api/client";
import type { ListedMember } from "../api/types";
import { useLiveEvents } from "../live/LiveUpdatesProvider";
import { ExplainedDisabledButton } from "../permissions/PermissionReason";
import { useMe } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";
import { formatPhone } from "../shared/phone-format";
import { Composer, type ReplyTarget } from "./Composer";
import { DeleteMessageDialog } from "./DeleteMessageDialog";
import { contactLabel, initialsOf } from "./format";
import { HistoryPane } from "./HistoryPane";
import { ResponsiblePicker } from "./ResponsiblePicker";
import { TakeOverPrompt } from "./TakeOverPrompt";
import type { Chat, MaybeVisibleChat, Message, WhatsAppAccount } from "./types";
import { type ChatHistory, useChatHistory } from "./use-chat-history";
import { useMessageSurface } from "./use-message-surface";

type ChatViewProps = {
  chatId: string;
  /** The list's copy, shown at once while GET /chats/{id} loads. */
  listed: Chat | undefined;
  members: ListedMember[];
  accounts: WhatsAppAccount[];
  onChatChanged(chat: Chat, message?: Message): void;
  /** The chat left what the member may see: the list drops it. */
  onGone(chatId: string): void;
};

const notVisible = "This chat is no longer visible to you — it may have been reassigned. It has been removed from your list.";

/** One conversation: who it is with and who is responsible, the history, and (when allowed) the composer. */
export function ChatView({ chatId, listed, members, accounts, onChatChanged, onGone }: ChatViewProps) {
  const meId = useMe().member.id;
  const [chat, setChat] = useState<Chat | undefined>(listed);
  const [problem, setProblem] = useState<ApiProblem>();
  const [goneNotice, setGoneNotice] = useState<string>();
  const [reloads, setReloads] = useState(0);
  const history = useChatHistory(chatId);
  // The message the next send quotes (its Reply was chosen); the view is keyed by chat, so this is this chat's.
  const [replyingTo, setReplyingTo] = useState<ReplyTarget | null>(null);
  // The message whose Delete was chosen: its confirm dialog is open.
  const [deleting, setDeleting] = useState<Message | null>(null);

  const markGone = useCallback(
    (notice: string) => {
      setGoneNotice(notice);
      onGone(chatId);
    },
    [chatId, onGone],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` is the trigger a resync bumps.
  useEffect(() => {
    let current = true;
    callApi<Chat>("GET", `/chats/${encodeURIComponent(chatId)}`).then(
      (loaded) => current && setChat(loaded),
      (error: unknown) => {
        if (!current) return;
        const failure = asProblem(error);
        if (failure.status === 404) markGone("This chat does not exist or is not visible to you.");
        else setProblem(failure);
      },
    );
    return () => {
      current = false;
    };
  }, [chatId, reloads, markGone]);

  useEffect(() => {
    if (history.problem?.status === 404) markGone("This chat does not exist or is not visible to you.");
  }, [history.problem, markGone]);

  useLiveEvents((signal) => {
    if (signal.type === "resync") {
      setReloads((value) => value + 1);
      history.reload();
    } else if (signal.chat.id === chatId) {
      if (signal.visible === false) return markGone(notVisible);
      setChat(signal.chat);
      if (signal.type === "message.deleted" && signal.messageId) history.remove(signal.messageId);
      else if (signal.message) history.merge(signal.message);
    }
  });

  if (goneNotice) {
    return (
      <div className="chat-view chat-gone">
        <p className="notice" role="status">
          {goneNotice}
        </p>
      </div>
    );
  }
  if (!chat) {
    return <div className="chat-view">{problem ? <ProblemMessage problem={problem} /> : <p className="muted chat-loading">Loading conversation…</p>}</div>;
  }

  const memberName = (memberId: string | null) => members.find((member) => member.id === memberId)?.name;
  const holderName = (memberId: string) => (memberId === meId ? "you" : (memberName(memberId) ?? "a teammate"));
  const account = accounts.find((candidate) => candidate.id === chat.accountId);
  const authorOf = (message: Message) =>
    message.direction === "in" ? contactLabel(chat) : (memberName(message.authorId) ?? (message.authorId ? "A teammate" : "Switchboard"));
  const onSent = (message: Message) => {
    history.merge(message);
    const updated = { ...chat, lastMessageAt: message.createdAt, lastMessagePreview: message.text };
    setChat(updated);
    onChatChanged(updated, message);
  };
  const onResponsibleChanged = (updated: MaybeVisibleChat) => {
    if (!updated.abilities) {
      const to = memberName(updated.responsibleId) ?? "someone else";
      return markGone(`You handed this chat to ${to}; your role does not let you see it any longer.`);
    }
    const visible = { ...updated, abilities: updated.abilities };
    setChat(visible);
    onChatChanged(visible);
  };

  return (
    <div className="chat-view">
      <header className="chat-header">
        <div className="avatar" aria-hidden="true">
          {initialsOf(contactLabel(chat))}
        </div>
        <div className="chat-title">
          <h2>{contactLabel(chat)}</h2>
          <div className="muted">
            {chat.contact.name && chat.contact.phone ? `${formatPhone(chat.contact.phone)} · ` : ""}
            via {account ? `${account.displayName}${account.provider === "sandbox" ? " (sandbox)" : ""}` : "WhatsApp"}
          </div>
          {chat.responsibleId && <div className="muted held-by">Held by {holderName(chat.responsibleId)}</div>}
        </div>
        {chat.abilities.assign ? (
          <ResponsiblePicker chat={chat} members={members} onChanged={onResponsibleChanged} onGone={() => markGone(notVisible)} />
        ) : (
          <div className="responsible-readonly">
            <span className="muted">Responsible</span>
            <strong>{chat.responsibleId ? (memberName(chat.responsibleId) ?? "A teammate") : "Unassigned"}</strong>
            <ExplainedDisabledButton question={{ permission: "chats.assign", record: { type: "chat", id: chat.id } }}>
              Change responsible
            </ExplainedDisabledButton>
          </div>
        )}
      </header>
      <ProblemMessage problem={problem} />
      <ChatHistoryPane
        chat={chat}
        history={history}
        authorOf={authorOf}
        onReply={chat.abilities.reply ? (message) => setReplyingTo({ message, author: authorOf(message) }) : undefined}
        onDelete={chat.abilities.delete ? setDeleting : undefined}
      />
      {deleting && (
        <DeleteMessageDialog
          chatId={chat.id}
          message={deleting}
          onDeleted={(messageId) => {
            history.remove(messageId);
            if (replyingTo?.message.id === messageId) setReplyingTo(null);
          }}
          onClose={() => setDeleting(null)}
        />
      )}
      {chat.abilities.reply ? (
        <Composer
          key={chat.id}
          chat={chat}
          account={account}
          replyingTo={replyingTo}
          onCancelReply={() => setReplyingTo(null)}
          onSent={onSent}
          onGone={() => markGone(notVisible)}
        />
      ) : chat.abilities.askToTakeOver && chat.responsibleId ? (
        <TakeOverPrompt key={chat.id} chatId={chat.id} holderName={memberName(chat.responsibleId) ?? "A teammate"} />
      ) : (
        <div className="composer-readonly">
          <p className="muted">You can read this conversation, but you may not reply in it (Reply says why).</p>
          <ExplainedDisabledButton question={{ permission: "chats.reply", record: { type: "chat", id: chat.id } }}>Reply</ExplainedDisabledButton>
        </div>
      )}
    </div>
  );
}

/** The history with the console's side of the message content (a hook needs the loaded chat). */
function ChatHistoryPane({
  chat,
  history,
  authorOf,
  onReply,
  onDelete,
}: {
  chat: Chat;
  history: ChatHistory;
  authorOf(message: Message): string;
  onReply?(message: Message): void;
  onDelete?(message: Message): void;
}) {
  const surface = useMessageSurface(chat, history);
  return <HistoryPane history={history} authorOf={authorOf} surface={surface} onReply={onReply} onDelete={onDelete} />;
}
