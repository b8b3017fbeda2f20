import { and, eq, ne, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { campaignRecipients, campaignSettings, campaigns } from "../db/schema";
import { HttpProblem } from "../http/problem";

// Messaging limits are per business portfolio and shared by every number (whatsapp.md §5), so
// one member's broadcast could use up everyone's. The caps below are counted per UTC day: a
// campaign counts on the day it is launched, for every recipient it will or did send to —
// recipients skipped by a cancel or a rejection give their share back.

export type CampaignSettings = { dailyRecipientCap: number | null; roleDailyCaps: Record<string, number>; approvalThreshold: number | null };

const unlimited: CampaignSettings = { dailyRecipientCap: null, roleDailyCaps: {}, approvalThreshold: null };

/** The workspace's guard rails (no row yet: no caps, no approval). */
export async function readCampaignSettings(db: Executor, workspaceId: string): Promise<CampaignSettings> {
  const [row] = await db.select().from(campaignSettings).where(eq(campaignSettings.workspaceId, workspaceId));
  return row ? { dailyRecipientCap: row.dailyRecipientCap, roleDailyCaps: row.roleDailyCaps, approvalThreshold: row.approvalThreshold } : unlimited;
}

/**
 * Reads the guard rails and locks them for this transaction: concurrent launches in one
 * workspace check their caps one after the other, so two can't both fit in the last slot.
 */
export async function lockCampaignSettings(tx: Executor, workspaceId: string): Promise<CampaignSettings> {
  await tx.insert(campaignSettings).values({ workspaceId }).onConflictDoNothing();
  const [row] = await tx.select().from(campaignSettings).where(eq(campaignSettings.workspaceId, workspaceId)).for("update");
  return row ? { dailyRecipientCap: row.dailyRecipientCap, roleDailyCaps: row.roleDailyCaps, approvalThreshold: row.approvalThreshold } : unlimited;
}

const startOfUtcDay = sql`date_trunc('day', now() at time zone 'utc') at time zone 'utc'`;

/** Campaign recipients launched today (UTC) in the workspace, or by one member. */
export async function recipientsLaunchedToday(db: Executor, workspaceId: string, createdBy?: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(campaignRecipients)
    .innerJoin(campaigns, and(eq(campaigns.workspaceId, campaignRecipients.workspaceId), eq(campaigns.id, campaignRecipients.campaignId)))
    .where(
      and(
        eq(campaigns.workspaceId, workspaceId),
        sql`${campaigns.createdAt} >= ${startOfUtcDay}`,
        createdBy ? eq(campaigns.createdBy, createdBy) : undefined,
        ne(campaignRecipients.status, "skipped"),
      ),
    );
  return Number(row?.n ?? 0);
}

/** Seconds until the caps reset (midnight UTC), for Retry-After. */
export function secondsUntilUtcMidnight(now = new Date()): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
}

/**
 * Refuses (429, Retry-After until midnight UTC) a launch of `size` recipients that would take the
 * workspace past its daily cap, or the member past the daily cap of their role.
 */
export async function assertWithinCaps(
  tx: Executor,
  settings: CampaignSettings,
  launcher: { workspaceId: string; memberId: string; roleId: string; roleName: string },
  size: number,
): Promise<void> {
  const overCap = (detail: string) =>
    new HttpProblem(429, "rate_limited", "Daily campaign cap reached", detail, { retryAfterSeconds: secondsUntilUtcMidnight() });
  if (settings.dailyRecipientCap !== null) {
    const used = await recipientsLaunchedToday(tx, launcher.workspaceId);
    if (used + size > settings.dailyRecipientCap) {
      throw overCap(
        `The workspace may send campaigns to ${settings.dailyRecipientCap} recipients a day (UTC); ${used} are used today and this campaign has ${size}.`,
      );
    }
  }
  const roleCap = settings.roleDailyCaps[launcher.roleId];
  if (roleCap !== undefined) {
    const used = await recipientsLaunchedToday(tx, launcher.workspaceId, launcher.memberId);
    if (used + size > roleCap) {
      throw overCap(
        `Your role (${launcher.roleName}) may send campaigns to ${roleCap} recipients a day (UTC); you used ${used} today and this campaign has ${size}.`,
      );
    }
  }
}
