import type { ContentMessage, MessageMedia } from "../../../../extension/shared/message/content-types";
import {
  bodyText,
  documentLabel,
  downloadHref,
  formatDuration,
  humanSize,
  isQuotable,
  mapLink,
  mediaAlt,
  mediaHref,
  mediaNoun,
  quotedSummary,
  replySummary,
} from "../../../../extension/shared/message/content-words";

// The words and links of the shared message content (extension/shared/message/content-words.ts).

const media = (overrides: Partial<MessageMedia>): MessageMedia => ({
  kind: "image",
  mimeType: "image/jpeg",
  fileName: null,
  caption: null,
  sizeBytes: null,
  status: "ready",
  url: "/media/ws_1/m_1?expires=1&signature=s",
  ...overrides,
});

describe("message content words", () => {
  it.each([
    [0, "0 bytes"],
    [1, "1 byte"],
    [1023, "1023 bytes"],
    [1024, "1 KB"],
    [245_760, "240 KB"],
    [1_048_575, "1.0 MB"],
    [1_468_006, "1.4 MB"],
    [16 * 1024 * 1024, "16 MB"],
  ])("%i bytes read as %s", (bytes, words) => {
    expect(humanSize(bytes)).toBe(words);
  });

  it.each([
    [{ fileName: "invoice.pdf", sizeBytes: 245_760 }, "invoice.pdf · 240 KB"],
    [{ fileName: "invoice.pdf", sizeBytes: null }, "invoice.pdf"],
    [{ fileName: "  ", sizeBytes: 2048 }, "Document · 2 KB"],
    [{ fileName: null, sizeBytes: null }, "Document"],
  ])("names a document %j as %s", (file, label) => {
    expect(documentLabel(file)).toBe(label);
  });

  it.each([
    [media({}), "Grace Hopper", "Photo from Grace Hopper"],
    [media({ caption: "The broken hinge" }), "Grace Hopper", "The broken hinge"],
    [media({ caption: "   " }), "Grace Hopper", "Photo from Grace Hopper"],
    [media({ kind: "audio", mimeType: "audio/ogg; codecs=opus" }), "Grace Hopper", "Voice note from Grace Hopper"],
    [media({ kind: "audio", mimeType: "audio/mpeg" }), "Ada", "Audio message from Ada"],
    [media({ kind: "video", mimeType: "video/mp4" }), "Ada", "Video from Ada"],
  ])("describes %j from %s as %s", (file, sender, alt) => {
    expect(mediaAlt(file, sender)).toBe(alt);
  });

  it("calls an Ogg recording a voice note and other files by their kind", () => {
    expect(mediaNoun({ kind: "audio", mimeType: "audio/ogg" })).toBe("voice note");
    expect(mediaNoun({ kind: "sticker", mimeType: "image/webp" })).toBe("sticker");
    expect(mediaNoun({ kind: "document", mimeType: "application/pdf" })).toBe("document");
  });

  it.each([
    [0, "0:00"],
    [7.4, "0:07"],
    [65, "1:05"],
    [3723, "1:02:03"],
  ])("shows a %f-second recording as %s", (seconds, shown) => {
    expect(formatDuration(seconds)).toBe(shown);
  });

  it("opens a signed link under the API base and asks for the attachment with download=1", () => {
    const href = mediaHref("/api/v1", "/media/ws_1/m_1?expires=9&signature=abc");
    expect(href).toBe("/api/v1/media/ws_1/m_1?expires=9&signature=abc");
    expect(downloadHref(href)).toBe("/api/v1/media/ws_1/m_1?expires=9&signature=abc&download=1");
    expect(mediaHref("/api/v1", "https://files.example/x")).toBe("https://files.example/x");
    expect(downloadHref("/api/v1/media/ws_1/m_1")).toBe("/api/v1/media/ws_1/m_1?download=1");
  });

  it("pins a shared place on OpenStreetMap", () => {
    expect(mapLink({ latitude: 51.5034, longitude: -0.1276 })).toBe("https://www.openstreetmap.org/?mlat=51.5034&mlon=-0.1276#map=16/51.5034/-0.1276");
  });

  it.each([
    [{ id: "m1", direction: "in" as const, text: "Is it in stock?", mediaKind: null }, "Is it in stock?"],
    [{ id: "m1", direction: "in" as const, text: "[image] The broken hinge", mediaKind: "image" }, "Photo · The broken hinge"],
    [{ id: "m1", direction: "out" as const, text: "[document]", mediaKind: "document" }, "Document"],
    [{ id: "m1", direction: "in" as const, text: "", mediaKind: "hologram" }, "Hologram"],
    [{ id: "m1", direction: "in" as const, text: "", mediaKind: null }, "Message"],
    [{ id: "m1", direction: "in" as const, text: "", mediaKind: null, deleted: true as const }, "Deleted message"],
  ])("sums up the quoted %j as %s", (quoted, summary) => {
    expect(quotedSummary(quoted)).toBe(summary);
  });

  describe("the text a bubble shows", () => {
    const message = (fields: Partial<ContentMessage>): ContentMessage => ({ id: "m1", chatId: "c1", direction: "in", text: "Hello", ...fields });
    it.each([
      ["plain text", message({}), "Hello"],
      ["a photo's caption, not the stand-in", message({ text: "[image] Look", media: media({ caption: "Look" }) }), "Look"],
      ["nothing for a photo without caption", message({ text: "[image]", media: media({}) }), null],
      ["nothing for a place", message({ text: "[location] Cafe", location: { latitude: 1, longitude: 2, name: "Cafe", address: null } }), null],
      ["nothing for contact cards", message({ text: "[contacts] Ada", contacts: [{ name: "Ada", phones: [] }] }), null],
      ["nothing for a button reply", message({ text: "Yes", interactive: { kind: "button_reply", id: "yes", title: "Yes" } }), null],
      ["text when the contacts list is empty", message({ contacts: [] }), "Hello"],
    ])("%s", (_case, shown, text) => {
      expect(bodyText(shown)).toBe(text);
    });
  });

  describe("replying to a message", () => {
    it.each([
      ["in", "received", true],
      ["out", "sent", true],
      ["out", "delivered", true],
      ["out", "read", true],
      ["out", "queued", false],
      ["out", "failed", false],
    ] as const)("a message %s, %s, may be quoted: %s (it has a WhatsApp id)", (direction, status, quotable) => {
      expect(isQuotable({ direction, status })).toBe(quotable);
    });

    const message = (fields: Partial<ContentMessage>): ContentMessage => ({ id: "m1", chatId: "c1", direction: "in", text: "Hello", ...fields });
    it.each([
      ["its text", message({}), "Hello"],
      ["a photo with its caption", message({ text: "[image] Look", media: media({ caption: "Look" }) }), "Photo · Look"],
      [
        "a document by its name",
        message({ text: "[document] invoice.pdf", media: media({ kind: "document", fileName: "invoice.pdf" }) }),
        "Document · invoice.pdf",
      ],
      ["a place by its name", message({ text: "[location] Cafe", location: { latitude: 1, longitude: 2, name: "Cafe", address: null } }), "Cafe"],
    ])("the reply strip sums up %s", (_case, replied, summary) => {
      expect(replySummary(replied)).toBe(summary);
    });
  });
});
