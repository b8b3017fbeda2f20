import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { messageMedia, messages } from "../db/schema";
import { conflict, notFound } from "../http/problem";
import { publicAccess, requires, route } from "../http/route";
import { loadVisibleChat } from "../inbox/queries";
import { mediaDownloadHeaders } from "./download-headers";
import { mediaLink } from "./presentation";
import { verifyMediaDownload } from "./signed-url";
import { isMediaKey } from "./storage";

// Anything wrong with a download link is one 404: a bad or expired signature, another message's or
// workspace's signature, a file not (yet) stored. Never which, so a link can't be probed.
const lenient = (max: number) => z.string().max(max).optional().catch(undefined);
const DownloadParams = z.object({ workspaceId: lenient(100), messageId: lenient(100) });
const DownloadQuery = z.object({
  expires: lenient(20).describe("Unix seconds after which the link no longer works"),
  signature: lenient(100).describe("HMAC over the workspace, the message and `expires`"),
  download: lenient(5).describe("1: always as an attachment (Save as…), even an image"),
});
const MessageMediaParams = z.object({ id: z.string().min(1).max(100), messageId: z.string().min(1).max(100) }).strict();

const missingFile = () => notFound("file");

export const mediaRoutes = [
  route({
    method: "get",
    path: "/media/:workspaceId/:messageId",
    summary: "A message's file, through the signed link its presentation carries (15 minutes)",
    tag: "Media",
    access: publicAccess("the signed link is the credential: <img> and <audio> tags send no bearer token"),
    params: DownloadParams,
    query: DownloadQuery,
    responses: { 200: "The file's bytes (inline only for images, audio and video)", 404: "A bad or expired link, or no such file" },
    async handler({ params, query, services }) {
      const { workspaceId, messageId } = params;
      if (!workspaceId || !messageId) throw missingFile();
      if (!verifyMediaDownload(services.config.mediaLinkKey, { workspaceId, messageId }, query, Date.now())) throw missingFile();
      const [row] = await services.database.db
        .select()
        .from(messageMedia)
        .where(and(eq(messageMedia.workspaceId, workspaceId), eq(messageMedia.messageId, messageId), eq(messageMedia.status, "ready")));
      if (!row?.storageKey || !isMediaKey(row.storageKey)) throw missingFile();
      const file = await services.mediaStorage.get(row.storageKey);
      if (!file) throw missingFile();
      const headers = mediaDownloadHeaders({ mimeType: row.mimeType ?? "application/octet-stream", fileName: row.fileName, type: row.kind, size: file.length });
      if (query.download === "1") headers["content-disposition"] = (headers["content-disposition"] ?? "").replace(/^inline/, "attachment");
      return { status: 200, file, headers };
    },
  }),
  route({
    method: "get",
    path: "/chats/:id/messages/:messageId/media",
    summary: "A fresh signed link to a message's file (404 when the chat is not the caller's to see)",
    tag: "Media",
    access: requires("chats.view"),
    params: MessageMediaParams,
    responses: { 200: "{url, expiresAt}: url relative to the API base", 404: "No such chat, message or file", 409: "The file is still loading, or failed" },
    async handler({ actor, params, db, services }) {
      const chat = await loadVisibleChat(db, actor, params.id);
      const [row] = await db
        .select({ status: messageMedia.status })
        .from(messageMedia)
        .innerJoin(messages, and(eq(messages.workspaceId, messageMedia.workspaceId), eq(messages.id, messageMedia.messageId)))
        .where(and(eq(messageMedia.workspaceId, actor.workspaceId), eq(messageMedia.messageId, params.messageId), eq(messages.chatId, chat.id)));
      if (!row) throw missingFile();
      if (row.status === "pending") throw conflict("The file is still being fetched from WhatsApp.");
      if (row.status === "failed") throw conflict("The file could not be fetched from WhatsApp.");
      return { status: 200, body: mediaLink(services.config.mediaLinkKey, { workspaceId: actor.workspaceId, messageId: params.messageId }) };
    },
  }),
];
