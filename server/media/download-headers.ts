import { type MediaType, mimeEssence } from "./limits";

/** Shown in the page (an <img>, <audio>, <video>): raster images and playable audio/video only. */
const inlineTypes = new Set([
  "image/jpeg",
  "image/png",
  "image/webp",
  "audio/aac",
  "audio/amr",
  "audio/mpeg",
  "audio/mp4",
  "audio/ogg",
  "video/mp4",
  "video/3gpp",
]);
/** Served as bytes of no type a browser would render (HTML, SVG, XML, script). */
const activeType = /html|svg|xml|javascript|ecmascript/;

const extensions: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/ogg": "ogg",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "application/pdf": "pdf",
  "text/plain": "txt",
};
const maxFileNameLength = 150;
const reservedInFileName = new Set(['"', "*", ":", "<", ">", "?", "|", ";", "\u200e", "\u200f"]);

/** Control characters, quoting and shell-ish characters, and bidi overrides (a name that reads backwards). */
function unsafeInFileName(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || reservedInFileName.has(char)
  );
}

/**
 * A file name fit for Content-Disposition and a download: the customer's name without any path,
 * control, bidi or quoting characters, at most 150 characters; without one, "image.jpg" and the
 * like (never anything of the chat, such as a phone number).
 */
export function safeFileName(fileName: string | null, type: MediaType, mimeType: string): string {
  const base = (fileName ?? "").split(/[/\\]/).pop() ?? "";
  const cleaned = [...base]
    .map((char) => (unsafeInFileName(char) ? "_" : char))
    .join("")
    .trim()
    .replace(/^\.+/, "")
    .slice(0, maxFileNameLength);
  if (cleaned !== "") return cleaned;
  const extension = extensions[mimeEssence(mimeType)];
  return extension ? `${type}.${extension}` : type;
}

/** The response headers of a media file served to a member. */
export function mediaDownloadHeaders(media: { mimeType: string; fileName: string | null; type: MediaType; size: number }): Record<string, string> {
  const mimeType = mimeEssence(media.mimeType);
  const inline = inlineTypes.has(mimeType);
  const name = safeFileName(media.fileName, media.type, mimeType);
  const asciiName = name.replace(/[^\x20-\x7e]/g, "_").replace(/\\/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return {
    "content-type": activeType.test(mimeType) ? "application/octet-stream" : mimeType,
    "content-length": String(media.size),
    "content-disposition": `${inline ? "inline" : "attachment"}; filename="${asciiName}"${asciiName === name ? "" : `; filename*=UTF-8''${encoded}`}`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "private, max-age=300",
  };
}
