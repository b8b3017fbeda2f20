/**
 * Meta's limits on WhatsApp media (Cloud API media reference, "Supported media types":
 * https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types).
 * We store nothing Meta itself would not carry, and nothing a browser would run as a page.
 */
export type MediaType = "image" | "document" | "audio" | "video" | "sticker";
export const mediaTypes: readonly MediaType[] = ["image", "document", "audio", "video", "sticker"];

const KB = 1024;
const MB = 1024 * KB;

const limits: Record<MediaType, { maxBytes: number; mimeTypes: readonly string[] | "any" }> = {
  image: { maxBytes: 5 * MB, mimeTypes: ["image/jpeg", "image/png"] },
  audio: { maxBytes: 16 * MB, mimeTypes: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"] },
  video: { maxBytes: 16 * MB, mimeTypes: ["video/mp4", "video/3gpp"] },
  // Meta: static stickers 100 KB, animated 500 KB; both are image/webp.
  sticker: { maxBytes: 500 * KB, mimeTypes: ["image/webp"] },
  // Meta lists PDF, Office and plain text for sending; customers' documents arrive in any type
  // (a zip, a CSV), so any well-formed type is kept, and served only as a download.
  document: { maxBytes: 100 * MB, mimeTypes: "any" },
};

/** Types a browser could run as a page or script: never stored, whatever the message type. */
const activeTypes = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/javascript|application\/(x-)?javascript|text\/xml|application\/xml)$/;
const mimePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

export function mediaSizeLimit(type: MediaType): number {
  return limits[type].maxBytes;
}

/** The essence of a MIME type ("audio/ogg; codecs=opus" → "audio/ogg"), lower-cased. */
export function mimeEssence(mimeType: string): string {
  return (mimeType.split(";")[0] ?? "").trim().toLowerCase();
}

export type MediaCheck = { ok: true; mimeType: string } | { ok: false; reason: "too_large" | "unsupported_type" };

/** Whether a customer's file of this message type, MIME type and size is one we accept and store. */
export function checkInboundMedia(media: { type: MediaType; mimeType: string; size: number }): MediaCheck {
  const mimeType = mimeEssence(media.mimeType);
  const allowed = limits[media.type].mimeTypes;
  if (!mimePattern.test(mimeType) || activeTypes.test(mimeType)) return { ok: false, reason: "unsupported_type" };
  if (allowed !== "any" && !allowed.includes(mimeType)) return { ok: false, reason: "unsupported_type" };
  if (media.size > limits[media.type].maxBytes) return { ok: false, reason: "too_large" };
  return { ok: true, mimeType };
}

/**
 * What Meta accepts from a business, per type (Cloud API media reference, "Supported media types":
 * https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types).
 * Documents are the listed PDF, Office and plain-text types only; a sticker is a WebP of at most
 * 500 KB (animated; static ones 100 KB, which Meta judges itself).
 */
const outboundDocumentTypes = [
  "application/pdf",
  "text/plain",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
] as const;

const outboundKinds: { kind: MediaType; mimeTypes: readonly string[] }[] = [
  { kind: "image", mimeTypes: limits.image.mimeTypes as readonly string[] },
  { kind: "sticker", mimeTypes: limits.sticker.mimeTypes as readonly string[] },
  { kind: "audio", mimeTypes: limits.audio.mimeTypes as readonly string[] },
  { kind: "video", mimeTypes: limits.video.mimeTypes as readonly string[] },
  { kind: "document", mimeTypes: outboundDocumentTypes },
];

/** Every MIME type a member may send, for a file picker's `accept` and the refusal's detail. */
export const outboundMimeTypes: readonly string[] = outboundKinds.flatMap((entry) => entry.mimeTypes);

/** The largest file Meta takes of any type (a document): the request body limit of the upload route. */
export const largestOutboundBytes = limits.document.maxBytes;

export type OutboundMediaCheck =
  | { ok: true; kind: MediaType; mimeType: string }
  | { ok: false; reason: "unsupported_type"; mimeType: string }
  | { ok: false; reason: "too_large"; kind: MediaType; maxBytes: number };

/** Which message type a member's file goes as, or why Meta would refuse it (checked before storing or uploading anything). */
export function checkOutboundMedia(file: { mimeType: string; size: number }): OutboundMediaCheck {
  const mimeType = mimeEssence(file.mimeType);
  const entry = outboundKinds.find((candidate) => candidate.mimeTypes.includes(mimeType));
  if (!entry) return { ok: false, reason: "unsupported_type", mimeType };
  const maxBytes = limits[entry.kind].maxBytes;
  if (file.size > maxBytes) return { ok: false, reason: "too_large", kind: entry.kind, maxBytes };
  return { ok: true, kind: entry.kind, mimeType };
}

/** "5 MB", "500 KB": a limit as the refusal names it. */
export function describeBytes(bytes: number): string {
  return bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.round(bytes / KB)} KB`;
}
