import { messageTextMaxLength } from "../../../server/whatsapp/message-limits";

const count = (value: number) => value.toLocaleString("en-US");

/** Whether a draft fits in one WhatsApp text message (counted as the server counts: trimmed, UTF-16 units). */
export const messageTooLong = (text: string) => text.trim().length > messageTextMaxLength;

/** The composer's character counter, and the limit in a sentence once the draft passes it. */
export function MessageLength({ text, id }: { text: string; id: string }) {
  const length = text.trim().length;
  const over = length > messageTextMaxLength;
  return (
    <p id={id} className={over ? "message-length message-length-over" : "message-length"}>
      <span data-testid="message-length">
        {count(length)} / {count(messageTextMaxLength)}
      </span>
      {over && (
        <span role="alert">
          {" "}
          Messages can have at most {count(messageTextMaxLength)} characters: remove {count(length - messageTextMaxLength)}.
        </span>
      )}
    </p>
  );
}
