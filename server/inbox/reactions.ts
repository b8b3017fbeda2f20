import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { decryptSecret } from "../crypto/secrets";
import type { Database, Executor } from "../db/client";
import { chats, messageReactions, messages } from "../db/schema";
import type { BusEvent } from "../events/bus";
import { newSecret } from "../ids";
import type { Services } from "../services";
import { emitInboxEvents } from "../webhooks/outbox";
import { conversationRelationsOf } from "./message-presentation";
import { type MessageRow, presentMessage } from "./presenters";
import type { AccountRow } from "./providers";

// Reactions: the customer's arrive as Meta webhooks and change the target message, never adding
// one (so they count as no unread message); a member's are sent to Meta as reaction messages.

/** The reactor key of the customer's reaction (a member's is their member id). */
export const customerReactor = "customer";

/**
 * Applies a customer's reaction (emoji "" when they took it back) to the message of this account's
 * chats that Meta names. A redelivery, or a reaction older than the one stored, changes nothing;
 * a message unknown here (older than our records) is ignored. Returns whether anything changed.
 */
export async function applyCustomerReaction(
  db: Database,
  reaction: { workspaceId: string; accountId: string; targetWamid: string; emoji: string; at: Date; wamid: string },
  publishAfterCommit?: (events: BusEvent[]) => void,
): Promise<boolean> {
  const event = await db.transaction(async (tx) => {
    const [target] = await tx
      .select({ id: messages.id, chatId: messages.chatId })
      .from(messages)
      .innerJoin(chats, and(eq(chats.workspaceId, messages.workspaceId), eq(chats.id, messages.chatId)))
      .where(
        and(
          eq(messages.workspaceId, reaction.workspaceId),
          eq(messages.providerMessageId, reaction.targetWamid),
          eq(chats.accountId, reaction.accountId),
          // A deleted message is gone here: a reaction to it is one to a message we do not know.
          isNull(messages.deletedAt),
        ),
      );
    if (!target) return null;
    const [changed] = await tx
      .insert(messageReactions)
      .values({
        workspaceId: reaction.workspaceId,
        messageId: target.id,
        reactor: customerReactor,
        emoji: reaction.emoji,
        reactedAt: reaction.at,
        providerMessageId: reaction.wamid,
      })
      .onConflictDoUpdate({
        target: [messageReactions.workspaceId, messageReactions.messageId, messageReactions.reactor],
        set: { emoji: sql`excluded.emoji`, reactedAt: sql`excluded.reacted_at`, providerMessageId: sql`excluded.provider_message_id` },
        // Meta's timestamps are whole seconds: a later reaction in the same second still wins, its own redelivery doesn't.
        setWhere: sql`${messageReactions.reactedAt} < excluded.reacted_at or (${messageReactions.reactedAt} = excluded.reacted_at and ${messageReactions.providerMessageId} is distinct from excluded.provider_message_id)`,
      })
      .returning({ messageId: messageReactions.messageId });
    if (!changed) return null;
    return emitReactionChanged(tx, reaction.workspaceId, target.id, { notify: !publishAfterCommit });
  });
  if (event && publishAfterCommit) publishAfterCommit([event]);
  return event !== null;
}

/** Emits `message.reaction` for the message (live updates and outgoing webhooks), in the caller's transaction. */
export async function emitReactionChanged(tx: Executor, workspaceId: string, messageId: string, options = { notify: true }) {
  const [row] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)));
  if (!row) throw new Error("reacted message vanished");
  const event = { type: "message.reaction" as const, workspaceId, chatId: row.chatId, messageId };
  await emitInboxEvents(tx, [{ event, payload: { message: await presentWithRelations(tx, row) } }], options);
  return event;
}

async function presentWithRelations(db: Executor, row: MessageRow) {
  return presentMessage(row, (await conversationRelationsOf(db, [row])).get(row.id) ?? {}, "outbox");
}

/**
 * The business's one reaction on WhatsApp after a member's change: WhatsApp keeps one per sender,
 * and all members send as the business, so the newest member reaction left stands ("" for none).
 */
export async function businessReactionAfter(db: Executor, workspaceId: string, messageId: string, excludingMemberId: string): Promise<string> {
  const [latest] = await db
    .select({ emoji: messageReactions.emoji })
    .from(messageReactions)
    .where(
      and(
        eq(messageReactions.workspaceId, workspaceId),
        eq(messageReactions.messageId, messageId),
        ne(messageReactions.reactor, customerReactor),
        ne(messageReactions.reactor, excludingMemberId),
        ne(messageReactions.emoji, ""),
      ),
    )
    .orderBy(desc(messageReactions.reactedAt))
    .limit(1);
  return latest?.emoji ?? "";
}

/** Hands a reaction to the account's provider; returns the reaction message's id (the sandbox accepts at once). */
export async function deliverReaction(services: Services, account: AccountRow, to: string, target: { wamid: string; emoji: string; messageId: string }) {
  if (account.provider === "sandbox") return `sbx.${newSecret().slice(0, 24)}`;
  const phoneNumberId = account.cloudPhoneNumberId;
  if (!phoneNumberId || !account.accessTokenEncrypted) throw new Error(`Cloud account ${account.id} has no credentials`);
  const accessToken = decryptSecret(services.config.encryptionKey, account.accessTokenEncrypted);
  const accepted = await services.cloud.sendReaction({
    phoneNumberId,
    accessToken,
    to,
    messageWamid: target.wamid,
    emoji: target.emoji,
    callbackData: target.messageId,
  });
  return accepted.wamid;
}
