import { and, eq, like, or } from "drizzle-orm";
import { type CampaignTemplateSnapshot, campaignRecipients, messages, whatsappAccounts } from "../db/schema";
import { touchChat } from "../inbox/ingest";
import { presentMessage } from "../inbox/presenters";
import { type AccountRow, deliverOutbound, type OutboundContent } from "../inbox/providers";
import { scheduleSandboxReceipts } from "../inbox/sandbox";
import type { Services } from "../services";
import { emitInboxEvents } from "../webhooks/outbox";
import { CloudApiError } from "../whatsapp/cloud-client";
import { ensureHeaderUploaded } from "./header-media";
import { fillTemplate, positionalParameters, recipientValues } from "./variables";

export type RecipientRow = typeof campaignRecipients.$inferSelect;
/** A claimed recipient with the chat its message will land in (created on first contact, server/campaigns/queue.ts ensureChats). */
export type ClaimedRecipient = RecipientRow & { chatId: string };
/** What a lane knows about the campaign it is sending. */
export type LaneCampaign = { workspaceId: string; id: string; createdBy: string; template: CampaignTemplateSnapshot };

/** How one send ended, for the lane: go on, back the number off, or stop for the account. */
export type DeliveryOutcome =
  | { kind: "sent" }
  | { kind: "failed" }
  /** Refused for now; `rateLimited` (130429): the whole number backs off, `retryAfterMs` if Meta said. */
  | { kind: "requeued"; rateLimited: boolean; retryAfterMs: number | null }
  | { kind: "token_invalid" };

/** The error text of a recipient whose send may or may not have reached WhatsApp. */
export const unknownOutcomePrefix = "outcome unknown";
export const unknownAfterRestart = `${unknownOutcomePrefix} after a restart; not re-sent to avoid a duplicate`;
/** Definite refusals (130429 and the like) put a recipient back in the queue at most this often. */
export const maxAttempts = 10;

/** The message a recipient gets: the mapped WhatsApp template (the launcher requires one), with its text for the history. */
export function contentFor(_account: AccountRow, template: CampaignTemplateSnapshot, recipient: RecipientRow): { content: OutboundContent; text: string } {
  const values = recipientValues({ phone: recipient.phone, name: recipient.name, variables: recipient.variables });
  const text = fillTemplate(template.body, values);
  if (template.metaTemplateName && template.metaLanguage) {
    return {
      content: {
        kind: "template",
        name: template.metaTemplateName,
        languageCode: template.metaLanguage,
        bodyParameters: positionalParameters(template.body, values),
        ...(template.headerMedia
          ? { header: { kind: template.headerMedia.kind, mediaId: template.headerMedia.providerMediaId, fileName: template.headerMedia.fileName } }
          : {}),
      },
      text,
    };
  }
  return { content: { kind: "text", text }, text };
}

/**
 * Hands one recipient already marked `sending` (committed) to the provider and records the
 * result. A send whose outcome is unknown (no answer from the Graph API) is failed, never
 * retried; a definite refusal is queued again.
 */
export async function deliverRecipient(
  services: Services,
  account: AccountRow,
  campaign: LaneCampaign,
  recipient: ClaimedRecipient,
  slotAt: Date,
): Promise<DeliveryOutcome> {
  const messageId = recipient.messageId as string;
  let providerMessageId: string;
  let text: string;
  try {
    // A header file goes to Meta once per campaign, before its first send; Meta's refusal is this recipient's.
    await ensureHeaderUploaded(services, account, campaign);
    const filled = contentFor(account, campaign.template, recipient);
    text = filled.text;
    const content = filled.content;
    services.logger.debug({ campaignId: campaign.id, seq: recipient.seq }, "campaign send");
    providerMessageId = await deliverOutbound(services, account, recipient.phone, content, messageId, { rateLimitAttempts: 1 });
  } catch (error) {
    return recordRefusal(services, account, recipient, error);
  }
  await recordSent(services, campaign, recipient, {
    messageId,
    providerMessageId,
    text,
    templateName: campaign.template.metaTemplateName ?? campaign.template.name,
    slotAt,
  });
  if (account.provider === "sandbox") scheduleSandboxReceipts(services, campaign.workspaceId, providerMessageId);
  return { kind: "sent" };
}

