import type { ContentMessage, MediaKind, MessageMedia, QuotedMessage, SharedLocation } from "./content-types";

// The words and links the message content shows: pure functions, tested in test/extension/.

const nouns: Record<MediaKind, string> = { image: "photo", document: "document", audio: "audio message", video: "video", sticker: "sticker" };

/** "photo", "voice note" (WhatsApp's push-to-talk notes are Ogg Opus), "document"… */
export function mediaNoun(media: Pick<MessageMedia, "kind" | "mimeType">): string {
  if (media.kind === "audio" && media.mimeType?.startsWith("audio/ogg")) return "voice note";
  return nouns[media.kind];
}

const capitalized = (word: string) => `${word[0]?.toUpperCase() ?? ""}${word.slice(1)}`;

/** What an image says to a screen reader: its caption, else "Photo from Grace Hopper". */
export function mediaAlt(media: Pick<MessageMedia, "kind" | "mimeType" | "caption">, senderName: string): string {
  return media.caption?.trim() || `${capitalized(mediaNoun(media))} from ${senderName}`;
}

/** 240 KB, 1.4 MB, 512 bytes (1 KB = 1,024 bytes, as file managers count). */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  const kilobytes = bytes / 1024;
  if (Math.round(kilobytes) < 1024) return `${Math.round(kilobytes)} KB`;
  const megabytes = kilobytes / 1024;
  return `${megabytes < 10 ? megabytes.toFixed(1) : Math.round(megabytes)} MB`;
}

/** "invoice.pdf · 240 KB"; a document without a name is "Document". */
export function documentLabel(media: Pick<MessageMedia, "fileName" | "sizeBytes">): string {
  const name = media.fileName?.trim() || "Document";
  return media.sizeBytes === null ? name : `${name} · ${humanSize(media.sizeBytes)}`;
}

/** 0:07, 1:05, 1:02:03: a recording's length once the browser read it. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** The signed link as the browser fetches it: the contract's url is relative to the API base. */
export function mediaHref(apiBase: string, url: string): string {
  return /^https?:\/\//.test(url) ? url : `${apiBase}${url}`;
}

/** The same link asking for the file as an attachment (Content-Disposition), whatever its type. */
export function downloadHref(href: string): string {
  return `${href}${href.includes("?") ? "&" : "?"}download=1`;
}

/** The place on OpenStreetMap, pinned. */
export function mapLink(location: Pick<SharedLocation, "latitude" | "longitude">): string {
  const { latitude, longitude } = location;
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
}

/** The stand-in ("[image] caption") without its bracketed kind, now that the kind is shown otherwise. */
const withoutKindTag = (text: string) => text.replace(/^\[[a-z_]+\]\s*/, "");

/** A quoted message in one line: "Photo · the caption", or its text. */
export function quotedSummary(quoted: NonNullable<QuotedMessage>): string {
  if (quoted.deleted) return "Deleted message";
  const text = withoutKindTag(quoted.text ?? "").trim();
  if (!quoted.mediaKind) return text || "Message";
  const kind = capitalized(nouns[quoted.mediaKind as MediaKind] ?? quoted.mediaKind);
  return text ? `${kind} · ${text}` : kind;
}

/**
 * The text shown in the bubble: a file's caption, nothing for a location, contact card or button
 * reply (they are shown as such; their `text` is a stand-in for lists and search), else the text.
 */
export function bodyText(message: ContentMessage): string | null {
  if (message.media) return message.media.caption?.trim() || null;
  if (message.location || message.contacts?.length || message.interactive) return null;
  return message.text;
}

/**
 * Whether a reply may quote the message: Meta must know it by a WhatsApp id — the customer's, or
 * ours once sent (a queued or failed one has none, and the server answers 422).
 */
export function isQuotable(message: Pick<ContentMessage, "direction"> & { status: string }): boolean {
  return message.direction === "in" || message.status === "sent" || message.status === "delivered" || message.status === "read";
}

/** The message a reply is being written to, in one line as its quote will show it. */
export function replySummary(message: ContentMessage): string {
  return quotedSummary({ id: message.id, direction: message.direction, text: message.text ?? "", mediaKind: message.media?.kind ?? null });
}
