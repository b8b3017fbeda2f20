import type { ReactNode } from "react";

type Props = {
  /** The question, e.g. "Disconnect HubSpot from this workspace?" (the group's accessible name). */
  question: string;
  /** What happens if the member confirms, in a sentence or two. */
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** The confirming button's look: "danger" for what can't be undone. */
  tone?: "danger" | "primary";
  pending: boolean;
  onConfirm(): void;
  onCancel(): void;
};

/** Asks before an action that disconnects, cancels or locks someone out: the question, its consequence, Confirm and Cancel. */
export function ConfirmBox({ question, children, confirmLabel, cancelLabel = "Cancel", tone = "danger", pending, onConfirm, onCancel }: Props) {
  return (
    <fieldset className="confirm">
      <legend>{question}</legend>
      <p>{children}</p>
      <div className="button-row">
        <button type="button" className={tone} disabled={pending} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </fieldset>
  );
}
