import type { Message } from "./types";

/**
 * What deleting cannot undo on WhatsApp, shown in the confirm dialog before the member deletes:
 * the same sentences the server answers DELETE /chats/{id}/messages/{messageId} with
 * (server/inbox/message-deletion.ts; a test keeps them equal). Null when WhatsApp never had it.
 */
export function deletionNotice(message: Pick<Message, "direction" | "status">): string | null {
  if (message.direction === "in") return "Deleted here only: the customer sent it on WhatsApp, so they still have it.";
  if (message.status === "delivered" || message.status === "read") return "Deleted here only: WhatsApp already delivered it, so the customer still has it.";
  if (message.status === "sent") return "Deleted here only: WhatsApp already accepted it, so the customer will still get it.";
  if (message.status === "queued") return "Deleted here only: it was still being sent, so WhatsApp may still deliver it.";
  return null;
}
