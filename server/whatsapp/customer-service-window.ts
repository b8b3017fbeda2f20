// The one statement of WhatsApp's 24-hour customer-service window, for the server that enforces
// it and both UIs that show it. It imports nothing, so extension/ may import it as a value
// (test/docs/boundaries.test.ts): the rule is written once and cannot pull server code into a bundle.

/**
 * A customer's message (or call) opens a 24-hour window and each further one restarts it; the
 * business's own messages, templates included, never do. Meta, "Send messages":
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages
 */
export const customerServiceWindowMs = 24 * 60 * 60 * 1000;

/** When the window opened by a customer's message received at `receivedAt` closes. */
export function windowClosesAt(receivedAt: Date): Date {
  return new Date(receivedAt.getTime() + customerServiceWindowMs);
}

/** The moment a chat's window closes, as the server stores it (Date) or the API shows it (ISO text); null: never opened. */
export type WindowOpenUntil = Date | string | null | undefined;

/** Whether the customer has written in the last 24 hours, so free-form text may be sent. */
export function windowIsOpen(windowOpenUntil: WindowOpenUntil, now: number = Date.now()): boolean {
  if (!windowOpenUntil) return false;
  const closesAt = typeof windowOpenUntil === "string" ? Date.parse(windowOpenUntil) : windowOpenUntil.getTime();
  return closesAt > now;
}

/**
 * Outside the window WhatsApp accepts only an approved template (free-form text fails with
 * 131047, "Re-engagement message"); a chat that does not exist yet has no window either.
 * This holds for every provider: the sandbox behaves as the Cloud API does.
 */
export function onlyTemplateAllowed(chat: { windowOpenUntil: WindowOpenUntil } | null | undefined, now: number = Date.now()): boolean {
  return !windowIsOpen(chat?.windowOpenUntil, now);
}
