import type { InboxEventType } from "../../../server/events/bus";
import type { WebhookDelivery } from "./webhook-types";

/**
 * Every event the server sends to webhooks, in words. A Record over the server's own type: an
 * event added there does not compile here until it is described.
 */
export const webhookEventLabels: Record<InboxEventType, string> = {
  "message.created": "A message is sent or received",
  "message.status": "A sent message is delivered, read or fails",
  "message.reaction": "A reaction is added to a message, changed or removed",
  "message.deleted": "A member deletes a message (for everyone here, not on WhatsApp)",
  "chat.assigned": "A chat is given to someone",
  "chat.unassigned": "A chat is left without anyone responsible",
};

export const webhookEventTypes = Object.keys(webhookEventLabels) as InboxEventType[];

export const eventLabel = (event: string): string => webhookEventLabels[event as InboxEventType] ?? event;

/** A delivery's state as a person says it. */
export function deliveryStatusWords(delivery: WebhookDelivery): string {
  if (delivery.status === "delivered") return "Delivered";
  if (delivery.status === "failed") return "Failed";
  return delivery.attempts > 0 ? "Retrying" : "Waiting to be sent";
}

/** Why the last attempt failed, from the delivery log's technical note, in a sentence. */
export function deliveryErrorWords(delivery: WebhookDelivery): string | null {
  const error = delivery.lastError;
  if (!error) return null;
  if (/^HTTP 3\d\d/.test(error)) return `The receiver answered ${delivery.lastStatusCode} (a redirect); Switchboard does not follow redirects.`;
  if (/^HTTP \d+/.test(error)) return `The receiver answered ${delivery.lastStatusCode} instead of a 2xx success.`;
  const timedOut = error.match(/^Timed out after (\d+) ms/);
  if (timedOut) return `The receiver did not answer within ${Math.round(Number(timedOut[1]) / 1000)} seconds.`;
  if (/ECONNREFUSED/.test(error)) return "The receiver's address refused the connection: is the receiver running?";
  if (/ENOTFOUND|EAI_AGAIN|DNS lookup/.test(error)) return "The receiver's host name could not be found.";
  if (/^Refused: /.test(error)) return "Switchboard does not send to this address (it is not a public one).";
  if (/^Request failed/.test(error)) return "The receiver could not be reached.";
  return error;
}

/** "2 minutes ago"-free: the local date and time, as the rest of the console shows them. */
export const timeWords = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : "—");
