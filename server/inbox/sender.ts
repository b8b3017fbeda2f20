import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "../db/client";
import { messageMedia, messages, whatsappAccounts } from "../db/schema";
import { conflict, HttpProblem, notFound } from "../http/problem";
import type { Context } from "../http/route";
import type { Principal } from "../identity/tokens";
import { newId } from "../ids";
import { type Actor, requirePermission } from "../permissions";
import type { Services } from "../services";
import { emitInboxEvent } from "../webhooks/outbox";
import { CloudApiError } from "../whatsapp/cloud-client";
import { onlyTemplateAllowed } from "../whatsapp/customer-service-window";
import { waitForSendSlot } from "../whatsapp/pacing";
import { touchChat } from "./ingest";
import { conversationRelationsOf } from "./message-presentation";
import { presentMessage } from "./presenters";
import { type AccountRow, contentText, deliverOutbound, type OutboundContent } from "./providers";
import type { ChatRow } from "./queries";
import { scheduleSandboxReceipts } from "./sandbox";

type SendContext = Pick<Context<unknown, unknown, unknown, Principal>, "services" | "actor" | "audit">;
/** The chat's message a reply quotes: our id, and Meta's wamid the send names in `context`. */
export type QuotedForReply = { id: string; wamid: string };

/** The chat's message a reply quotes, with the wamid Meta knows it by (404 when not the chat's, 422 before it has one). */
export async function loadQuotable(db: Executor, workspaceId: string, chatId: string, messageId: string): Promise<QuotedForReply> {
  const [quoted] = await db
    .select({ id: messages.id, wamid: messages.providerMessageId })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.chatId, chatId), eq(messages.id, messageId), isNull(messages.deletedAt)));
  if (!quoted) throw notFound("message");
  if (!quoted.wamid)
    throw new HttpProblem(
      422,
      "unprocessable",
      "Not sent yet",
      "That message has not reached WhatsApp (it is still sending, or failed), so a reply cannot quote it.",
    );
  return { id: quoted.id, wamid: quoted.wamid };
}

/** Checks what must hold before anything is stored: a connected account and, for anything but a template, an open window. */
export function assertCanSend(account: AccountRow, chat: Pick<ChatRow, "windowOpenUntil"> | null, content: OutboundContent) {
  if (account.status !== "connected") {
    throw conflict(
      `The WhatsApp account ${account.phoneNumber} is disconnected${account.statusReason ? ` (${account.statusReason})` : ""}; reconnect it to send.`,
    );
  }
  // The same rule on every provider: the sandbox refuses free text outside the window as Meta does.
  if (content.kind !== "template" && onlyTemplateAllowed(chat)) throw outsideWindow();
}

/** A template message is a use of templates: it needs `templates.use` (403 naming it), like the pickers that offer them. */
export function assertMayUseContent(actor: Actor, content: OutboundContent): void {
  if (content.kind === "template") requirePermission(actor, "templates.use");
}

const outsideWindow = () =>
  new HttpProblem(
    422,
    "unprocessable",
    "Outside the 24-hour window",
    "The customer has not written in the last 24 hours, so WhatsApp only accepts an approved template; choose a template to send.",
  );

/**
 * Sends a message into a chat: stored as queued with the activity-log entry in one transaction,
 * then paced to the number's rate and handed to the provider outside any transaction, then
 * marked sent (or failed, with Meta's reason) in a second one. Provider errors that the member
 * must act on become problems: outside the window (422), account disconnected (409).
 */
