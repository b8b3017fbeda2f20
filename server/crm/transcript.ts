// A chat-day's transcript, rendered once for every CRM: Pipedrive's notes and activities and
// HubSpot's Communications carry the same parts and lines.

/** One message as the transcript shows it. */
export type TranscriptLine = { at: Date; direction: "in" | "out"; text: string; authorName: string | null };

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

/** One message as a transcript line (HTML; times in UTC). */
export function transcriptLineHtml(line: TranscriptLine, contactLabel: string): string {
  const who = line.direction === "in" ? contactLabel : (line.authorName ?? "Switchboard");
  const time = line.at.toISOString().slice(11, 16);
  return `${time} <b>${escapeHtml(who)}:</b> ${escapeHtml(line.text).replace(/\r?\n/g, "<br>")}`;
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
