import { and, asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { campaignRecipients, campaigns, whatsappAccounts } from "../db/schema";
import { newId } from "../ids";
import type { LaneCampaign, RecipientRow } from "./delivery";
import { unknownAfterRestart } from "./delivery";

// The campaign_recipients table is the queue: `queued` rows wait; a lane `claimed` one and waits
// for a send slot; `sending` rows took their slot and are in flight (committed before the provider
// call: the idempotency record); every other status is final.

type CampaignKey = { workspaceId: string; campaignId: string };
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/**
 * Claims the campaign's next queued recipient — SELECT … FOR UPDATE SKIP LOCKED, so processes
 * never take the same row — as `claimed` since the database time, in one committed statement.
 * Only while the campaign runs and its account is connected; null when none is left.
 */
export async function claimNextRecipient(db: Executor, workspaceId: string, campaignId: string): Promise<RecipientRow | null> {
  const [claimed] = await db
    .update(campaignRecipients)
    .set({
      status: "claimed",
      sendingAt: sql`clock_timestamp()`,
      attempts: sql`${campaignRecipients.attempts} + 1`,
      messageId: sql`coalesce(${campaignRecipients.messageId}, ${newId("msg")})`,
    })
    .where(
      sql`(${campaignRecipients.workspaceId}, ${campaignRecipients.campaignId}, ${campaignRecipients.seq}) = (
        select candidate.workspace_id, candidate.campaign_id, candidate.seq from ${campaignRecipients} as candidate
        where candidate.workspace_id = ${workspaceId} and candidate.campaign_id = ${campaignId} and candidate.status = 'queued'
          and exists (
            select 1 from ${campaigns} as live_campaign
            join ${whatsappAccounts} as live_account on live_account.workspace_id = live_campaign.workspace_id and live_account.id = live_campaign.account_id
            where live_campaign.workspace_id = candidate.workspace_id and live_campaign.id = candidate.campaign_id
              and live_campaign.status = 'running' and live_account.status = 'connected')
        order by candidate.seq
        limit 1
        for update of candidate skip locked)`,
    )
    .returning();
  return claimed ?? null;
}

const recipientKey = (recipient: RecipientRow) =>
  and(
    eq(campaignRecipients.workspaceId, recipient.workspaceId),
    eq(campaignRecipients.campaignId, recipient.campaignId),
    eq(campaignRecipients.seq, recipient.seq),
  );

/**
 * Turns a claim into `sending` at its slot's time — committed before the provider call, this is
 * the recipient's idempotency record — only while its campaign still runs. False when the
 * campaign was paused or cancelled meanwhile.
 */
export async function markSending(tx: Executor, recipient: RecipientRow, slotAt: Date): Promise<boolean> {
  const marked = await tx
    .update(campaignRecipients)
    .set({ status: "sending", sendingAt: slotAt })
    .where(
      and(
        recipientKey(recipient),
        eq(campaignRecipients.status, "claimed"),
        sql`exists (select 1 from ${campaigns} where ${campaigns.workspaceId} = ${campaignRecipients.workspaceId} and ${campaigns.id} = ${campaignRecipients.campaignId} and ${campaigns.status} = 'running')`,
      ),
    )
    .returning({ seq: campaignRecipients.seq });
  return marked.length === 1;
}

/** Gives back a claim that never reached the provider (stopping, or the campaign paused): queued again. */
export async function releaseClaim(db: Executor, recipient: RecipientRow): Promise<void> {
  await db
    .update(campaignRecipients)
    .set({ status: "queued", sendingAt: null, attempts: sql`${campaignRecipients.attempts} - 1` })
    .where(and(recipientKey(recipient), eq(campaignRecipients.status, "claimed")));
}

/** The account's oldest running campaign that still has queued recipients (lanes send it first). */
export async function nextRunningCampaign(db: Executor, workspaceId: string, accountId: string): Promise<LaneCampaign | null> {
  const [row] = await db
    .select({ workspaceId: campaigns.workspaceId, id: campaigns.id, createdBy: campaigns.createdBy, template: campaigns.template })
    .from(campaigns)
    .where(
      and(
        eq(campaigns.workspaceId, workspaceId),
        eq(campaigns.accountId, accountId),
        eq(campaigns.status, "running"),
        sql`exists (select 1 from ${campaignRecipients} where ${campaignRecipients.workspaceId} = ${campaigns.workspaceId} and ${campaignRecipients.campaignId} = ${campaigns.id} and ${campaignRecipients.status} = 'queued')`,
      ),
    )
    .orderBy(asc(campaigns.createdAt), asc(campaigns.id))
    .limit(1);
  if (!row?.template) return null;
  return { workspaceId: row.workspaceId, id: row.id, createdBy: row.createdBy, template: row.template };
}

/** Accounts (of any workspace) with a running campaign: where this process should run lanes. */
export async function accountsWithRunningCampaigns(db: Executor): Promise<{ workspaceId: string; accountId: string }[]> {
  return db
    .selectDistinct({ workspaceId: campaigns.workspaceId, accountId: campaigns.accountId })
    .from(campaigns)
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, campaigns.workspaceId), eq(whatsappAccounts.id, campaigns.accountId)))
    .where(and(eq(campaigns.status, "running"), eq(whatsappAccounts.status, "connected")));
}

