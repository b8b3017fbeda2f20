import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { applyRecipientStatuses } from "../campaigns/progress";
import type { Database } from "../db/client";
import { messages } from "../db/schema";
import { emitInboxEvents } from "../webhooks/outbox";
import { type MessageStatus, messageStatuses, shouldApplyStatus } from "../whatsapp/message-status";
import { conversationRelationsOf } from "./message-presentation";
import { presentMessage } from "./presenters";

export type StatusUpdate = {
  workspaceId: string;
  providerMessageId: string;
  status: MessageStatus;
  at: Date;
  error?: { code: string; detail: string };
};

/** One message's updates of a batch folded into the one that wins, with the first delivery time. */
export type FoldedStatus = StatusUpdate & { deliveredAt: Date | null };

/**
 * Folds a batch into one update per message: the furthest status (statuses never go backwards,
 * so the others would be replaced anyway) and the earliest proof of delivery for reports.
 */
export function foldStatuses(updates: StatusUpdate[]): FoldedStatus[] {
  const byMessage = new Map<string, FoldedStatus>();
  for (const update of updates) {
    const key = `${update.workspaceId}\u0000${update.providerMessageId}`;
    const known = byMessage.get(key);
    const deliveredAt = update.status === "delivered" || update.status === "read" ? update.at : null;
    const earliest = known?.deliveredAt && (!deliveredAt || known.deliveredAt <= deliveredAt) ? known.deliveredAt : deliveredAt;
    const winner = known && !shouldApplyStatus(known.status, update.status) ? known : update;
    byMessage.set(key, { ...winner, deliveredAt: earliest });
  }
  return [...byMessage.values()];
}

/** The SQL rank of a status column or value (sent 1 … read 4, anything else 0), as statusRank. */
export const statusRankSql = (status: unknown) =>
  sql`coalesce(array_position(array[${sql.raw(messageStatuses.map((name) => `'${name}'`).join(", "))}]::text[], ${status}::text), 0)`;

/** A folded batch as a row source `batch(workspace_id, provider_message_id, status, at, delivered_at, error_code, error_detail)`. */
export function statusBatchSql(folded: FoldedStatus[]) {
  const rows = folded.map((update) => ({
    workspace_id: update.workspaceId,
    provider_message_id: update.providerMessageId,
    status: update.status,
    at: update.at.toISOString(),
    delivered_at: update.deliveredAt?.toISOString() ?? null,
    error_code: update.error?.code ?? null,
    error_detail: update.error?.detail ?? null,
  }));
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as batch(workspace_id text, provider_message_id text, status text, at timestamptz, delivered_at timestamptz, error_code text, error_detail text)`;
}

/**
 * Applies delivery statuses from the provider, a batch in one transaction of a few set-based
 * statements (a Meta webhook carries several; the sandbox's receipts are gathered). Statuses
 * never move a message backwards (read > delivered > failed > sent), so redelivered and
 * out-of-order webhooks are harmless. Returns how many messages changed.
 */
export async function applyStatuses(db: Database, updates: StatusUpdate[]): Promise<number> {
  if (updates.length === 0) return 0;
  const folded = foldStatuses(updates);
  return db.transaction(async (tx) => {
    // A campaign message's recipient row (its report line) follows the same statuses.
    await applyRecipientStatuses(tx, db, folded);
    const updated = await tx
      .update(messages)
      .set({
        status: sql`batch.status`,
        statusAt: sql`batch.at`,
        errorCode: sql`case when batch.status = 'failed' then coalesce(batch.error_code, 'failed') else ${messages.errorCode} end`,
        errorDetail: sql`case when batch.status = 'failed' then batch.error_detail else ${messages.errorDetail} end`,
      })
      .from(statusBatchSql(folded))
      .where(
        and(
          sql`${messages.workspaceId} = batch.workspace_id and ${messages.providerMessageId} = batch.provider_message_id`,
          eq(messages.direction, "out"),
          sql`${statusRankSql(messages.status)} < ${statusRankSql(sql`batch.status`)}`,
        ),
      )
      .returning(getTableColumns(messages));
    // Outgoing webhooks get the message with its reactions and quoted message (two statements per workspace).
    const relations = await conversationRelationsOf(tx, updated);
    await emitInboxEvents(
      tx,
      // A deleted message is gone: its status still moves, but nobody hears of it again.
      updated
        .filter((message) => !message.deletedAt)
        .map((message) => ({
          event: { type: "message.status" as const, workspaceId: message.workspaceId, chatId: message.chatId, messageId: message.id },
          payload: { message: presentMessage(message, relations.get(message.id) ?? {}, "outbox") },
        })),
    );
    return updated.length;
  });
}
