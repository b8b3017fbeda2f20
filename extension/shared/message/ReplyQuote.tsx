import type { QuotedMessage } from "./content-types";
import { quotedSummary } from "./content-words";
import { useMessageSurface } from "./message-surface";

/** Brings a message of the list into view and marks it a moment (a quote's target). */
function showMessage(from: HTMLElement, messageId: string) {
  const target = from.closest("ol, ul")?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
  if (!target) return;
  target.scrollIntoView({ block: "center" });
  target.tabIndex = -1;
  target.focus({ preventScroll: true });
  target.classList.add("message-quoted-target");
  setTimeout(() => target.classList.remove("message-quoted-target"), 1600);
}

/** The message this one replied to, above it; a click shows the quoted message when it is loaded. */
export function ReplyQuote({ quoted }: { quoted: QuotedMessage }) {
  const surface = useMessageSurface();
  if (quoted === null) return <div className="reply-quote reply-quote-unknown">Replying to an earlier message</div>;
  const who = quoted.direction === "in" ? surface.customerName : "You";
  const summary = quotedSummary(quoted);
  const content = (
    <>
      <span className="reply-quote-author">{who}</span>
      <span className="reply-quote-text" dir="auto">
        {summary}
      </span>
    </>
  );
  if (!surface.isShown(quoted.id)) return <div className="reply-quote">{content}</div>;
  return (
    <button
      type="button"
      className="reply-quote"
      aria-label={`Replying to ${who}: ${summary} — show that message`}
      onClick={(event) => showMessage(event.currentTarget, quoted.id)}
    >
      {content}
    </button>
  );
}
