import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { decryptSecret } from "../crypto/secrets";
import { type CampaignHeaderMedia, type CampaignTemplateSnapshot, campaigns } from "../db/schema";
import { HttpProblem, invalidRequest } from "../http/problem";
import type { AccountRow } from "../inbox/providers";
import { checkOutboundMedia, describeBytes } from "../media/limits";
import { newMediaKey } from "../media/storage";
import { mediaStorageOf } from "../media/storage-of";
import type { Services } from "../services";

/**
 * A launch's header file comes inside the JSON body, base64: a campaign carries at most this much
 * (Meta's video limit; a template's image header is 5 MB, its document a PDF).
 */
export const maxHeaderBytes = 16 * 1024 * 1024;

export const HeaderMediaInput = z
  .object({
    fileName: z.string().trim().min(1).max(255),
    mimeType: z.string().min(3).max(255),
    /** The file's bytes, base64. */
    data: z.base64().max(Math.ceil(maxHeaderBytes / 3) * 4),
  })
  .strict();

/**
 * Meta, "Send message templates" (components, header parameters) and the media reference's
 * supported types: a template's media header is an image (JPEG, PNG), a video (MP4, 3GPP) or a
 * document (PDF).
 */
function headerKindOf(mimeType: string, size: number): { kind: CampaignHeaderMedia["kind"]; mimeType: string } {
  const check = checkOutboundMedia({ mimeType, size });
  const headerKind = check.ok && (check.kind === "image" || check.kind === "video" || (check.kind === "document" && check.mimeType === "application/pdf"));
  if (check.ok && headerKind) return { kind: check.kind as CampaignHeaderMedia["kind"], mimeType: check.mimeType };
  if (!check.ok && check.reason === "too_large") {
    throw new HttpProblem(
      413,
      "payload_too_large",
      "Payload too large",
      `WhatsApp takes ${check.kind} files of at most ${describeBytes(check.maxBytes)}; this header file is larger.`,
    );
  }
  throw new HttpProblem(
    415,
    "unsupported_media_type",
    "Unsupported media type",
    `A template header is a JPEG or PNG image, an MP4 or 3GPP video, or a PDF document; ${mimeType || "(no type)"} is none of these.`,
  );
}

/** Checks the launch's header file against Meta's limits and stores it once; the campaign's snapshot keeps the result. */
export async function storeHeaderMedia(services: Services, input: z.infer<typeof HeaderMediaInput>): Promise<CampaignHeaderMedia> {
  const data = Buffer.from(input.data, "base64");
  if (data.length === 0) throw invalidRequest("The header file is empty.", [{ path: "body.headerMedia.data", message: "empty" }]);
  if (data.length > maxHeaderBytes) {
    throw new HttpProblem(413, "payload_too_large", "Payload too large", `A campaign's header file may be at most ${describeBytes(maxHeaderBytes)}.`);
  }
  const { kind, mimeType } = headerKindOf(input.mimeType, data.length);
  const storageKey = newMediaKey();
  await mediaStorageOf(services).put(storageKey, data);
  return { kind, mimeType, fileName: input.fileName, sizeBytes: data.length, storageKey, providerMediaId: null };
}

/**
 * The campaign's header file uploaded to Meta for its number, once: the first send uploads it
 * and keeps Meta's id in the campaign's snapshot (and in the lane's copy), later sends reuse it.
 * The sandbox needs no upload.
 */
export async function ensureHeaderUploaded(
  services: Services,
  account: AccountRow,
  campaign: { workspaceId: string; id: string; template: CampaignTemplateSnapshot },
): Promise<void> {
  const header = campaign.template.headerMedia;
  if (!header || header.providerMediaId || account.provider !== "cloud") return;
  if (!account.cloudPhoneNumberId || !account.accessTokenEncrypted) throw new Error(`Cloud account ${account.id} has no credentials`);
  const data = await mediaStorageOf(services).get(header.storageKey);
  if (!data) throw new Error(`header file of campaign ${campaign.id} is missing from storage`);
  const providerMediaId = await services.cloud.uploadMedia({
    phoneNumberId: account.cloudPhoneNumberId,
    accessToken: decryptSecret(services.config.encryptionKey, account.accessTokenEncrypted),
    data,
    mimeType: header.mimeType,
    fileName: header.fileName,
  });
  campaign.template = { ...campaign.template, headerMedia: { ...header, providerMediaId } };
  await services.database.db
    .update(campaigns)
    .set({ template: campaign.template })
    .where(and(eq(campaigns.workspaceId, campaign.workspaceId), eq(campaigns.id, campaign.id)));
}
