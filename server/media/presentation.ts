import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "../db/client";
import { messageMedia } from "../db/schema";
import { signMediaDownload } from "./signed-url";

export type MessageMediaRow = typeof messageMedia.$inferSelect;

/** A signed download link lives this long: long enough to open a chat and play a voice note, short enough that a leaked link dies soon. */
export const mediaLinkLifetimeMs = 15 * 60 * 1000;

/** The `media` of a presented message (MEDIA-CONTRACT.md): `url` only once the file is stored. */
export type PresentedMedia = {
  kind: MessageMediaRow["kind"];
  mimeType: string | null;
  fileName: string | null;
  caption: string | null;
  sizeBytes: number | null;
  status: "loading" | "ready" | "failed";
  url: string | null;
};

/** A message's file link, relative to the API base, and when it stops working. */
export function mediaLink(key: Buffer, target: { workspaceId: string; messageId: string }, nowMs = Date.now()) {
  const { expires, signature } = signMediaDownload(key, target, nowMs, mediaLinkLifetimeMs);
  const url = `/media/${encodeURIComponent(target.workspaceId)}/${encodeURIComponent(target.messageId)}?expires=${expires}&signature=${signature}`;
  return { url, expiresAt: new Date(expires * 1000).toISOString() };
}

/**
 * A media row as the API shows it. `linkKey` null leaves `url` out (null): for payloads that leave
 * the members' view (outgoing webhooks). Callers present only messages of chats the member may see.
 */
export function presentMedia(row: MessageMediaRow, linkKey: Buffer | null, nowMs = Date.now()): PresentedMedia {
  const ready = row.status === "ready";
  return {
    kind: row.kind,
    mimeType: row.mimeType,
    fileName: row.fileName,
    caption: row.caption,
    sizeBytes: row.sizeBytes,
    status: row.status === "pending" ? "loading" : row.status,
    url: ready && linkKey ? mediaLink(linkKey, row, nowMs).url : null,
  };
}

/** The media rows of a page of messages of one workspace, in one query (no query per message). */
export async function mediaOfMessages(db: Executor, workspaceId: string, messageIds: string[]): Promise<Map<string, MessageMediaRow>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(messageMedia)
    .where(and(eq(messageMedia.workspaceId, workspaceId), inArray(messageMedia.messageId, messageIds)));
  return new Map(rows.map((row) => [row.messageId, row]));
}

/** The presented `media` of each message that has a file, keyed by message id, with signed links. */
export async function presentedMediaOf(db: Executor, linkKey: Buffer, workspaceId: string, messageIds: string[]): Promise<Map<string, PresentedMedia>> {
  const rows = await mediaOfMessages(db, workspaceId, messageIds);
  const nowMs = Date.now();
  return new Map([...rows].map(([messageId, row]) => [messageId, presentMedia(row, linkKey, nowMs)]));
}
