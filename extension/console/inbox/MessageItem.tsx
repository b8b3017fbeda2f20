import { isQuotable } from "../../shared/message/content-words";
import { MessageBody } from "../../shared/message/MessageBody";
import { Reactions } from "../../shared/message/Reactions";
import { messageTime } from "./format";
import { StatusTicks } from "./StatusTicks";
import type { Message } from "./types";
import "./reply.css";

type MessageItemProps = {
  message: Message;
  author: string;
  /** Set when the member may reply in the chat: the message's "Reply" quotes it in the composer. */
  onReply?(message: Message): void;
  /** Set when the member may delete messages in the chat (its abilities): the message's "Delete" asks to confirm. */
  onDelete?(message: Message): void;
};

/** One message of the history: who wrote it, what it says or carries, the time, (outgoing) its delivery status, reactions, and Reply. */
export function MessageItem({ message, author, onReply, onDelete }: MessageItemProps) {
  const outgoing = message.direction === "out";
  return (
    <li className={`message ${outgoing ? "message-out" : "message-in"}`} data-message-id={message.id} data-status={message.status}>
      <div className="bubble">
        <div className="message-author">{author}</div>
        {message.templateName && <div className="message-template">Template · {message.templateName}</div>}
        <MessageBody message={message} senderName={author} textClassName="message-text" />
        <div className="message-meta">
          <time dateTime={message.createdAt}>{messageTime(message.createdAt)}</time>
          {outgoing && <StatusTicks status={message.status} />}
        </div>
      </div>
      {onReply && isQuotable(message) && (
        <button type="button" className="reply-action" aria-label={`Reply to ${author}'s message`} onClick={() => onReply(message)}>
          Reply
        </button>
      )}
      {onDelete && (
        <button type="button" className="reply-action delete-action" aria-label={`Delete ${author}'s message`} onClick={() => onDelete(message)}>
          Delete
        </button>
      )}
      <Reactions message={message} />
      {message.status === "failed" && (
        <div className="message-error">
          Not delivered{message.error ? `: ${message.error.detail}` : "."}
          {message.error?.code && <span className="muted"> (code {message.error.code})</span>}
        </div>
      )}
    </li>
  );
}
