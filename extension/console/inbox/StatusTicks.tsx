import { statusLabels } from "./format";
import type { MessageStatus } from "./types";

const marks: Record<MessageStatus, string> = { queued: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!", received: "" };

/** WhatsApp's ticks for an outgoing message; the label is what screen readers (and tests) read. */
export function StatusTicks({ status }: { status: MessageStatus }) {
  if (status === "received") return null;
  return (
    <span className={`ticks ticks-${status}`} role="img" aria-label={statusLabels[status]} title={statusLabels[status]}>
      {marks[status]}
    </span>
  );
}
