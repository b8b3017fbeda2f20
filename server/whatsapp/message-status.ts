/**
 * Delivery states of an outbound message, in the order they may replace one another:
 * sent < failed < delivered < read.
 *
 * Why failed sits between sent and delivered: webhooks arrive out of order and a user with
 * several devices can produce a `failed` for one device and a `delivered` for another
 * (whatsapp.md §6.4). So `failed` overrides `sent` (the message didn't get through) but
 * `delivered`/`read` override `failed`, because proof that the user got the message beats a
 * failure report; and a `failed` arriving after `delivered`/`read` is ignored. `read` implies
 * `delivered` (Meta may skip the delivered webhook), so read is the end state.
 */
export const messageStatuses = ["sent", "failed", "delivered", "read"] as const;
export type MessageStatus = (typeof messageStatuses)[number];

/** Position of a status in the replacement order (sent 1 … read 4); higher replaces lower. */
export function statusRank(status: MessageStatus): number {
  return messageStatuses.indexOf(status) + 1;
}

/**
 * Whether a status webhook should overwrite the stored status. `current` is null for a message
 * the API accepted but no webhook has reported on yet. Equal statuses answer false, so
 * duplicate deliveries (Meta retries for days) are no-ops.
 */
export function shouldApplyStatus(current: MessageStatus | null, incoming: MessageStatus): boolean {
  return current === null || statusRank(incoming) > statusRank(current);
}

export function isMessageStatus(value: string): value is MessageStatus {
  return (messageStatuses as readonly string[]).includes(value);
}
