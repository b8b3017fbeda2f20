import { and, eq } from "drizzle-orm";
import { applyRecipientStatus } from "../campaigns/progress";
import type { Database } from "../db/client";
import { messages } from "../db/schema";
import { emitInboxEvent } from "../webhooks/outbox";
import { isMessageStatus, type MessageStatus, shouldApplyStatus } from "../whatsapp/message-status";
import { presentMessage } from "./presenters";

export type StatusUpdate = {
  workspaceId: string;
  providerMessageId: string;
  status: MessageStatus;
  at: Date;
  error?: { code: string; detail: string };
};

/**
 * Applies a delivery status from the provider. Statuses never move a message backwards
 * (read > delivered > failed > sent), so redelivered and out-of-order webhooks are harmless.
 * Returns false when the status was stale or the message unknown.
 */
export async function applyStatus(db: Database, update: StatusUpdate): Promise<boolean> {
  return db.transaction(async (tx) => {
    // A campaign message's recipient row (its report line) follows the same statuses.
    await applyRecipientStatus(tx, db, update);
    const where = and(eq(messages.workspaceId, update.workspaceId), eq(messages.providerMessageId, update.providerMessageId));
    const [message] = await tx.select().from(messages).where(where).for("update");
    if (message?.direction !== "out") return false;
    const current = isMessageStatus(message.status) ? message.status : null;
    if (!shouldApplyStatus(current, update.status)) return false;
    const [updated] = await tx
      .update(messages)
      .set({
        status: update.status,
        statusAt: update.at,
        ...(update.status === "failed" ? { errorCode: update.error?.code ?? "failed", errorDetail: update.error?.detail ?? null } : {}),
      })
      .where(where)
      .returning();
    if (!updated) return false;
    await emitInboxEvent(
      tx,
      { type: "message.status", workspaceId: update.workspaceId, chatId: updated.chatId, messageId: updated.id },
      { message: presentMessage(updated) },
    );
    return true;
  });
}
