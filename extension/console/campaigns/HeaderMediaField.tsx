import { useState } from "react";
import { checkOutboundMedia, describeBytes } from "../../../server/media/limits";

/** The launch's header file: base64, as POST /campaigns takes it. */
export type HeaderMedia = { fileName: string; mimeType: string; data: string; sizeBytes: number };

/** What the server takes for a campaign's header (server/campaigns/header-media.ts): 16 MB, image, video or PDF. */
const maxHeaderBytes = 16 * 1024 * 1024;

function headerProblem(file: File): string | null {
  const check = checkOutboundMedia({ mimeType: file.type, size: file.size });
  const headerType = check.ok ? check.kind === "image" || check.kind === "video" || check.mimeType === "application/pdf" : false;
  if (!check.ok && check.reason === "too_large")
    return `${file.name} is too large: WhatsApp takes ${check.kind} files of at most ${describeBytes(check.maxBytes)}.`;
  if (!headerType) return `${file.name} can't be a template header: choose a JPEG or PNG image, an MP4 video or a PDF.`;
  if (file.size > maxHeaderBytes) return `${file.name} is too large: a campaign's header file may be at most ${describeBytes(maxHeaderBytes)}.`;
  return null;
}

function base64Of(bytes: ArrayBuffer): string {
  let binary = "";
  const view = new Uint8Array(bytes);
  for (let offset = 0; offset < view.length; offset += 0x8000) binary += String.fromCharCode(...view.subarray(offset, offset + 0x8000));
  return btoa(binary);
}

/** For a template whose WhatsApp header is an image, video or document: the file every recipient gets. */
export function HeaderMediaField({ value, onChange }: { value: HeaderMedia | null; onChange(value: HeaderMedia | null): void }) {
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <fieldset className="campaign-step">
      <legend>Header file</legend>
      <p className="muted">Only for a template whose WhatsApp header is an image, a video or a document.</p>
      {value ? (
        <p>
          {value.fileName} <span className="muted">({describeBytes(value.sizeBytes)})</span>{" "}
          <button type="button" onClick={() => onChange(null)} aria-label={`Remove ${value.fileName}`}>
            Remove
          </button>
        </p>
      ) : (
        <label>
          Header image, video or PDF (optional)
          <input
            type="file"
            accept="image/jpeg,image/png,video/mp4,video/3gpp,application/pdf"
            onChange={async (event) => {
              const file = event.target.files?.[0];
              event.target.value = "";
              if (!file) return;
              const refusal = headerProblem(file);
              setProblem(refusal);
              if (refusal) return;
              onChange({ fileName: file.name, mimeType: file.type, data: base64Of(await file.arrayBuffer()), sizeBytes: file.size });
            }}
          />
        </label>
      )}
      {problem && (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
