import { desc } from "drizzle-orm";
import { chats } from "../db/schema";
import { toCsv } from "../http/csv";
import { requires, route } from "../http/route";
import { presentPhone, scope } from "../permissions";
import { type ChatRow, chatsWithAccount } from "./queries";

const exportLimit = 100_000;

export const exportRoutes = [
  route({
    method: "get",
    path: "/exports/chats",
    summary: "The chats the caller may see, as CSV (numbers masked without contacts.view_numbers; the download is logged)",
    tag: "Exports",
    access: requires("data.export"),
    responses: { 200: "text/csv" },
    async handler({ actor, db, audit }) {
      const rows = (await chatsWithAccount(db)
        .where(scope(actor, "chats.view"))
        .orderBy(desc(chats.lastMessageAt), desc(chats.id))
        .limit(exportLimit)) as ChatRow[];
      await audit({ action: "export.chats", targetType: "workspace", targetId: actor.workspaceId, details: { rows: rows.length } });
      const csv = toCsv(
        rows.map((row) => ({
          id: row.id,
          accountId: row.accountId,
          contactPhone: presentPhone(actor, row.contactPhone),
          contactName: row.contactName,
          responsibleId: row.responsibleId,
          lastMessageAt: row.lastMessageAt.toISOString(),
          lastMessagePreview: row.lastMessagePreview,
        })),
        {
          columns: ["id", "accountId", "contactPhone", "contactName", "responsibleId", "lastMessageAt", "lastMessagePreview"],
          phoneColumns: ["contactPhone"],
        },
      );
      return { status: 200, csv, filename: "chats.csv" };
    },
  }),
];
