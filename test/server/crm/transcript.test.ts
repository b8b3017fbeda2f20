import {
  appendLines,
  chatConsoleUrl,
  dealIntoParts,
  fileSize,
  type TranscriptLine,
  transcriptHtml,
  transcriptLineHtml,
  transcriptPartLimits,
} from "../../../server/crm/transcript";

const lines = (count: number, length = 10) => Array.from({ length: count }, (_, index) => ({ html: `${index}`.padEnd(length, "x"), index }));
const indexes = (items: { index: number }[]) => items.map((item) => item.index);

describe("a chat-day's transcript in parts", () => {
  it.each([
    { case: "the first lines of a day open part 1", current: null, added: 3, intoCurrent: 0, newParts: [3] },
    { case: "lines fill the current part to 50", current: { lineCount: 48, characters: 480 }, added: 2, intoCurrent: 2, newParts: [] },
    { case: "the 51st line opens the next part", current: { lineCount: 49, characters: 490 }, added: 2, intoCurrent: 1, newParts: [1] },
    { case: "a backlog is dealt into full parts", current: { lineCount: 50, characters: 500 }, added: 120, intoCurrent: 0, newParts: [50, 50, 20] },
  ])("$case", ({ current, added, intoCurrent, newParts }) => {
    const dealt = dealIntoParts(current, lines(added));
    expect(dealt.intoCurrent).toHaveLength(intoCurrent);
    expect(dealt.newParts.map((part) => part.length)).toEqual(newParts);
    // Nothing lost, nothing twice, order kept.
    expect([...indexes(dealt.intoCurrent), ...dealt.newParts.flatMap(indexes)]).toEqual(Array.from({ length: added }, (_, index) => index));
  });

  it("a part also closes at its character limit; a line longer than the limit goes alone", () => {
    const long = transcriptPartLimits.characters;
    const dealt = dealIntoParts({ lineCount: 1, characters: 100 }, [
      { html: "x".repeat(long - 200), index: 0 },
      { html: "y".repeat(long + 10), index: 1 },
      { html: "z", index: 2 },
    ]);
    expect(indexes(dealt.intoCurrent)).toEqual([0]);
    expect(dealt.newParts.map(indexes)).toEqual([[1], [2]]);
  });

  it("parts after the first say which they are; appended lines join with line breaks", () => {
    expect(transcriptHtml({ contactLabel: "Carla <C>", day: "2026-12-05", part: 1, lines: "a" })).toBe(
      "<p><b>WhatsApp with Carla &lt;C&gt;, 2026-12-05 (UTC)</b></p><p>a</p>",
    );
    expect(transcriptHtml({ contactLabel: "Carla", day: "2026-12-05", part: 2, lines: "a" })).toContain("2026-12-05 (UTC), part 2</b>");
    expect(appendLines("", ["a", "b"])).toBe("a<br>b");
    expect(appendLines("a<br>b", ["c"])).toBe("a<br>b<br>c");
  });
});

describe("a transcript line says what a message carries", () => {
  const at = new Date("2026-12-05T09:14:00Z");
  const chatUrl = chatConsoleUrl("https://switchboard.example", "chat_1");
  const line = (overrides: Partial<TranscriptLine>): TranscriptLine => ({ at, direction: "in", text: "", authorName: null, ...overrides });

  it.each([
    {
      case: "a file: its name and size, linked to the chat in the console",
      line: line({ text: "[document] invoice.pdf", attachment: { kind: "document", fileName: "invoice.pdf", sizeBytes: 240 * 1024, caption: null } }),
      html: '09:14 <b>Carla:</b> 📎 <a href="https://switchboard.example/#/inbox/chat_1">invoice.pdf</a>, 240 KB',
    },
    {
      case: "a photo without a name: its kind, size and caption",
      line: line({ text: "[image] the <red> one", attachment: { kind: "image", fileName: null, sizeBytes: 1_572_864, caption: "the <red> one" } }),
      html: '09:14 <b>Carla:</b> 📎 <a href="https://switchboard.example/#/inbox/chat_1">image</a>, 1.5 MB — the &lt;red&gt; one',
    },
    {
      case: "a reply: ↩ and the quoted text, shortened",
      line: line({
        direction: "out",
        authorName: "Agnes",
        text: "Yes, Friday",
        quotedText: "Is the kitchen ready? I need to know before the weekend because the movers come Saturday",
      }),
      html: "09:14 <b>Agnes:</b> ↩ <i>“Is the kitchen ready? I need to know before the weekend…”</i> Yes, Friday",
    },
    {
      case: "a place: its name and address with a map link",
      line: line({ text: "[location] Cafe Central", location: { latitude: 38.7223, longitude: -9.1393, name: "Cafe Central", address: "Rua Augusta 1" } }),
      html: '09:14 <b>Carla:</b> 📍 Cafe Central, Rua Augusta 1 (<a href="https://www.openstreetmap.org/?mlat=38.7223&amp;mlon=-9.1393#map=17/38.7223/-9.1393">map</a>)',
    },
    { case: "plain text as before", line: line({ text: "Hi <there>\nsecond line" }), html: "09:14 <b>Carla:</b> Hi &lt;there&gt;<br>second line" },
  ])("$case", ({ line: given, html }) => {
    expect(transcriptLineHtml(given, "Carla", chatUrl)).toBe(html);
  });

  it("without a console link a file is named, never linked", () => {
    const file = line({ attachment: { kind: "document", fileName: "invoice.pdf", sizeBytes: 900, caption: null } });
    expect(transcriptLineHtml(file, "Carla")).toBe("09:14 <b>Carla:</b> 📎 invoice.pdf, 900 bytes");
  });

  it("sizes read as file managers show them", () => {
    expect([fileSize(0), fileSize(1023), fileSize(1024), fileSize(245_760), fileSize(1024 * 1024), fileSize(15_938_355)]).toEqual([
      "0 bytes",
      "1023 bytes",
      "1 KB",
      "240 KB",
      "1 MB",
      "15.2 MB",
    ]);
  });
});
