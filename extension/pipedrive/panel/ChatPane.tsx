import { useState } from "react";
import { messageTime } from "../../console/inbox/format";
import { StatusTicks } from "../../console/inbox/StatusTicks";
import { type PanelApi, problemText } from "../shared/api";
import type { Chat, ListedMember, Message } from "../shared/types";

/** The selected chat: who is responsible (changeable with abilities.assign) and its history with statuses. */
export function ChatPane({
  api,
  chat,
  messages,
  members,
  onChat,
}: {
  api: PanelApi;
  chat: Chat;
  messages: Message[];
  members: ListedMember[];
  onChat(chat: Chat): void;
}) {
  const [problem, setProblem] = useState<string>();
  const responsible = members.find((member) => member.id === chat.responsibleId);
  const assign = async (memberId: string) => {
    setProblem(undefined);
    try {
      const { chat: updated } = await api.call<{ chat: Chat }>("PUT", `/chats/${encodeURIComponent(chat.id)}/responsible`, { memberId: memberId || null });
      onChat({ ...chat, ...updated, abilities: updated.abilities ?? chat.abilities });
    } catch (error) {
      setProblem(problemText(error));
    }
  };
  return (
    <section aria-label="Chat history">
      <div className="row">
        {chat.abilities.assign ? (
          <div>
            <label htmlFor="responsible">Responsible</label>
            <select id="responsible" value={chat.responsibleId ?? ""} onChange={(event) => void assign(event.target.value)}>
              <option value="">Unassigned</option>
              {members
                .filter((member) => member.status === "active" || member.id === chat.responsibleId)
                .map((member) => (
                  <option key={member.id} value={member.id}>
                    {member.name}
                  </option>
                ))}
            </select>
          </div>
        ) : (
          <p className="muted" data-testid="responsible">
            Responsible: {chat.responsibleId ? (responsible?.name ?? "another member") : "nobody"}
          </p>
        )}
      </div>
      {problem && (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
      <ol className="history" aria-label="Messages">
        {messages.length === 0 && <li className="muted">No messages yet.</li>}
        {messages.map((message) => (
          <li key={message.id} className={`bubble bubble-${message.direction}`}>
            <span className="bubble-text" dir="auto">
              {message.text ?? (message.templateName ? `Template: ${message.templateName}` : "")}
            </span>
            <span className="bubble-meta">
              {messageTime(message.createdAt)}
              {message.direction === "out" && <StatusTicks status={message.status} />}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