/**
 * Cleans up after a process that died, once its rows are older than `olderThanMs` (longer than
 * any live send): a `claimed` recipient never reached the provider and is queued again; a
 * `sending` one was in flight — the message may have gone out — so it is failed as "outcome
 * unknown" and never sent again.
 */
export async function recoverAbandonedSends(db: Executor, olderThanMs: number): Promise<CampaignKey[]> {
  const age = sql.raw(`interval '${Math.round(olderThanMs)} milliseconds'`);
  const requeued = await db.execute(sql`
    update ${campaignRecipients} set status = 'queued', sending_at = null, attempts = attempts - 1
    where ${campaignRecipients.status} = 'claimed' and ${campaignRecipients.sendingAt} < clock_timestamp() - ${age}
    returning workspace_id as "workspaceId", campaign_id as "campaignId"`);
  const failed = await db.execute(sql`
    update ${campaignRecipients} set status = 'failed', error = ${unknownAfterRestart}
    where ${campaignRecipients.status} = 'sending' and ${campaignRecipients.sendingAt} < clock_timestamp() - ${age}
    returning workspace_id as "workspaceId", campaign_id as "campaignId"`);
  return distinct([...rowsOf<CampaignKey>(requeued), ...rowsOf<CampaignKey>(failed)]);
}

/** Scheduled campaigns whose time has come start running. */
export async function startDueCampaigns(db: Executor): Promise<CampaignKey[]> {
  return db
    .update(campaigns)
    .set({ status: "running", startedAt: sql`coalesce(${campaigns.startedAt}, now())` })
    .where(and(eq(campaigns.status, "scheduled"), sql`coalesce(${campaigns.scheduledAt}, '-infinity') <= now()`))
    .returning({ workspaceId: campaigns.workspaceId, campaignId: campaigns.id });
}

/** Running campaigns with nothing queued or in flight are completed. */
export async function completeFinishedCampaigns(db: Executor): Promise<CampaignKey[]> {
  const nothingLeft = (status: "queued" | "claimed" | "sending") =>
    sql`not exists (select 1 from ${campaignRecipients} where ${campaignRecipients.workspaceId} = ${campaigns.workspaceId} and ${campaignRecipients.campaignId} = ${campaigns.id} and ${campaignRecipients.status} = ${status})`;
  return db
    .update(campaigns)
    .set({ status: "completed", finishedAt: sql`now()` })
    .where(and(eq(campaigns.status, "running"), nothingLeft("queued"), nothingLeft("claimed"), nothingLeft("sending")))
    .returning({ workspaceId: campaigns.workspaceId, campaignId: campaigns.id });
}

/** Running campaigns of a disconnected account pause, saying why, until a member resumes them. */
export async function pauseCampaignsOfDisconnectedAccounts(db: Executor): Promise<CampaignKey[]> {
  return db
    .update(campaigns)
    .set({ status: "paused", statusReason: "The WhatsApp account is disconnected; reconnect it, then resume the campaign." })
    .where(
      and(
        eq(campaigns.status, "running"),
        sql`exists (select 1 from ${whatsappAccounts} where ${whatsappAccounts.workspaceId} = ${campaigns.workspaceId} and ${whatsappAccounts.id} = ${campaigns.accountId} and ${whatsappAccounts.status} = 'disconnected')`,
      ),
    )
    .returning({ workspaceId: campaigns.workspaceId, campaignId: campaigns.id });
}

function distinct(keys: CampaignKey[]): CampaignKey[] {
  return [...new Map(keys.map((key) => [`${key.workspaceId}:${key.campaignId}`, key])).values()];
}
