import { appendLines, dealIntoParts, transcriptHtml, transcriptPartLimits } from "../../../server/crm/transcript";

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
