/** One message as the transcript shows it. */
export type TranscriptLine = { at: Date; direction: "in" | "out"; text: string; authorName: string | null };

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for Pipedrive's HTML note content (it sanitizes, but the text is the customer's). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

/** A chat-day's transcript as note HTML: a heading, then one line per message (times in UTC). */
export function transcriptHtml(input: { contactLabel: string; day: string; lines: TranscriptLine[] }): string {
  const heading = `<p><b>WhatsApp with ${escapeHtml(input.contactLabel)}, ${input.day} (UTC)</b></p>`;
  const lines = input.lines.map((line) => {
    const who = line.direction === "in" ? input.contactLabel : (line.authorName ?? "Switchboard");
    const time = line.at.toISOString().slice(11, 16);
    return `${time} <b>${escapeHtml(who)}:</b> ${escapeHtml(line.text).replace(/\r?\n/g, "<br>")}`;
  });
  return `${heading}<p>${lines.join("<br>")}</p>`;
}
