import { and, eq } from "drizzle-orm";
import { decryptSecret } from "../crypto/secrets";
import { messageMedia, type whatsappAccounts } from "../db/schema";
import { newSecret } from "../ids";
import type { MediaType } from "../media/limits";
import { mediaStorageOf } from "../media/storage-of";
import type { Services } from "../services";
import { CloudApiError } from "../whatsapp/cloud-client";
import { assertSandboxTemplateSendable } from "./sandbox-templates";

export type AccountRow = typeof whatsappAccounts.$inferSelect;

/** A member's file, already in our media storage under `storageKey`, to send as a `mediaKind` message. */
export type OutboundMedia = {
  mediaKind: MediaType;
  mimeType: string;
  fileName: string;
  caption: string | null;
  storageKey: string;
  sizeBytes: number;
  sha256: string;
};

export type OutboundContent =
  | { kind: "text"; text: string }
  | {
      kind: "template";
      name: string;
      languageCode: string;
      bodyParameters: string[];
      /** A campaign's header file, with Meta's id for the number once uploaded (server/campaigns/header-media.ts). */
      header?: { kind: "image" | "video" | "document"; mediaId: string | null; fileName: string };
    }
  | ({ kind: "media" } & OutboundMedia);

const rateLimitAttempts = 4;

/** The words a message shows in the history. */
export function contentText(content: OutboundContent): string {
  if (content.kind === "text") return content.text;
  // A readable stand-in for search, previews and CRM logs (the media contract): "[image] caption".
  if (content.kind === "media") return `[${content.mediaKind}] ${content.caption ?? (content.mediaKind === "document" ? content.fileName : "")}`.trim();
  return `[template ${content.name}] ${content.bodyParameters.join(" · ")}`.trim();
}

/**
 * Hands one message to the account's provider and returns the provider's message id.
 * Cloud: Meta's Graph API, backing off and retrying on 130429 (rate limited) up to
 * `rateLimitAttempts` calls in all; every other failure is a CloudApiError for the caller to
 * record. Sandbox: accepted at once if a template is one of its approved ones (sandbox-templates.ts). Campaigns pass 1: they back the whole number off instead.
 */
export async function deliverOutbound(
  services: Services,
  account: AccountRow,
  to: string,
  content: OutboundContent,
  messageId: string,
  /** `replyToWamid`: the message a text or file reply quotes (sent as Meta's `context`). */
  options: { rateLimitAttempts?: number; replyToWamid?: string } = {},
): Promise<string> {
  if (account.provider === "sandbox") {
    assertSandboxTemplateSendable(content);
    return `sbx.${newSecret().slice(0, 24)}`;
  }
  const phoneNumberId = account.cloudPhoneNumberId;
  if (!phoneNumberId || !account.accessTokenEncrypted) throw new Error(`Cloud account ${account.id} has no credentials`);
  const accessToken = decryptSecret(services.config.encryptionKey, account.accessTokenEncrypted);
  // A file goes to Meta first (once, whatever the send's retries), then the message names its id.
  const mediaId = content.kind === "media" ? await uploadToMeta(services, account, { phoneNumberId, accessToken }, content, messageId) : null;
  for (let attempt = 1; ; attempt++) {
    try {
      const accepted =
        content.kind === "text"
          ? await services.cloud.sendText({ phoneNumberId, accessToken, to, body: content.text, callbackData: messageId, replyToWamid: options.replyToWamid })
          : content.kind === "media"
            ? await services.cloud.sendMedia({
                phoneNumberId,
                accessToken,
                to,
                kind: content.mediaKind,
                mediaId: mediaId ?? "",
                caption: content.caption,
                fileName: content.fileName,
                callbackData: messageId,
                replyToWamid: options.replyToWamid,
              })
            : await services.cloud.sendTemplate({
                phoneNumberId,
                accessToken,
                to,
                templateName: content.name,
                languageCode: content.languageCode,
                bodyParameters: content.bodyParameters,
                ...(content.header ? { headerMedia: { ...content.header, mediaId: headerMediaId(content.header) } } : {}),
                callbackData: messageId,
              });
      return accepted.wamid;
    } catch (error) {
      const backOff = error instanceof CloudApiError && error.kind === "rate_limited" && attempt < (options.rateLimitAttempts ?? rateLimitAttempts);
      if (!backOff) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 250 * 2 ** attempt));
    }
  }
}

/**
 * Uploads the message's stored file to Meta for the number (Meta's media reference, "Upload
 * media") and keeps Meta's id on the message's media row; Meta's refusal is a CloudApiError the
 * sender records as the message's failure.
 */
async function uploadToMeta(
  services: Services,
  account: AccountRow,
  credentials: { phoneNumberId: string; accessToken: string },
  media: OutboundMedia,
  messageId: string,
): Promise<string> {
  const data = await mediaStorageOf(services).get(media.storageKey);
  if (!data) throw new Error(`media file of message ${messageId} is missing from storage`);
  const mediaId = await services.cloud.uploadMedia({ ...credentials, data, mimeType: media.mimeType, fileName: media.fileName });
  await services.database.db
    .update(messageMedia)
    .set({ providerMediaId: mediaId })
    .where(and(eq(messageMedia.workspaceId, account.workspaceId), eq(messageMedia.messageId, messageId)));
  return mediaId;
}

function headerMediaId(header: { mediaId: string | null }): string {
  if (!header.mediaId) throw new Error("a template's header file must be uploaded to Meta before the send");
  return header.mediaId;
}
