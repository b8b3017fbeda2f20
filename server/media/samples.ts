import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import type { InboundMedia } from "./inbound";
import type { MediaType } from "./limits";
import { type MediaStorage, newMediaKey } from "./storage";

// The files the sandbox's simulated customer sends (and the demo's customers sent): small, valid
// files made here, so the sandbox needs no network and no bundled assets.

export const sampleMediaNames = ["photo", "pdf", "voice"] as const;
export type SampleMediaName = (typeof sampleMediaNames)[number];
export type SampleMedia = { kind: MediaType; mimeType: string; fileName: string | null; data: Buffer };

/** A PNG chunk: length, type, data, CRC-32 of type and data (PNG spec §5.3). */
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A 64×48 RGB picture: a sky over a green field with a sun, as a photo of a delivered parcel's doorstep might be. */
function samplePng(): Buffer {
  const width = 64;
  const height = 48;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const sun = (x - 48) ** 2 + (y - 12) ** 2 < 64;
      const color = sun ? [250, 204, 21] : y < 30 ? [125, 180, 235] : [74, 150, 74];
      row.set(color, 1 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(Buffer.concat(rows))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A one-page PDF with a line of text, its cross-reference table at the offsets it really has. */
function samplePdf(): Buffer {
  const text = "BT /F1 18 Tf 72 720 Td (Invoice 2026-117: 25 seats, yearly) Tj ET";
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/**
 * Two seconds of MPEG-1 Layer III silence: 77 frames of 128 kbit/s at 44.1 kHz (417 bytes each),
 * each a frame header and zeroed side information and data, which decoders play as silence.
 */
function sampleMp3(): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]); // sync, MPEG-1, Layer III, no CRC; 128 kbit/s, 44.1 kHz, no padding; joint stereo
  return Buffer.concat(Array.from({ length: 77 }, () => frame));
}

const makers: Record<SampleMediaName, () => SampleMedia> = {
  photo: () => ({ kind: "image", mimeType: "image/png", fileName: null, data: samplePng() }),
  pdf: () => ({ kind: "document", mimeType: "application/pdf", fileName: "Invoice 2026-117.pdf", data: samplePdf() }),
  voice: () => ({ kind: "audio", mimeType: "audio/mpeg", fileName: null, data: sampleMp3() }),
};

/** One of the sample files, freshly made. */
export function sampleMedia(name: SampleMediaName): SampleMedia {
  return makers[name]();
}

/**
 * Stores a sample under a new key, ready: what the sandbox's customer sends (no fetch from Meta),
 * with the message's readable stand-in text as Meta's webhooks get one ("[image] caption").
 */
export async function storeSampleMedia(storage: MediaStorage, name: SampleMediaName, caption: string | null): Promise<{ media: InboundMedia; text: string }> {
  const sample = sampleMedia(name);
  const key = newMediaKey();
  await storage.put(key, sample.data);
  const detail = caption ?? sample.fileName;
  return {
    media: {
      kind: sample.kind,
      mimeType: sample.mimeType,
      fileName: sample.fileName,
      caption,
      sha256: createHash("sha256").update(sample.data).digest("hex"),
      stored: { key, sizeBytes: sample.data.length },
    },
    text: detail ? `[${sample.kind}] ${detail}` : `[${sample.kind}]`,
  };
}
