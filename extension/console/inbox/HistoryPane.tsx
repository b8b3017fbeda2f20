import { Fragment, useLayoutEffect, useRef } from "react";
import { type MessageSurface, MessageSurfaceProvider } from "../../shared/message/message-surface";
import { useStickToBottom } from "../../shared/message/use-stick-to-bottom";
import { ProblemMessage } from "../shared/ProblemMessage";
import { dayLabel } from "./format";
import { MessageItem } from "./MessageItem";
import type { Message } from "./types";
import type { ChatHistory } from "./use-chat-history";

type HistoryPaneProps = {
  history: ChatHistory;
  authorOf(message: Message): string;
  /** What the messages' content (files, quotes, reactions) needs from the console. */
  surface: MessageSurface;
  /** Set when the member may reply: a message's Reply quotes it in the composer. */
  onReply?(message: Message): void;
  /** Set when the member may delete messages: a message's Delete asks to confirm. */
  onDelete?(message: Message): void;
};

/** The scrolling history, oldest at the top: "Load older" above, a divider per day, stays at the newest message. */
export function HistoryPane({ history, authorOf, surface, onReply, onDelete }: HistoryPaneProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const newestId = history.messages[history.messages.length - 1]?.id;
  // A new newest message (sent, received, or the first load) scrolls to the bottom; older pages keep the place.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the newest message changes.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [newestId]);
  useStickToBottom(scroller);

  let previousDay = "";
  return (
    <div className="history" ref={scroller}>
      {history.olderCursor && (
        <div className="history-older">
          <button type="button" disabled={history.loading} onClick={history.loadOlder}>
            {history.loading ? "Loading…" : "Load older messages"}
          </button>
        </div>
      )}
      <ProblemMessage problem={history.problem} />
      {!history.loading && history.messages.length === 0 && !history.problem && <p className="muted history-empty">No messages in this chat yet.</p>}
      <MessageSurfaceProvider surface={surface}>
        <ol className="messages" aria-label="Messages">
          {history.messages.map((message) => {
            const day = dayLabel(message.createdAt);
            const divider = day !== previousDay;
            previousDay = day;
            return (
              <Fragment key={message.id}>
                {divider && (
                  <li className="day-divider" aria-hidden="true">
                    <span>{day}</span>
                  </li>
                )}
                <MessageItem message={message} author={authorOf(message)} onReply={onReply} onDelete={onDelete} />
              </Fragment>
            );
          })}
        </ol>
      </MessageSurfaceProvider>
    </div>
  );
}