export async function sendToChat(context: SendContext, account: AccountRow, chat: ChatRow, content: OutboundContent, replyTo?: QuotedForReply) {
  const { services, actor } = context;
  assertMayUseContent(actor, content);
  assertCanSend(account, chat, content);
  const db = services.database.db;
  const queued = await db.transaction(async (tx) => {
    const [message] = await tx
      .insert(messages)
      .values({
        workspaceId: actor.workspaceId,
        id: newId("msg"),
        chatId: chat.id,
        direction: "out",
        text: contentText(content),
        status: "queued",
        authorId: actor.memberId,
        templateName: content.kind === "template" ? content.name : null,
        replyToMessageId: replyTo?.id ?? null,
        replyToProviderId: replyTo?.wamid ?? null,
      })
      .returning();
    if (!message) throw new Error("message insert returned nothing");
    // A member's file is ours already (stored before this transaction), so its row is 'ready' at once.
    if (content.kind === "media") {
      await tx.insert(messageMedia).values({
        workspaceId: actor.workspaceId,
        messageId: message.id,
        kind: content.mediaKind,
        mimeType: content.mimeType,
        fileName: content.fileName,
        caption: content.caption,
        sizeBytes: content.sizeBytes,
        sha256: content.sha256,
        storageKey: content.storageKey,
        status: "ready",
      });
    }
    await touchChat(tx, actor.workspaceId, chat.id, message.createdAt, message.text, false);
    await context.audit(
      {
        action: "message.send",
        targetType: "chat",
        targetId: chat.id,
        details: {
          messageId: message.id,
          accountId: account.id,
          kind: content.kind,
          ...(content.kind === "media" ? { mediaKind: content.mediaKind, mimeType: content.mimeType, sizeBytes: content.sizeBytes } : {}),
        },
      },
      tx,
    );
    await emitInboxEvent(
      tx,
      { type: "message.created", workspaceId: actor.workspaceId, chatId: chat.id, messageId: message.id },
      { message: presentMessage(message, replyTo ? ((await conversationRelationsOf(tx, [message])).get(message.id) ?? {}) : {}, "outbox") },
    );
    return message;
  });
  const recipient = chat.contactPhone;
  if (!recipient) return recordFailure(services, queued, account, { code: "no_phone", detail: "The contact has no phone number to send to." });
  const slotAt = await waitForSendSlot(db, actor.workspaceId, account.id, services.config.whatsapp.sendRatePerSecond, "interactive");
  try {
    const providerMessageId = await deliverOutbound(services, account, recipient, content, queued.id, replyTo ? { replyToWamid: replyTo.wamid } : {});
    // sentAt is the rate slot the send took (database clock), the moment the rate governs.
    const sent = await updateMessage(services, queued, { status: "sent", providerMessageId, statusAt: new Date(), sentAt: slotAt });
    if (account.provider === "sandbox") scheduleSandboxReceipts(services, actor.workspaceId, providerMessageId);
    return sent;
  } catch (error) {
    if (!(error instanceof CloudApiError)) throw error;
    await recordFailure(services, queued, account, { code: String(error.code ?? error.kind), detail: error.details ?? error.message });
    if (error.kind === "outside_window") throw outsideWindow();
    if (error.kind === "token_invalid")
      throw conflict(`Meta rejected the access token of ${account.phoneNumber}; the account is now disconnected. Reconnect it to send.`);
    const failed = await db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, queued.workspaceId), eq(messages.id, queued.id)));
    return failed[0] ?? queued;
  }
}

async function updateMessage(services: Services, message: typeof messages.$inferSelect, changes: Partial<typeof messages.$inferInsert>) {
  return services.database.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(messages)
      .set(changes)
      .where(and(eq(messages.workspaceId, message.workspaceId), eq(messages.id, message.id)))
      .returning();
    if (!updated) throw new Error("message vanished");
    // Deleted while it was being sent: its status is stored, but nobody hears of a message that is gone.
    if (updated.deletedAt) return updated;
    await emitInboxEvent(
      tx,
      { type: "message.status", workspaceId: message.workspaceId, chatId: message.chatId, messageId: message.id },
      { message: presentMessage(updated, updated.replyToMessageId ? ((await conversationRelationsOf(tx, [updated])).get(updated.id) ?? {}) : {}, "outbox") },
    );
    return updated;
  });
}

/** Marks a message failed; Meta's 190 (token rejected) also disconnects the account, visibly. */
async function recordFailure(services: Services, message: typeof messages.$inferSelect, account: AccountRow, error: { code: string; detail: string }) {
  if (error.code === "190") {
    await services.database.db
      .update(whatsappAccounts)
      .set({ status: "disconnected", statusReason: "Meta rejected the access token (190); reconnect the account" })
      .where(and(eq(whatsappAccounts.workspaceId, account.workspaceId), eq(whatsappAccounts.id, account.id)));
  }
  return updateMessage(services, message, { status: "failed", errorCode: error.code, errorDetail: error.detail, statusAt: new Date() });
}
