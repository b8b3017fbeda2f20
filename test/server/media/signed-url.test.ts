import { signMediaDownload, verifyMediaDownload } from "../../../server/media/signed-url";

const key = Buffer.alloc(32, 7);
const target = { workspaceId: "ws_a", messageId: "msg_1" };
const now = Date.parse("2026-12-05T12:00:00Z");

describe("signed media download URLs", () => {
  it("accept their own workspace and message until they expire", () => {
    const signed = signMediaDownload(key, target, now, 300_000);
    expect(signed.expires).toBe(Math.floor(now / 1000) + 300);
    expect(verifyMediaDownload(key, target, { expires: String(signed.expires), signature: signed.signature }, now + 299_000)).toBe(true);
    expect(verifyMediaDownload(key, target, { expires: String(signed.expires), signature: signed.signature }, now + 301_000)).toBe(false);
  });

  it("are bound to the workspace, the message, the expiry and the key", () => {
    const { expires, signature } = signMediaDownload(key, target, now, 300_000);
    const query = { expires: String(expires), signature };
    expect(verifyMediaDownload(key, { ...target, messageId: "msg_2" }, query, now)).toBe(false);
    expect(verifyMediaDownload(key, { ...target, workspaceId: "ws_b" }, query, now)).toBe(false);
    expect(verifyMediaDownload(key, target, { expires: String(expires + 3600), signature }, now)).toBe(false);
    expect(verifyMediaDownload(Buffer.alloc(32, 8), target, query, now)).toBe(false);
  });

  it("refuse missing or malformed parameters", () => {
    const { expires, signature } = signMediaDownload(key, target, now, 300_000);
    expect(verifyMediaDownload(key, target, {}, now)).toBe(false);
    expect(verifyMediaDownload(key, target, { expires: "soon", signature }, now)).toBe(false);
    expect(verifyMediaDownload(key, target, { expires: String(expires), signature: `${signature}x` }, now)).toBe(false);
    expect(verifyMediaDownload(key, target, { expires: [String(expires)], signature }, now)).toBe(false);
  });
});