/** The recipient row, while its outcome is still ours to write (a late result may replace "unknown"). */
const ownedBy = (recipient: RecipientRow) =>
  and(
    eq(campaignRecipients.workspaceId, recipient.workspaceId),
    eq(campaignRecipients.campaignId, recipient.campaignId),
    eq(campaignRecipients.seq, recipient.seq),
    or(eq(campaignRecipients.status, "sending"), and(eq(campaignRecipients.status, "failed"), like(campaignRecipients.error, `${unknownOutcomePrefix}%`))),
  );

/**
 * Sent: the message lands in the recipient's chat (server/campaigns/queue.ts ensureChats), so
 * replies arrive there. Its live update goes out after the commit, batched with other sends'.
 */
async function recordSent(
  services: Services,
  campaign: LaneCampaign,
  recipient: ClaimedRecipient,
  sent: { messageId: string; providerMessageId: string; text: string; templateName: string; slotAt: Date },
) {
  const created = await services.database.db.transaction(async (tx) => {
    const [message] = await tx
      .insert(messages)
      .values({
        workspaceId: campaign.workspaceId,
        id: sent.messageId,
        chatId: recipient.chatId,
        direction: "out",
        text: sent.text,
        status: "sent",
        authorId: campaign.createdBy,
        providerMessageId: sent.providerMessageId,
        templateName: sent.templateName,
        statusAt: new Date(),
        sentAt: sent.slotAt,
      })
      .onConflictDoNothing()
      .returning();
    await tx
      .update(campaignRecipients)
      .set({ status: "sent", providerMessageId: sent.providerMessageId, sentAt: sent.slotAt, error: null })
      .where(ownedBy(recipient));
    if (!message) return null;
    await touchChat(tx, campaign.workspaceId, message.chatId, message.createdAt, message.text, false);
    const event = { type: "message.created" as const, workspaceId: campaign.workspaceId, chatId: message.chatId, messageId: message.id };
    await emitInboxEvents(tx, [{ event, payload: { message: presentMessage(message, {}, "outbox") } }], { notify: false });
    return event;
  });
  if (created) services.events.publishAfterCommit([created]);
}

async function recordRefusal(services: Services, account: AccountRow, recipient: RecipientRow, error: unknown): Promise<DeliveryOutcome> {
  const db = services.database.db;
  if (!(error instanceof CloudApiError)) {
    services.logger.error({ err: error, campaignId: recipient.campaignId, seq: recipient.seq }, "campaign send failed");
    await db
      .update(campaignRecipients)
      .set({ status: "failed", error: (error as Error)?.message ?? String(error) })
      .where(ownedBy(recipient));
    return { kind: "failed" };
  }
  const reason = `${error.code ?? error.kind}: ${error.details ?? error.message}`;
  // No HTTP answer: the Graph API may have accepted it, and it has no idempotency key.
  if (error.httpStatus === null) {
    await db
      .update(campaignRecipients)
      .set({ status: "failed", error: `${unknownOutcomePrefix}: ${error.message}; not re-sent to avoid a duplicate` })
      .where(ownedBy(recipient));
    return { kind: "failed" };
  }
  if (error.kind === "token_invalid") {
    await db
      .update(whatsappAccounts)
      .set({ status: "disconnected", statusReason: "Meta rejected the access token (190); reconnect the account" })
      .where(and(eq(whatsappAccounts.workspaceId, account.workspaceId), eq(whatsappAccounts.id, account.id)));
    await requeue(services, recipient, reason);
    return { kind: "token_invalid" };
  }
  if (error.retryable && recipient.attempts < maxAttempts) {
    await requeue(services, recipient, reason);
    return { kind: "requeued", rateLimited: error.kind === "rate_limited", retryAfterMs: error.retryAfterMs };
  }
  await db.update(campaignRecipients).set({ status: "failed", error: reason }).where(ownedBy(recipient));
  return { kind: "failed" };
}

/** Meta refused the send outright (nothing went out): the recipient waits in the queue again. */
async function requeue(services: Services, recipient: RecipientRow, reason: string) {
  await services.database.db
    .update(campaignRecipients)
    .set({ status: "queued", sendingAt: null, error: `last attempt refused: ${reason}` })
    .where(ownedBy(recipient));
}
