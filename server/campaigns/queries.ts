import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { campaignRecipients, campaigns, type templates, whatsappAccounts } from "../db/schema";
import { notFound } from "../http/problem";
import { timestampText } from "../http/schemas";
import type { Principal } from "../identity/tokens";
import type { AccountRow } from "../inbox/providers";
import { accountScope, type OwnedRecord, scope } from "../permissions";

export type CampaignRow = typeof campaigns.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;
/** A campaign with what its rules and presenter need from its account. */
export type CampaignWithAccount = CampaignRow & {
  createdAtText: string;
  accountConnectedBy: string;
  accountPhoneNumber: string;
  accountStatus: "connected" | "disconnected";
};

/** Each recipient counted once, by its current status (`claimed` and `sending` count as queued). */
export type CampaignCounts = { queued: number; sent: number; delivered: number; read: number; failed: number; skipped: number };

export const campaignsWithAccount = (db: Executor) =>
  db
    .select({
      campaign: campaigns,
      createdAtText: timestampText(campaigns.createdAt),
      accountConnectedBy: whatsappAccounts.connectedBy,
      accountPhoneNumber: whatsappAccounts.phoneNumber,
      accountStatus: whatsappAccounts.status,
    })
    .from(campaigns)
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, campaigns.workspaceId), eq(whatsappAccounts.id, campaigns.accountId)));

export function flattenCampaign(row: Omit<CampaignWithAccount, keyof CampaignRow> & { campaign: CampaignRow }): CampaignWithAccount {
  const { campaign, ...account } = row;
  return { ...campaign, ...account };
}

/** The record campaigns.reports is decided on: a campaign is owned by its creator. */
export function campaignRecord(row: { workspaceId: string; createdBy: string }): OwnedRecord {
  return { workspaceId: row.workspaceId, ownerId: row.createdBy };
}

/** Loads a campaign the actor may see (campaigns.reports), or answers 404. */
export async function loadVisibleCampaign(
  db: Executor,
  actor: Principal,
  campaignId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CampaignWithAccount> {
  const query = campaignsWithAccount(db).where(
    and(eq(campaigns.workspaceId, actor.workspaceId), eq(campaigns.id, campaignId), scope(actor, "campaigns.reports")),
  );
  const [row] = options.forUpdate ? await query.for("update", { of: campaigns }) : await query;
  if (!row) throw notFound("campaign");
  return flattenCampaign(row);
}

/** Loads any campaign of a workspace (for the dispatcher and live updates, not for members). */
export async function loadCampaign(db: Executor, workspaceId: string, campaignId: string): Promise<CampaignWithAccount | null> {
  const [row] = await campaignsWithAccount(db).where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, campaignId)));
  return row ? flattenCampaign(row) : null;
}

const emptyCounts = (): CampaignCounts => ({ queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0 });

/** Progress of several campaigns of one workspace, in one grouped query. */
export async function countsOf(db: Executor, workspaceId: string, campaignIds: string[]): Promise<Map<string, CampaignCounts>> {
  const counts = new Map(campaignIds.map((id) => [id, emptyCounts()]));
  if (campaignIds.length === 0) return counts;
  const rows = await db
    .select({ campaignId: campaignRecipients.campaignId, status: campaignRecipients.status, n: sql<number>`count(*)::int` })
    .from(campaignRecipients)
    .where(and(eq(campaignRecipients.workspaceId, workspaceId), inArray(campaignRecipients.campaignId, campaignIds)))
    .groupBy(campaignRecipients.campaignId, campaignRecipients.status);
  for (const row of rows) {
    const target = counts.get(row.campaignId);
    if (!target) continue;
    const key = row.status === "sending" || row.status === "claimed" ? "queued" : row.status;
    target[key] += Number(row.n);
  }
  return counts;
}

/**
 * Loads an account for mass sending or template sync: one the actor sees, or one their
 * campaigns.send covers (a sender need not see its chats); otherwise 404.
 */
export async function loadAccountForCampaigns(db: Executor, actor: Principal, accountId: string): Promise<AccountRow> {
  const [account] = await db
    .select()
    .from(whatsappAccounts)
    .where(
      and(eq(whatsappAccounts.workspaceId, actor.workspaceId), eq(whatsappAccounts.id, accountId), or(accountScope(actor), scope(actor, "campaigns.send"))),
    );
  if (!account) throw notFound("WhatsApp account");
  return account;
}
