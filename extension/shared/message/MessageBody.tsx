import "./message-content.css";
import type { ContentMessage } from "./content-types";
import { bodyText } from "./content-words";
import { MediaView } from "./MediaView";
import { ReplyQuote } from "./ReplyQuote";
import { ContactCards, InteractiveAnswer, LocationCard } from "./RichParts";

type MessageBodyProps = {
  message: ContentMessage;
  /** Who sent it, for a photo's alt text ("Photo from Grace Hopper"). */
  senderName: string;
  /** The page's class for the text (its own font and spacing). */
  textClassName: string;
  /** Shown when the message has no text or anything else (a template's name). */
  fallbackText?: string;
};

/**
 * What a message says, in the console and the CRM panels alike: the quoted message, the file,
 * place, contact cards or button reply, and the text (a file's caption).
 */
export function MessageBody({ message, senderName, textClassName, fallbackText }: MessageBodyProps) {
  const text = bodyText(message);
  const hasContent = message.media || message.location || message.contacts?.length || message.interactive;
  const shownText = text ?? (hasContent ? null : fallbackText);
  return (
    <>
      {message.replyTo !== undefined && <ReplyQuote quoted={message.replyTo} />}
      {message.media && <MediaView message={message} media={message.media} senderName={senderName} />}
      {message.location && <LocationCard location={message.location} />}
      {message.contacts && message.contacts.length > 0 && <ContactCards contacts={message.contacts} />}
      {message.interactive && <InteractiveAnswer interactive={message.interactive} />}
      {/* dir="auto": Arabic or Hebrew text runs right to left, its punctuation at the right end. */}
      {shownText ? (
        <div className={textClassName} dir="auto">
          {shownText}
        </div>
      ) : null}
    </>
  );
}
