// A chat-day's transcript, rendered once for every CRM: Pipedrive's notes and activities and
// HubSpot's Communications carry the same parts and lines.

/** One message as the transcript shows it; a file, a quoted message or a place when it carries one. */
export type TranscriptLine = {
  at: Date;
  direction: "in" | "out";
  text: string;
  authorName: string | null;
  attachment?: { kind: string; fileName: string | null; sizeBytes: number | null; caption: string | null } | null;
  /** The text of the message this one quotes. */
  quotedText?: string | null;
  location?: { latitude: number; longitude: number; name: string | null; address: string | null } | null;
};

/**
 * The console's page of a chat. A CRM note links a file there, never to the file itself: the
 * console opens it after Switchboard's sign-in and permission check (a signed media link would
 * work for anyone holding the note, and Meta's expire within minutes).
 */
export function chatConsoleUrl(publicUrl: string, chatId: string): string {
  return `${publicUrl}/#/inbox/${encodeURIComponent(chatId)}`;
}

const quoteLength = 60;

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for a CRM's HTML body (Pipedrive notes, HubSpot communications sanitize, but the text is the customer's). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

/**
 * How much one CRM record of a chat-day holds. No CRM here has an append: a Pipedrive note's update
 * replaces its content (PUT /v1/notes/{id}, PATCH /v2/activities/{id}), as does a HubSpot
 * Communication's body (PATCH /crm/objects/2026-03/communications/{id}), so a message rewrites
 * the whole part it lands in. Bounding a part bounds that rewrite, and a busy day becomes a few
 * parts instead of one note re-sent whole on every message (quadratic in the day's messages).
 */
export const transcriptPartLimits = { lines: 50, characters: 40_000 };

/**
 * One message as a transcript line (HTML; times in UTC). A file reads "📎 invoice.pdf, 240 KB",
 * linked to `chatUrl` (chatConsoleUrl) when given; a reply starts with "↩ " and the quoted text,
 * shortened; a place gives its name and a map link. (Reactions are no messages, so no lines.)
 */
export function transcriptLineHtml(line: TranscriptLine, contactLabel: string, chatUrl?: string): string {
  const who = line.direction === "in" ? contactLabel : (line.authorName ?? "Switchboard");
  const time = line.at.toISOString().slice(11, 16);
  const quote = line.quotedText ? `↩ <i>“${escapeHtml(shorten(line.quotedText))}”</i> ` : "";
  return `${time} <b>${escapeHtml(who)}:</b> ${quote}${bodyHtml(line, chatUrl)}`;
}

function bodyHtml(line: TranscriptLine, chatUrl: string | undefined): string {
  const multiline = (text: string) => escapeHtml(text).replace(/\r?\n/g, "<br>");
  if (line.attachment) {
    const { kind, fileName, sizeBytes, caption } = line.attachment;
    const name = escapeHtml(fileName ?? kind);
    const linked = chatUrl ? `<a href="${escapeHtml(chatUrl)}">${name}</a>` : name;
    const size = sizeBytes === null ? "" : `, ${fileSize(sizeBytes)}`;
    return `📎 ${linked}${size}${caption ? ` — ${multiline(caption)}` : ""}`;
  }
  if (line.location) {
    const { latitude, longitude, name, address } = line.location;
    const place = [name, address].filter(Boolean).join(", ") || `${latitude}, ${longitude}`;
    return `📍 ${escapeHtml(place)} (<a href="${escapeHtml(mapUrl(latitude, longitude))}">map</a>)`;
  }
  return multiline(line.text);
}

/** OpenStreetMap at the place (the console's map link too): no account, no tracking parameters. */
export function mapUrl(latitude: number, longitude: number): string {
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
}

/** "240 KB", "1.5 MB" (1 KB = 1024 bytes, as file managers show sizes). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  if (oneLine.length <= quoteLength) return oneLine;
  const cut = oneLine.slice(0, quoteLength);
  // At the last word boundary, unless that leaves too little.
  const boundary = cut.lastIndexOf(" ");
  return `${(boundary > quoteLength / 2 ? cut.slice(0, boundary) : cut).trimEnd()}…`;
}

/** A part's transcript as HTML (a note's content, a Communication's body): a heading, then its lines (`lines`: transcriptLineHtml's, joined by `<br>`). */
export function transcriptHtml(input: { contactLabel: string; day: string; part: number; lines: string }): string {
  const partLabel = input.part > 1 ? `, part ${input.part}` : "";
  return `<p><b>WhatsApp with ${escapeHtml(input.contactLabel)}, ${input.day} (UTC)${partLabel}</b></p><p>${input.lines}</p>`;
}

/** The joined HTML of a part's lines after `added` are appended to `lines`. */
export function appendLines(lines: string, added: string[]): string {
  return [...(lines === "" ? [] : [lines]), ...added].join("<br>");
}

/**
 * Deals new lines into the current part while it has room, then into new parts of at most
 * `transcriptPartLimits` each (a line longer than the character limit goes alone).
 */
export function dealIntoParts<T extends { html: string }>(current: { lineCount: number; characters: number } | null, added: T[]) {
  const intoCurrent: T[] = [];
  const newParts: T[][] = [];
  let lineCount = current?.lineCount ?? transcriptPartLimits.lines;
  let characters = current?.characters ?? 0;
  let target: T[] = intoCurrent;
  for (const item of added) {
    const { html } = item;
    const full = lineCount >= transcriptPartLimits.lines || (lineCount > 0 && characters + html.length > transcriptPartLimits.characters);
    if (full) {
      target = [];
      newParts.push(target);
      lineCount = 0;
      characters = 0;
    }
    target.push(item);
    lineCount += 1;
    characters += html.length + 4;
  }
  return { intoCurrent, newParts };
}
