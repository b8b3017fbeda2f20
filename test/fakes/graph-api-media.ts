import { z } from "zod";
import type { GraphFailure } from "./graph-api-errors";

/**
 * Meta's side of a business's files: the upload endpoint's contract and the media object of a
 * media message. Sources:
 * - Media reference, "Upload media" and "Supported media types"
 *   (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media): POST
 *   /{phone-number-id}/media, multipart/form-data with `file`, `type` and `messaging_product`
 *   (all required) → {id}; the types and sizes below.
 * - Meta's refusal of a type it does not hold, as it answers it: "(#100) Param file must be a file
 *   with one of the following types: …. Received file of type '…'." (fbsamples/whatsapp-api-examples#10,
 *   MissaelAnda/laravel-whatsapp#4).
 * - "WhatsApp error codes" (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes#131053):
 *   131053 "Media upload error", the reason in error_data.details.
 * - Messages reference, media object (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages#media-object;
 *   360dialog "Media messages", https://docs.360dialog.com/partner/messaging/media-messages): `id` or
 *   `link`, "should not be used at the same time"; `caption` on image, video and document only
 *   (audio and stickers carry none); `filename` on document only; a caption is at most 1,024 characters.
 */
const KB = 1024;
const MB = 1024 * KB;
export const metaUploadLimits: Record<string, number> = {
  "audio/aac": 16 * MB,
  "audio/amr": 16 * MB,
  "audio/mpeg": 16 * MB,
  "audio/mp4": 16 * MB,
  "audio/ogg": 16 * MB,
  "audio/opus": 16 * MB,
  "text/plain": 100 * MB,
  "application/pdf": 100 * MB,
  "application/vnd.ms-powerpoint": 100 * MB,
  "application/msword": 100 * MB,
  "application/vnd.ms-excel": 100 * MB,
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 * MB,
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 * MB,
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 * MB,
  "image/jpeg": 5 * MB,
  "image/png": 5 * MB,
  // Stickers: animated up to 500 KB (static ones 100 KB).
  "image/webp": 500 * KB,
  "video/mp4": 16 * MB,
  "video/3gpp": 16 * MB,
};

export type UploadedFile = { mimeType: string; fileName: string; data: Buffer };

/** Reads Meta's upload form: the file and its declared type, or the Graph error Meta answers. */
export async function readUploadForm(contentType: string, body: Buffer): Promise<UploadedFile | GraphFailure> {
  if (!/^multipart\/form-data/i.test(contentType) || body.length === 0) return { code: 100, details: "The request must be multipart/form-data with a file." };
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType } }).formData();
  } catch {
    return { code: 100, details: "The multipart body could not be read." };
  }
  if (form.get("messaging_product") !== "whatsapp") return { code: 100, message: "(#100) The parameter messaging_product is required." };
  const file = form.get("file");
  if (!(file instanceof Blob)) return { code: 100, message: "(#100) The parameter file is required." };
  const type = form.get("type");
  if (typeof type !== "string" || type === "") return { code: 100, message: "(#100) The parameter type is required." };
  const mimeType = (file.type || "application/octet-stream").split(";")[0]?.trim().toLowerCase() ?? "";
  const maxBytes = metaUploadLimits[mimeType];
  if (maxBytes === undefined) {
    return {
      code: 100,
      message: `(#100) Param file must be a file with one of the following types: ${Object.keys(metaUploadLimits).join(", ")}. Received file of type '${mimeType}'.`,
    };
  }
  if (file.size > maxBytes) return { code: 131053, details: `Media file size too big. Max file size for ${mimeType} is ${maxBytes / KB} KB.` };
  return { mimeType, fileName: file instanceof File ? file.name : "file", data: Buffer.from(await file.arrayBuffer()) };
}

const MediaSource = { id: z.string().min(1).optional(), link: z.url().optional() };
const caption = z.string().min(1).max(1024).optional();
/** The media object per message type: strict, so a caption on audio or a filename on an image is refused. */
export const MediaObjects = {
  image: z.strictObject({ ...MediaSource, caption }),
  video: z.strictObject({ ...MediaSource, caption }),
  document: z.strictObject({ ...MediaSource, caption, filename: z.string().min(1).max(255).optional() }),
  audio: z.strictObject(MediaSource),
  sticker: z.strictObject(MediaSource),
};
export type MediaKind = keyof typeof MediaObjects;
export const mediaKinds = Object.keys(MediaObjects) as MediaKind[];

/** Meta's answer to a media object that names neither or both of `id` and `link`, or an id it does not hold; null when it is sendable. */
export function mediaObjectFailure(kind: MediaKind, media: { id?: string; link?: string }, knownId: (id: string) => boolean): GraphFailure | null {
  if ((media.id === undefined) === (media.link === undefined)) return { code: 100, details: `${kind}: give exactly one of id and link.` };
  if (media.id !== undefined && !knownId(media.id)) {
    return { code: 100, message: `(#100) Param ${kind}['id'] is not a valid whatsapp business account media attachment ID` };
  }
  return null;
}

/**
 * Meta, "Send message templates" (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates#media-based-message-templates):
 * a header parameter of type image, video or document carries that media object ({id} or {link};
 * a document may add filename), refused as a media object would be.
 */
export function templateHeaderMediaFailure(
  components: { type: string; parameters: Record<string, unknown>[] }[],
  knownId: (id: string) => boolean,
): GraphFailure | null {
  for (const component of components.filter((candidate) => candidate.type === "header")) {
    for (const parameter of component.parameters) {
      const kind = parameter.type;
      if (kind !== "image" && kind !== "video" && kind !== "document") continue;
      const media = MediaObjects[kind].safeParse(parameter[kind]);
      if (!media.success) return { code: 100, details: `header ${kind}: ${media.error.issues[0]?.message ?? "invalid media object"}` };
      const failure = mediaObjectFailure(kind, media.data, knownId);
      if (failure) return failure;
    }
  }
  return null;
}
