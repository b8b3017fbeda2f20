import { z } from "zod";
import { requires, route } from "../http/route";
import { deleteStoredFiles } from "../media/deletion";
import { authorize } from "../permissions";
import { deleteMessage } from "./message-deletion";
import { chatRecord, loadVisibleChat } from "./queries";

const MessageParams = z.object({ id: z.string().min(1).max(100), messageId: z.string().min(1).max(100) }).strict();

export const deletionRoutes = [
  route({
    method: "delete",
    path: "/chats/:id/messages/:messageId",
    summary: "Delete a message for everyone here (its content stays only in the activity log)",
    tag: "Chats",
    access: requires("messages.delete"),
    params: MessageParams,
    // The file goes after the commit: a deletion rolled back keeps the file its message shows.
    ownTransactions: true,
    responses: {
      200: "{deleted: true, notice}: notice says plainly when WhatsApp already has the message (deleting here does not unsend it), else null",
      403: "messages.delete does not cover this chat",
      404: "No such chat or message, or the message is already deleted",
    },
    async handler(context) {
      const { actor, params, services } = context;
      const db = services.database.db;
      const chat = await loadVisibleChat(db, actor, params.id);
      authorize(actor, "messages.delete", chatRecord(chat));
      const deletion = await db.transaction((tx) => deleteMessage(tx, context, chat, params.messageId));
      await deleteStoredFiles(services.mediaStorage, deletion.storageKeys, services.logger);
      return { status: 200, body: { deleted: true, notice: deletion.notice } };
    },
  }),
];
