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
