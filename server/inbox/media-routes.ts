import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { messageMedia } from "../db/schema";
import { HttpProblem, invalidRequest } from "../http/problem";
import { requires, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { safeFileName } from "../media/download-headers";
import { checkOutboundMedia, describeBytes, largestOutboundBytes, outboundMimeTypes } from "../media/limits";
import { presentedMediaOf } from "../media/presentation";
import { newMediaKey } from "../media/storage";
import { mediaStorageOf } from "../media/storage-of";
import { authorize } from "../permissions";
import { loadVisibleAccount } from "../whatsapp/accounts";
import { conversationRelationsOf } from "./message-presentation";
import { presentMessage } from "./presenters";
import type { OutboundContent } from "./providers";
import { chatRecord, loadVisibleChat } from "./queries";
import { assertCanSend, loadQuotable, sendToChat } from "./sender";

/** Meta, Messages reference (media object): a caption is at most 1,024 characters. */
const captionMaxLength = 1024;

const SendMediaQuery = z
  .object({
    fileName: z.string().trim().min(1).max(255).optional(),
    caption: z.string().trim().max(captionMaxLength).optional(),
    /** The chat's message the file replies to (Meta's `context`), as on a text reply. */
    replyToMessageId: z.string().min(1).max(100).optional(),
  })
  .strict();

const unsupportedType = (mimeType: string) =>
  new HttpProblem(
    415,
    "unsupported_media_type",
    "Unsupported media type",
    `WhatsApp does not carry files of type ${mimeType || "(none)"}. Send a JPEG or PNG image, an MP4 or 3GPP video, AAC/AMR/MP3/M4A/OGG audio, a WebP sticker, or a PDF, Word, Excel, PowerPoint or plain-text document (${outboundMimeTypes.join(", ")}).`,
  );

const tooLarge = (kind: string, maxBytes: number) =>
  new HttpProblem(413, "payload_too_large", "Payload too large", `WhatsApp takes ${kind} files of at most ${describeBytes(maxBytes)}; this one is larger.`);

export const mediaSendRoutes = [
  route({
    method: "post",
    path: "/chats/:id/media",
    summary: "Send a file in a chat: the raw body is the file, Content-Type its MIME type",
    tag: "Chats",
    access: requires("chats.reply"),
    params: IdParam,
    query: SendMediaQuery,
    rawBody: true,
    bodyLimit: `${largestOutboundBytes / (1024 * 1024)}mb`,
    ownTransactions: true,
    responses: {
      201: "{message} with its media (and replyTo when it quotes one)",
      404: "The chat, or the message replyToMessageId names, is not visible",
      409: "The account is disconnected",
      413: "Larger than WhatsApp takes for the type",
      415: "A type WhatsApp does not carry",
      422: "Outside the 24-hour window: use a template; or the quoted message has no WhatsApp id yet",
    },
    async handler(context) {
      const { actor, params, query, services, request } = context;
      const db = services.database.db;
      const chat = await loadVisibleChat(db, actor, params.id);
      authorize(actor, "chats.reply", chatRecord(chat));
      const account = await loadVisibleAccount(db, actor, chat.accountId);
      // The quoted message is checked as a text reply's is (404 not this chat's, 422 no WhatsApp id), before the body is looked at.
      const quoted = query.replyToMessageId ? await loadQuotable(db, actor.workspaceId, chat.id, query.replyToMessageId) : undefined;
      const data = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (data.length === 0) throw invalidRequest("The body is empty: send the file's bytes, with its MIME type as Content-Type.");
      // Meta's limits before anything is stored or uploaded.
      const check = checkOutboundMedia({ mimeType: request.get("content-type") ?? "", size: data.length });
      if (!check.ok) throw check.reason === "unsupported_type" ? unsupportedType(check.mimeType) : tooLarge(check.kind, check.maxBytes);
      const caption = query.caption ? query.caption : null;
      if (caption && (check.kind === "audio" || check.kind === "sticker")) {
        throw invalidRequest(`WhatsApp shows no caption on ${check.kind} messages; send the text as a message of its own.`, [
          { path: "query.caption", message: `not allowed on ${check.kind}` },
        ]);
      }
      const content: OutboundContent = {
        kind: "media",
        mediaKind: check.kind,
        mimeType: check.mimeType,
        fileName: safeFileName(query.fileName ?? null, check.kind, check.mimeType),
        caption,
        storageKey: newMediaKey(),
        sizeBytes: data.length,
        sha256: createHash("sha256").update(data).digest("hex"),
      };
      // Refusals that need no file (disconnected account, closed window) come before storing it.
      assertCanSend(account, chat, content);
      const storage = mediaStorageOf(services);
      await storage.put(content.storageKey, data);
      try {
        const message = await sendToChat(context, account, chat, content, quoted);
        // Presented as every message is: its quote, and its media with a fresh signed link (the media contract).
        const media = await presentedMediaOf(db, services.config.mediaLinkKey, actor.workspaceId, [message.id]);
        const relations = (await conversationRelationsOf(db, [message])).get(message.id);
        return { status: 201, body: { message: presentMessage(message, { ...relations, media: media.get(message.id) }, actor) } };
      } catch (error) {
        // The file stays with the message if one was stored (a send Meta refused later); else it goes.
        const [kept] = await db
          .select({ messageId: messageMedia.messageId })
          .from(messageMedia)
          .where(and(eq(messageMedia.workspaceId, actor.workspaceId), eq(messageMedia.storageKey, content.storageKey)));
        if (!kept) await storage.delete(content.storageKey);
        throw error;
      }
    },
  }),
];
