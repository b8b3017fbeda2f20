import { type MessageRow, presentMessage } from "../inbox/presenters";
import type { OutboundMedia } from "../inbox/providers";

/**
 * A message a member just sent with a file, with the contract's `media` field (the media
 * contract, "Message presentation"). Minimal stand-in until the shared media presenter (signed
 * urls) lands: the file is ready, its link comes with the next read of the history.
 */
export function presentSentMedia(message: MessageRow, media: OutboundMedia) {
  return {
    ...presentMessage(message),
    media: {
      kind: media.mediaKind,
      mimeType: media.mimeType,
      fileName: media.fileName,
      caption: media.caption,
      sizeBytes: media.sizeBytes,
      status: "ready" as const,
      url: null,
    },
  };
}
