import { useLayoutEffect, useRef, useState } from "react";
import { contactLabel, messageTime } from "../../console/inbox/format";
import { StatusTicks } from "../../console/inbox/StatusTicks";
import { isQuotable } from "../../shared/message/content-words";
import { MessageBody } from "../../shared/message/MessageBody";
import { MessageSurfaceProvider } from "../../shared/message/message-surface";
import { Reactions } from "../../shared/message/Reactions";
import { useStickToBottom } from "../../shared/message/use-stick-to-bottom";
import { type PanelApi, problemText } from "../shared/api";
import type { Chat, ListedMember, Message } from "../shared/types";
import { usePanelMessageSurface } from "./use-panel-message-surface";

/** The selected chat: who is responsible (changeable with abilities.assign) and its history with statuses, files and reactions. */
export function ChatPane({
  api,
  me,
  chat,
  messages,
  members,
  onChat,
  onMessage,
  hasOlder = false,
  loadingOlder = false,
  onLoadOlder,
  onReply,
}: {
  api: PanelApi;
  /** The signed-in member: their reactions are "You" and removable. */
  me: { id: string; name: string };
  chat: Chat;
  messages: Message[];
  members: ListedMember[];
  onChat(chat: Chat): void;
  /** A message the server answered with (a reaction) joins the history. */
  onMessage(message: Message): void;
  /** More history lies before the oldest message shown: scrolling to the top loads it (onLoadOlder). */
  hasOlder?: boolean;
  loadingOlder?: boolean;
  onLoadOlder?(): void;
  /** A message's Reply (shown to members who may reply): the composer quotes it. */
  onReply?(message: Message, author: string): void;
}) {
  const [problem, setProblem] = useState<string>();
  const list = useRef<HTMLOListElement>(null);
  // How far the view was from the list's bottom when older messages were asked for: kept when they arrive above.
  const fromBottom = useRef<number | null>(null);
  const oldestId = messages[0]?.id;
  const newestId = messages.at(-1)?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the oldest shown message changes (a page arrived above).
  useLayoutEffect(() => {
    const element = list.current;
    if (!element || fromBottom.current === null) return;
    element.scrollTop = element.scrollHeight - fromBottom.current;
    fromBottom.current = null;
  }, [oldestId]);
  // A chat opens at its newest message; a later one scrolls the list down only when the view was at the bottom.
  const scrolledChat = useRef<string | null>(null);
  useLayoutEffect(() => {
    const element = list.current;
    if (!element || !newestId) return;
    const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
    if (scrolledChat.current !== chat.id || nearBottom) element.scrollTop = element.scrollHeight;
    scrolledChat.current = chat.id;
  }, [newestId, chat.id]);
  useStickToBottom(list);
  const onScroll = () => {
    const element = list.current;
    if (!element || !hasOlder || loadingOlder || !onLoadOlder || element.scrollTop > 40) return;
    fromBottom.current = element.scrollHeight - element.scrollTop;
    onLoadOlder();
  };
  const surface = usePanelMessageSurface(api, me, chat, messages, onMessage);
  const senderOf = (message: Message) =>
    message.direction === "in" ? contactLabel(chat) : (members.find((member) => member.id === message.authorId)?.name ?? "your team");
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
      <MessageSurfaceProvider surface={surface}>
        <ol className="history" aria-label="Messages" ref={list} onScroll={onScroll} aria-busy={loadingOlder}>
          {hasOlder && <li className="muted history-older">{loadingOlder ? "Loading older messages…" : "Scroll up for older messages"}</li>}
          {messages.length === 0 && <li className="muted">No messages yet.</li>}
          {messages.map((message) => (
            <li key={message.id} className={`bubble bubble-${message.direction}`} data-message-id={message.id}>
              <MessageBody
                message={message}
                senderName={senderOf(message)}
                textClassName="bubble-text"
                fallbackText={message.templateName ? `Template: ${message.templateName}` : undefined}
              />
              <span className="bubble-meta">
                {messageTime(message.createdAt)}
                {message.direction === "out" && <StatusTicks status={message.status} />}
              </span>
              {onReply && chat.abilities.reply && isQuotable(message) && (
                <button
                  type="button"
                  className="reply-action"
                  aria-label={`Reply to ${senderOf(message)}'s message`}
                  onClick={() => onReply(message, senderOf(message))}
                >
                  Reply
                </button>
              )}
              <Reactions message={message} />
            </li>
          ))}
        </ol>
      </MessageSurfaceProvider>
    </section>
  );
}
