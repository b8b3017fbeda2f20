import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { campaignRecipients } from "../db/schema";
import { toCsv } from "../http/csv";
import { type Actor, presentPhone, presentText } from "../permissions";

export const reportColumns = ["phone", "name", "status", "error", "sentAt", "deliveredAt", "readAt"] as const;

/** The campaign report: one CSV row per recipient, in the order they were given, numbers as `viewer` may see them. */
export async function campaignReportCsv(db: Executor, viewer: Actor, campaignId: string): Promise<{ csv: string; rows: number }> {
  const workspaceId = viewer.workspaceId;
  const recipients = await db
    .select()
    .from(campaignRecipients)
    .where(and(eq(campaignRecipients.workspaceId, workspaceId), eq(campaignRecipients.campaignId, campaignId)))
    .orderBy(asc(campaignRecipients.seq));
  const csv = toCsv(
    recipients.map((recipient) => ({
      phone: presentPhone(viewer, recipient.phone),
      name: recipient.name,
      status: recipient.status,
      error: presentText(viewer, recipient.error),
      sentAt: recipient.sentAt?.toISOString() ?? null,
      deliveredAt: recipient.deliveredAt?.toISOString() ?? null,
      readAt: recipient.readAt?.toISOString() ?? null,
    })),
    { columns: reportColumns, phoneColumns: ["phone"] },
  );
  return { csv, rows: recipients.length };
}
