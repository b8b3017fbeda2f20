import { mediaDownloadHeaders, safeFileName } from "../../../server/media/download-headers";

describe("headers of a served media file", () => {
  it("show a photo inline with its type, nosniff and a sandboxing CSP", () => {
    expect(mediaDownloadHeaders({ mimeType: "image/jpeg", fileName: null, type: "image", size: 12 })).toEqual({
      "content-type": "image/jpeg",
      "content-length": "12",
      "content-disposition": `inline; filename="image.jpg"`,
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "private, max-age=300",
    });
  });

  it.each(["image/svg+xml", "text/html", "application/xhtml+xml", "application/pdf", "application/zip", "text/plain"])(
    "never let %s run in the page: a download of octet-stream or its own type, never inline",
    (mimeType) => {
      const headers = mediaDownloadHeaders({ mimeType, fileName: "file", type: "document", size: 1 });
      expect(headers["content-disposition"]).toMatch(/^attachment;/);
      expect(headers["content-type"]).not.toMatch(/html|svg|xml/);
      expect(headers["x-content-type-options"]).toBe("nosniff");
    },
  );

  it("make a safe file name of whatever the customer called it", () => {
    expect(safeFileName("../../etc/passwd", "document", "text/plain")).toBe("passwd");
    expect(safeFileName('in"voice\r\n.pdf', "document", "application/pdf")).toBe("in_voice__.pdf");
    expect(safeFileName("", "audio", "audio/ogg")).toBe("audio.ogg");
    expect(safeFileName("invoice\u202efdp.exe", "document", "application/pdf")).toBe("invoice_fdp.exe");
    expect(safeFileName(null, "document", "application/octet-stream")).toBe("document");
    expect(safeFileName("x".repeat(300), "document", "application/pdf")).toHaveLength(150);
    const headers = mediaDownloadHeaders({ mimeType: "application/pdf", fileName: "Rechnung März.pdf", type: "document", size: 1 });
    expect(headers["content-disposition"]).toBe(`attachment; filename="Rechnung M_rz.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf`);
  });
});
