import type { ListedMember } from "../api/types";
import { ProblemMessage } from "../shared/ProblemMessage";
import { formatPhone } from "../shared/phone-format";
import { contactLabel, initialsOf, listTime } from "./format";
import type { Chat, WhatsAppAccount } from "./types";
import type { ChatList as ChatListState } from "./use-chat-list";
import "./unread.css";

/** "3", or "99+" at the server's cap; a chat marked unread without new messages shows a dot. */
const unreadLabel = (count: number) => (count >= 100 ? "99+" : String(count));

type ChatListProps = {
  list: ChatListState;
  selectedId: string | null;
  meId: string;
  members: ListedMember[];
  accounts: WhatsAppAccount[];
  filtered: boolean;
  onSelect(chatId: string): void;
};

/** The conversations, newest activity first: contact, last message, time, responsible; "Load more" by cursor. */
export function ChatList({ list, selectedId, meId, members, accounts, filtered, onSelect }: ChatListProps) {
  const responsibleOf = (chat: Chat) => {
    if (!chat.responsibleId) return "Unassigned";
    if (chat.responsibleId === meId) return "You";
    return members.find((member) => member.id === chat.responsibleId)?.name ?? "A teammate";
  };
  const accountOf = (chat: Chat) => (accounts.length > 1 ? accounts.find((account) => account.id === chat.accountId)?.displayName : undefined);

  return (
    <div className="chat-list-scroll">
      <ProblemMessage problem={list.problem} />
      <ul className="chat-list" aria-label="Chats">
        {list.chats.map((chat) => {
          const unreadCount = chat.unreadCount ?? 0;
          const unread = unreadCount > 0 || chat.markedUnread === true;
          return (
            <li key={chat.id}>
              <button
                type="button"
                className={unread ? "chat-item chat-item-unread" : "chat-item"}
                aria-current={chat.id === selectedId ? "true" : undefined}
                data-chat-id={chat.id}
                data-unread={unread ? unreadCount : undefined}
                onClick={() => onSelect(chat.id)}
              >
                <span className="avatar" aria-hidden="true">
                  {initialsOf(contactLabel(chat))}
                </span>
                <span className="chat-item-body">
                  <span className="chat-item-top">
                    <span className="chat-item-name">{contactLabel(chat)}</span>
                    <time className="chat-item-time" dateTime={chat.lastMessageAt}>
                      {listTime(chat.lastMessageAt)}
                    </time>
                  </span>
                  {unread && (
                    <span className={unreadCount > 0 ? "unread-count" : "unread-count unread-dot"}>
                      {unreadCount > 0 ? unreadLabel(unreadCount) : ""}
                      <span className="visually-hidden">{unreadCount > 0 ? " unread" : "Marked unread"}</span>
                    </span>
                  )}
                  {chat.contact.name && chat.contact.phone && <span className="chat-item-phone">{formatPhone(chat.contact.phone)}</span>}
                  <span className="chat-item-preview">{chat.lastMessagePreview ?? "No messages yet"}</span>
                  <span className="chat-item-tags">
                    {chat.responsibleId === meId ? (
                      <span className="tag tag-mine" title="You are responsible for this chat">
                        Mine<span className="visually-hidden"> — You are responsible</span>
                      </span>
                    ) : (
                      <span className={`tag ${chat.responsibleId ? "" : "tag-unassigned"}`}>{responsibleOf(chat)}</span>
                    )}
                    {accountOf(chat) && <span className="tag tag-account">{accountOf(chat)}</span>}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {!list.loading && list.chats.length === 0 && !list.problem && (
        <p className="muted chat-list-empty">{filtered ? "No chats match these filters." : "No conversations yet."}</p>
      )}
      {list.loading && <p className="muted chat-list-empty">Loading…</p>}
      {list.nextCursor && !list.loading && (
        <div className="chat-list-more">
          <button type="button" onClick={list.loadMore}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}
