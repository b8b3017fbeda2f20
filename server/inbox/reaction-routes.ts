import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { messageReactions, messages } from "../db/schema";
import { HttpProblem, notFound } from "../http/problem";
import { type Context, requires, route } from "../http/route";
import type { Principal } from "../identity/tokens";
import { presentedMediaOf } from "../media/presentation";
import { type Actor, authorize } from "../permissions";
import { loadVisibleAccount } from "../whatsapp/accounts";
import { CloudApiError } from "../whatsapp/cloud-client";
import { waitForSendSlot } from "../whatsapp/pacing";
import { conversationRelationsOf } from "./message-presentation";
import { presentMessage } from "./presenters";
import { type ChatRow, chatRecord, loadVisibleChat } from "./queries";
import { businessReactionAfter, deliverReaction, emitReactionChanged } from "./reactions";
import { assertCanSend } from "./sender";

const ReactionParams = z.object({ id: z.string().min(1).max(100), messageId: z.string().min(1).max(100) }).strict();
// One emoji as WhatsApp shows it: a grapheme may be several code points (skin tones, ZWJ families, flags).
const SetReaction = z.object({ emoji: z.string().trim().min(1).max(32).refine(isOneEmoji, "give one emoji") }).strict();

function isOneEmoji(text: string): boolean {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(text);
}

type ReactionContext = Pick<Context<unknown, unknown, unknown, Principal>, "services" | "actor" | "audit">;

/**
 * A member's reaction to a customer's message: checked (chat visible, chats.reply on it, the
 * customer's message with its wamid, account connected, window open), sent to WhatsApp, then
 * stored with its activity-log entry and live update in one transaction. Nothing is stored when
 * WhatsApp refuses it. `emoji` null takes the member's reaction back (404 when they have none).
 */
async function reactAsMember(context: ReactionContext, chatId: string, messageId: string, emoji: string | null) {
  const { actor, services } = context;
  const db = services.database.db;
  const chat = await loadVisibleChat(db, actor, chatId);
  authorize(actor, "chats.reply", chatRecord(chat));
  const message = await loadReactable(db, actor.workspaceId, chat, messageId);
  const account = await loadVisibleAccount(db, actor, chat.accountId);
  assertCanSend(account, chat, { kind: "text", text: emoji ?? "" });
  const [own] = await db
    .select({ emoji: messageReactions.emoji })
    .from(messageReactions)
    .where(and(eq(messageReactions.workspaceId, actor.workspaceId), eq(messageReactions.messageId, message.id), eq(messageReactions.reactor, actor.memberId)));
  if (emoji === null && !own) throw notFound("reaction");
  // WhatsApp keeps one reaction per sender and every member sends as the business: what WhatsApp
  // shows becomes this member's new emoji, or, when they take theirs back, the newest one left.
  const businessEmoji = emoji ?? (await businessReactionAfter(db, actor.workspaceId, message.id, actor.memberId));
  const recipient = chat.contactPhone;
  if (!recipient) throw new HttpProblem(422, "unprocessable", "No phone number", "The contact has no phone number to send the reaction to.");
  await waitForSendSlot(db, actor.workspaceId, account.id, services.config.whatsapp.sendRatePerSecond, "interactive");
  let wamid: string;
  try {
    wamid = await deliverReaction(services, account, recipient, { wamid: message.providerMessageId, emoji: businessEmoji, messageId: message.id });
  } catch (error) {
    throw reactionRefused(error);
  }
  await db.transaction(async (tx) => {
    if (emoji === null) {
      await tx
        .delete(messageReactions)
        .where(
          and(eq(messageReactions.workspaceId, actor.workspaceId), eq(messageReactions.messageId, message.id), eq(messageReactions.reactor, actor.memberId)),
        );
    } else {
      const values = { emoji, reactedAt: new Date(), providerMessageId: wamid };
      await tx
        .insert(messageReactions)
        .values({ workspaceId: actor.workspaceId, messageId: message.id, reactor: actor.memberId, ...values })
        .onConflictDoUpdate({ target: [messageReactions.workspaceId, messageReactions.messageId, messageReactions.reactor], set: values });
    }
    await context.audit(
      {
        action: emoji === null ? "message.unreact" : "message.react",
        targetType: "chat",
        targetId: chat.id,
        details: { messageId: message.id, before: own?.emoji ?? null, after: emoji },
      },
      tx,
    );
    await emitReactionChanged(tx, actor.workspaceId, message.id);
  });
  return presentWithRelations(db, services.config.mediaLinkKey, message, actor);
}

