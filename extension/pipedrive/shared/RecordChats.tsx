import { contactLabel, listTime } from "../../console/inbox/format";
import type { Chat, WhatsAppAccount } from "./types";

type Props = { chats: Chat[]; accounts: WhatsAppAccount[]; selectedId: string | null; onSelect(chatId: string | null): void };

/** A CRM record's WhatsApp chats, as every CRM panel lists them: who, when, the last message and the line; a second click closes one. */
export function RecordChats({ chats, accounts, selectedId, onSelect }: Props) {
  return (
    <ul className="chats" aria-label="Chats">
      {chats.length === 0 && <li className="muted">No chats you can see with these people.</li>}
      {chats.map((chat) => (
        <li key={chat.id}>
          <button type="button" aria-current={chat.id === selectedId} onClick={() => onSelect(chat.id === selectedId ? null : chat.id)}>
            <span className="chat-line">
              <strong>{contactLabel(chat)}</strong>
              <span>{listTime(chat.lastMessageAt)}</span>
            </span>
            <span className="chat-line">
              <span>{chat.lastMessagePreview ?? ""}</span>
              <span>{accounts.find((account) => account.id === chat.accountId)?.phoneNumber ?? ""}</span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
