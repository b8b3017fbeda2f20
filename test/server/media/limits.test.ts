import { checkInboundMedia, mediaSizeLimit } from "../../../server/media/limits";

const MB = 1024 * 1024;

describe("Meta's media limits (Cloud API media reference, supported media types)", () => {
  it.each([
    ["image", "image/jpeg", 5 * MB],
    ["image", "image/png", 5 * MB],
    ["audio", "audio/ogg; codecs=opus", 16 * MB],
    ["audio", "audio/mpeg", 16 * MB],
    ["video", "video/mp4", 16 * MB],
    ["document", "application/pdf", 100 * MB],
    ["sticker", "image/webp", 500 * 1024],
  ] as const)("accept a %s of %s up to its limit", (type, mimeType, limit) => {
    expect(mediaSizeLimit(type)).toBe(limit);
    expect(checkInboundMedia({ type, mimeType, size: limit })).toEqual({ ok: true, mimeType: mimeType.split(";")[0] });
    expect(checkInboundMedia({ type, mimeType, size: limit + 1 })).toEqual({ ok: false, reason: "too_large" });
  });

  it.each([
    ["image", "image/svg+xml"],
    ["image", "text/html"],
    ["audio", "audio/wav"],
    ["video", "video/quicktime"],
    ["sticker", "image/png"],
    ["document", "text/html"],
    ["document", "image/svg+xml"],
  ] as const)("refuse a %s of type %s", (type, mimeType) => {
    expect(checkInboundMedia({ type, mimeType, size: 10 })).toEqual({ ok: false, reason: "unsupported_type" });
  });

  it("accept documents of other file types a customer may send (zip, csv), served only as downloads", () => {
    expect(checkInboundMedia({ type: "document", mimeType: "application/zip", size: 10 })).toEqual({ ok: true, mimeType: "application/zip" });
    expect(checkInboundMedia({ type: "document", mimeType: "not a type", size: 10 })).toEqual({ ok: false, reason: "unsupported_type" });
  });
});