/** The chat's customer message with its wamid: WhatsApp lets a business react only to messages it received. */
async function loadReactable(db: Database, workspaceId: string, chat: ChatRow, messageId: string) {
  const [message] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.chatId, chat.id), eq(messages.id, messageId), isNull(messages.deletedAt)));
  if (!message) throw notFound("message");
  if (message.direction !== "in" || !message.providerMessageId) {
    throw new HttpProblem(422, "unprocessable", "Not a customer's message", "WhatsApp lets a business react only to messages the customer sent.");
  }
  return { ...message, providerMessageId: message.providerMessageId };
}

/** The reacted message as the member sees it: its reactions, the message it quotes, its file (with a link signed for them). */
async function presentWithRelations(db: Database, mediaLinkKey: Buffer, message: typeof messages.$inferSelect, viewer: Actor) {
  const [current] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, message.workspaceId), eq(messages.id, message.id)));
  const row = current ?? message;
  const [relations, media] = await Promise.all([conversationRelationsOf(db, [row]), presentedMediaOf(db, mediaLinkKey, row.workspaceId, [row.id])]);
  return presentMessage(row, { ...relations.get(row.id), media: media.get(row.id) }, viewer);
}

/** WhatsApp's refusal as a problem the member can act on. */
function reactionRefused(error: unknown): HttpProblem {
  if (!(error instanceof CloudApiError)) throw error;
  if (error.kind === "outside_window")
    return new HttpProblem(
      422,
      "unprocessable",
      "Outside the 24-hour window",
      "The customer has not written in the last 24 hours, so WhatsApp takes no reaction.",
    );
  if (error.kind === "token_invalid") return new HttpProblem(409, "conflict", "Conflict", "Meta rejected the number's access token; reconnect it to react.");
  return new HttpProblem(502, "unavailable", "WhatsApp refused the reaction", `WhatsApp refused the reaction: ${error.details ?? error.message}`);
}

export const reactionRoutes = [
  route({
    method: "put",
    path: "/chats/:id/messages/:messageId/reaction",
    summary: "React to a customer's message with an emoji (sent to WhatsApp; one reaction per member)",
    tag: "Chats",
    access: requires("chats.reply"),
    params: ReactionParams,
    body: SetReaction,
    ownTransactions: true,
    responses: {
      200: "{message} with its reactions",
      403: "chats.reply does not cover this chat",
      404: "The chat or message is not one the caller can see",
      422: "Not a customer's message, or outside the 24-hour window",
    },
    async handler(context) {
      const message = await reactAsMember(context, context.params.id, context.params.messageId, context.body.emoji);
      return { status: 200, body: { message } };
    },
  }),
  route({
    method: "delete",
    path: "/chats/:id/messages/:messageId/reaction",
    summary: "Take back the caller's reaction to a message (WhatsApp is sent an empty emoji)",
    tag: "Chats",
    access: requires("chats.reply"),
    params: ReactionParams,
    ownTransactions: true,
    responses: {
      200: "{message} with its reactions",
      403: "chats.reply does not cover this chat",
      404: "The chat or message is not one the caller can see, or the caller has no reaction on it",
    },
    async handler(context) {
      const message = await reactAsMember(context, context.params.id, context.params.messageId, null);
      return { status: 200, body: { message } };
    },
  }),
];
