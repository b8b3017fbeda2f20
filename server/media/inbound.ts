import type { Executor } from "../db/client";
import { messageMedia } from "../db/schema";
import { type MediaType, mediaTypes } from "./limits";
import type { MessageMediaRow } from "./presentation";

/**
 * A customer's file as it arrives with their message: Meta's media id, fetched later by the media
 * fetch worker (server/media/fetch-worker.ts), or — for the sandbox's simulated customer — a file
 * already in the media storage.
 */
export type InboundMedia = {
  kind: MediaType;
  mimeType: string | null;
  fileName: string | null;
  caption: string | null;
  /** What the webhook says the file's SHA-256 is; checked against the bytes fetched. */
  sha256: string | null;
} & ({ providerMediaId: string } | { stored: { key: string; sizeBytes: number } });

/**
 * Records the file of a message just inserted, in the message's transaction: 'pending' (the fetch
 * job, due now) for Meta's media id, 'ready' for a file already stored. A redelivered webhook
 * inserts no message, so it never gets here; the conflict clause is a second guard.
 */
export async function insertInboundMedia(db: Executor, workspaceId: string, messageId: string, media: InboundMedia): Promise<MessageMediaRow | undefined> {
  const common = { workspaceId, messageId, kind: media.kind, mimeType: media.mimeType, fileName: media.fileName, caption: media.caption, sha256: media.sha256 };
  const [row] = await db
    .insert(messageMedia)
    .values(
      "stored" in media
        ? { ...common, status: "ready", storageKey: media.stored.key, sizeBytes: media.stored.sizeBytes }
        : { ...common, status: "pending", providerMediaId: media.providerMediaId },
    )
    .onConflictDoNothing()
    .returning();
  return row;
}

/** The file of a Meta webhook message (its `type` is the media kind: image, document, audio, video, sticker). */
export function inboundMediaOf(
  type: string,
  media: { id: string; mimeType?: string; caption?: string; fileName?: string; sha256?: string },
): InboundMedia | undefined {
  const kind = mediaTypes.find((mediaType) => mediaType === type);
  if (!kind) return undefined;
  return {
    kind,
    mimeType: media.mimeType ?? null,
    fileName: media.fileName ?? null,
    caption: media.caption ?? null,
    sha256: media.sha256 ?? null,
    providerMediaId: media.id,
  };
}
