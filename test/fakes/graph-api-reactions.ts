import { z } from "zod";
import type { GraphFailure } from "./graph-api-errors";

// Meta's rules for a reaction message and for a reply's `context`, as the fake Graph API enforces them.
// Sources:
// - "Reaction messages" (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/reaction-messages):
//   body {type: "reaction", reaction: {message_id, emoji}}, both **Required**; a business reacts to
//   "a WhatsApp user message you received"; a reaction to a message that "doesn't correspond to any
//   message in the conversation", is more than 30 days old, was deleted or "is itself a reaction" is
//   not delivered, with error 131009. Meta reports that 131009 in a status webhook; the fake refuses
//   the send at once with the same code, so a test sees the refusal where it made the call.
// - An empty emoji removes the business's reaction (the typed mirror of Meta's schema,
//   https://whatsappapijs.web.app/classes/messages.Reaction.html: "defaults to empty string to remove a reaction").
// - "Messages" reference, `context` (https://developers.facebook.com/documentation/business-messaging/whatsapp/reference/whatsapp-business-phone-number/message-api):
//   a reply is sent with context {message_id}, the wamid of the message it quotes; context without it is
//   a missing required parameter (131008, "WhatsApp error codes").

/** The reaction object as sent; its fields are judged by reactionFailure, not by the schema, so each gets Meta's code. */
export const ReactionObject = z.looseObject({});
export const ContextObject = z.looseObject({});

const reactionDays = 30;

/** A customer message the number received: what a business may react to. */
export type ReceivedMessage = { wamid: string; at: number; type: string };

/** Meta's answer to a reaction the fake should refuse, or null when Meta accepts it. */
export function reactionFailure(reaction: Record<string, unknown>, received: ReceivedMessage | undefined, now: number): GraphFailure | null {
  if (typeof reaction.message_id !== "string" || reaction.message_id === "") {
    return { code: 131008, details: "The parameter reaction.message_id is required." };
  }
  if (!("emoji" in reaction)) return { code: 131008, details: "The parameter reaction.emoji is required." };
  if (typeof reaction.emoji !== "string") return { code: 100, details: "reaction.emoji must be a string." };
  const tooOld = received !== undefined && now - received.at > reactionDays * 24 * 60 * 60 * 1000;
  if (!received || received.type === "reaction" || tooOld) {
    return { code: 131009, details: "Reaction message_id does not correspond to a message this number received in the last 30 days." };
  }
  return null;
}

/** Meta's answer to a reply's context without the wamid it quotes, or null. */
export function contextFailure(context: Record<string, unknown> | undefined): GraphFailure | null {
  if (context === undefined) return null;
  if (typeof context.message_id !== "string" || context.message_id === "") {
    return { code: 131008, details: "The parameter context.message_id is required." };
  }
  return null;
}
