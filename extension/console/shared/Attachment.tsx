import { type ClipboardEvent, type DragEvent, useEffect, useRef, useState } from "react";
import { checkOutboundMedia, describeBytes, outboundMimeTypes } from "../../../server/media/limits";
import "./attachment.css";

/** A file a member is about to send, with the caption typed for it. */
export type Attachment = { file: File; caption: string; previewUrl: string | null; captionAllowed: boolean };

/** "820 bytes", "12 KB", "3.4 MB". */
export function fileSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : describeBytes(bytes);
}

/** Why WhatsApp would refuse the file (the server checks the same limits), or null when it may go. */
export function attachmentProblem(file: File): string | null {
  const check = checkOutboundMedia({ mimeType: file.type, size: file.size });
  if (check.ok) return null;
  if (check.reason === "unsupported_type") {
    return `WhatsApp can't send ${file.name}${file.type ? ` (${file.type})` : ""}. Attach a JPEG or PNG image, an MP4 or 3GPP video, an audio file, a WebP sticker, or a PDF, Word, Excel, PowerPoint or text document.`;
  }
  return `${file.name} is ${fileSize(file.size)}: WhatsApp takes ${check.kind} files of at most ${describeBytes(check.maxBytes)}.`;
}

/** The composer's attachment: picked, dropped or pasted, checked against WhatsApp's limits, previewed. */
export function useAttachment() {
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [dropping, setDropping] = useState(false);
  const previewUrl = attachment?.previewUrl;
  useEffect(() => () => (previewUrl ? URL.revokeObjectURL(previewUrl) : undefined), [previewUrl]);

  const attach = (file: File) => {
    const refusal = attachmentProblem(file);
    setProblem(refusal);
    if (refusal) return;
    const check = checkOutboundMedia({ mimeType: file.type, size: file.size });
    const kind = check.ok ? check.kind : "document";
    setAttachment({
      file,
      caption: "",
      previewUrl: kind === "image" || kind === "sticker" ? URL.createObjectURL(file) : null,
      captionAllowed: kind !== "audio" && kind !== "sticker",
    });
  };
  const hasFiles = (event: DragEvent) => [...event.dataTransfer.types].includes("Files");
  return {
    attachment,
    problem,
    dropping,
    attach,
    setCaption: (caption: string) => setAttachment((current) => (current ? { ...current, caption } : current)),
    clear: () => {
      setAttachment(null);
      setProblem(null);
    },
    /** Spread on the element a file may be dropped on. */
    dropTarget: {
      onDragOver: (event: DragEvent) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDropping(true);
      },
      onDragLeave: () => setDropping(false),
      onDrop: (event: DragEvent) => {
        setDropping(false);
        const file = event.dataTransfer.files[0];
        if (!file) return;
        event.preventDefault();
        attach(file);
      },
    },
    /** On the message field: a pasted image (a screenshot) becomes the attachment. */
    onPaste: (event: ClipboardEvent) => {
      const file = [...event.clipboardData.files].find((candidate) => candidate.type.startsWith("image/"));
      if (!file) return;
      event.preventDefault();
      attach(file);
    },
  };
}

/** The paperclip: opens the file picker (types WhatsApp carries). */
export function AttachButton({ id, disabled, onFile }: { id: string; disabled?: boolean; onFile(file: File): void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        id={id}
        type="file"
        className="attachment-input"
        tabIndex={-1}
        aria-label="File to attach"
        accept={outboundMimeTypes.join(",")}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) onFile(file);
          event.target.value = "";
        }}
      />
      <button
        type="button"
        aria-label="Attach a file"
        title="Attach a file (or drop one here, or paste an image)"
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <span aria-hidden="true">📎</span>
      </button>
    </>
  );
}

/** The attached file before it is sent: a thumbnail for an image, else its name and size; its caption; remove. */
export function AttachmentPreview({
  id,
  attachment,
  onCaption,
  onRemove,
}: {
  id: string;
  attachment: Attachment;
  onCaption(caption: string): void;
  onRemove(): void;
}) {
  const { file } = attachment;
  return (
    <fieldset className="attachment-preview" aria-label={`Attachment ${file.name}`}>
      {attachment.previewUrl ? <img src={attachment.previewUrl} alt={`Preview of ${file.name}`} /> : <span aria-hidden="true">📄</span>}
      <span>
        <span className="attachment-name">{file.name}</span> <span className="muted">{fileSize(file.size)}</span>
      </span>
      {attachment.captionAllowed && (
        <span className="attachment-caption">
          <label htmlFor={id}>Caption</label>
          <input id={id} value={attachment.caption} maxLength={1024} dir="auto" onChange={(event) => onCaption(event.target.value)} />
        </span>
      )}
      <button type="button" onClick={onRemove} aria-label={`Remove ${file.name}`}>
        Remove
      </button>
    </fieldset>
  );
}

/** The query of POST /chats/{id}/media: the file's name, its caption, and the message it replies to. */
export function mediaPath(chatId: string, attachment: Attachment, replyToMessageId?: string): string {
  const query = new URLSearchParams({ fileName: attachment.file.name });
  if (attachment.captionAllowed && attachment.caption.trim()) query.set("caption", attachment.caption.trim());
  if (replyToMessageId) query.set("replyToMessageId", replyToMessageId);
  return `/chats/${encodeURIComponent(chatId)}/media?${query}`;
}
