import { useEffect, useId, useRef, useState } from "react";
import type { ContentMessage, Reaction } from "./content-types";
import { useMessageSurface } from "./message-surface";
import { groupReactions, myReaction, quickReactions, reactionLabel, withMyReaction } from "./reaction-words";

/**
 * The reactions under a message (emoji and who), and for a member who may reply, "React": a few
 * emoji, their own removable. The change shows at once and goes back if the server refuses it.
 */
export function Reactions({ message }: { message: ContentMessage }) {
  const surface = useMessageSurface();
  const [optimistic, setOptimistic] = useState<Reaction[] | null>(null);
  const [problem, setProblem] = useState<string>();
  const inFlight = useRef(0);
  const serverReactions = message.reactions;
  // The server's (or a live update's) reactions replace the optimistic ones once nothing is on its way.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the presented reactions change.
  useEffect(() => {
    if (inFlight.current === 0) setOptimistic(null);
  }, [serverReactions]);
  const reactions = optimistic ?? serverReactions ?? [];
  // Meta takes a business's reactions to the customer's messages only (reaction-messages).
  const canReact = surface.canReact && message.direction === "in";
  const groups = groupReactions(reactions, surface.me, surface.customerName);
  if (groups.length === 0 && !canReact) return null;

  const react = (emoji: string | null) => {
    const before = reactions;
    setProblem(undefined);
    setOptimistic(withMyReaction(before, surface.me, emoji));
    inFlight.current += 1;
    const path = `/chats/${encodeURIComponent(message.chatId)}/messages/${encodeURIComponent(message.id)}/reaction`;
    const call = emoji ? surface.call<unknown>("PUT", path, { emoji }) : surface.call<unknown>("DELETE", path);
    call.then(
      (answer) => {
        inFlight.current -= 1;
        const updated = presentedMessage(answer);
        if (updated) {
          surface.onUpdated(updated);
          setOptimistic(null);
        }
      },
      (error: unknown) => {
        inFlight.current -= 1;
        setOptimistic(null);
        setProblem(`Your reaction was not saved. ${surface.describe(error)}`);
      },
    );
  };

  return (
    <div className="reactions-row">
      {groups.length > 0 && (
        <ul className="reactions" aria-label="Reactions">
          {groups.map((group) => (
            <li key={group.emoji} className={group.mine ? "reaction reaction-mine" : "reaction"} title={reactionLabel(group)}>
              <span className="message-sr-only">{reactionLabel(group)}</span>
              <span aria-hidden="true">
                {group.emoji} <span className="reaction-names">{group.names.join(", ")}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      {canReact && <ReactPicker mine={myReaction(reactions, surface.me)} onPick={react} />}
      {problem && (
        <p className="reaction-problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

/** PUT/DELETE may answer with the message (its reactions as stored) or nothing (204): a live update brings them then. */
function presentedMessage(answer: unknown): ContentMessage | null {
  if (!answer || typeof answer !== "object") return null;
  const candidate = "message" in answer ? (answer as { message: unknown }).message : answer;
  return candidate && typeof candidate === "object" && "id" in candidate && "reactions" in candidate ? (candidate as ContentMessage) : null;
}

function ReactPicker({ mine, onPick }: { mine: string | null; onPick(emoji: string | null): void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const pickerId = useId();
  const picker = useRef<HTMLFieldSetElement>(null);
  // Opened, the first emoji has the focus: the picker works from the keyboard.
  useEffect(() => {
    if (open) picker.current?.querySelector("button")?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const pick = (emoji: string | null) => {
    close();
    onPick(emoji);
  };
  return (
    <div className="react">
      <button
        type="button"
        ref={button}
        className="react-button"
        aria-expanded={open}
        aria-controls={open ? pickerId : undefined}
        onClick={() => setOpen((value) => !value)}
      >
        React
      </button>
      {open && (
        <fieldset
          id={pickerId}
          ref={picker}
          className="react-picker"
          onKeyDown={(event) => {
            if (event.key !== "Escape") return;
            event.stopPropagation();
            close();
          }}
        >
          <legend className="message-sr-only">Choose a reaction</legend>
          {quickReactions.map((emoji) => (
            <button
              key={emoji}
              type="button"
              aria-pressed={mine === emoji}
              aria-label={mine === emoji ? `Remove your ${emoji}` : `React with ${emoji}`}
              onClick={() => pick(mine === emoji ? null : emoji)}
            >
              {emoji}
            </button>
          ))}
          {mine && !quickReactions.includes(mine as (typeof quickReactions)[number]) && (
            <button type="button" aria-label={`Remove your ${mine}`} onClick={() => pick(null)}>
              {mine} ✕
            </button>
          )}
        </fieldset>
      )}
    </div>
  );
}
