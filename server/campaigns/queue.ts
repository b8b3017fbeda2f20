import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { campaignRecipients, campaigns, chats, contacts, whatsappAccounts } from "../db/schema";
import { newId } from "../ids";
import { claimRows } from "../jobs/claim";
import { type ClaimedRecipient, type LaneCampaign, type RecipientRow, unknownAfterRestart } from "./delivery";

// The campaign_recipients table is the queue: `queued` rows wait; a lane `claimed` one and waits
// for a send slot; `sending` rows took their slot and are in flight (committed before the provider
// call: the idempotency record); every other status is final.

type CampaignKey = { workspaceId: string; campaignId: string };
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/**
 * Claims up to `limit` of the campaign's next queued recipients — SELECT … FOR UPDATE SKIP LOCKED,
 * so processes never take the same row — as `claimed` since the database time, in one committed
 * statement. Only while the campaign runs and its account is connected; empty when none is left.
 */
export async function claimRecipients(db: Executor, workspaceId: string, campaignId: string, limit: number): Promise<RecipientRow[]> {
  const claimed = await claimRows<RecipientRow>(db, {
    table: campaignRecipients,
    key: [campaignRecipients.workspaceId, campaignRecipients.campaignId, campaignRecipients.seq],
    where: sql`candidate.workspace_id = ${workspaceId} and candidate.campaign_id = ${campaignId} and candidate.status = 'queued'
      and exists (
        select 1 from ${campaigns} as live_campaign
        join ${whatsappAccounts} as live_account on live_account.workspace_id = live_campaign.workspace_id and live_account.id = live_campaign.account_id
        where live_campaign.workspace_id = candidate.workspace_id and live_campaign.id = candidate.campaign_id
          and live_campaign.status = 'running' and live_account.status = 'connected')`,
    orderBy: sql`candidate.seq`,
    limit,
    set: { status: sql`'claimed'`, sendingAt: sql`clock_timestamp()`, attempts: sql`${campaignRecipients.attempts} + 1` },
  });
  return claimed.sort((a, b) => a.seq - b.seq);
}

/**
 * Makes sure every claimed recipient has a contact (by phone; a contact without a name takes the
 * recipient's) and a chat with it on the campaign's account — in three statements for the batch —
 * so recording each send is a write to known rows, and replies arrive in the same conversation.
 */
export async function ensureChats(db: Executor, accountId: string, recipients: RecipientRow[]): Promise<ClaimedRecipient[]> {
  const [first] = recipients;
  if (!first) return [];
  const workspaceId = first.workspaceId;
  const phones = recipients.map((recipient) => recipient.phone);
  await db
    .insert(contacts)
    .values(recipients.map((recipient) => ({ workspaceId, id: newId("ct"), phone: recipient.phone, name: recipient.name })))
    .onConflictDoUpdate({
      target: [contacts.workspaceId, contacts.phone],
      targetWhere: sql`${contacts.phone} is not null`,
      set: { name: sql`coalesce(${contacts.name}, excluded.name)` },
    });
  const newChats = JSON.stringify(phones.map((phone) => ({ id: newId("chat"), phone })));
  await db.execute(sql`
    insert into ${chats} (workspace_id, id, account_id, contact_id, contact_phone, contact_name)
    select ${workspaceId}, wanted.id, ${accountId}, contact.id, contact.phone, contact.name
    from jsonb_to_recordset(${newChats}::jsonb) as wanted(id text, phone text)
    join ${contacts} as contact on contact.workspace_id = ${workspaceId} and contact.phone = wanted.phone
    on conflict (workspace_id, account_id, contact_id) do nothing`);
  // Contacts through their phone index, then each one's chat by its unique key. Written so on
  // purpose: with a young table's statistics, a join lets the planner walk all of the account's
  // chats on every claim (measured: the campaign benchmark fell from 76 to 60 messages/s).
  const found = await db.execute(sql`
    select contact.phone,
      (select chat.id from ${chats} as chat
        where chat.workspace_id = contact.workspace_id and chat.account_id = ${accountId} and chat.contact_id = contact.id) as chat_id
    from ${contacts} as contact
    where contact.workspace_id = ${workspaceId} and contact.phone in ${phones}`);
  const chatOf = new Map(rowsOf<{ phone: string; chat_id: string | null }>(found).map((row) => [row.phone, row.chat_id]));
  return recipients.map((recipient) => {
    const chatId = chatOf.get(recipient.phone);
    if (!chatId) throw new Error(`No chat with ${recipient.phone} after creating it`);
    return { ...recipient, chatId };
  });
}

/**
 * The statement that turns a claim into `sending` at its slot's time, run inside the one that
 * takes the slot (server/whatsapp/pacing.ts): committed before the provider call, it is the
 * recipient's idempotency record. Only while its campaign still runs. It also fixes the id of the
 * message the recipient gets (kept across retries: the provider echoes it back).
 */
export function markSending(recipient: RecipientRow, messageId: string): (slotAt: SQL) => SQL {
  return (slotAt) => sql`
    update ${campaignRecipients} set status = 'sending', sending_at = ${slotAt}, message_id = coalesce(message_id, ${messageId})
    where workspace_id = ${recipient.workspaceId} and campaign_id = ${recipient.campaignId} and seq = ${recipient.seq}
      and status = 'claimed' and ${slotAt} is not null
      and exists (select 1 from ${campaigns} as live_campaign where live_campaign.workspace_id = ${recipient.workspaceId} and live_campaign.id = ${recipient.campaignId} and live_campaign.status = 'running')
    returning seq`;
}

/** Gives back claims that never reached the provider (stopping, or the campaign paused): queued again. */
export async function releaseClaims(db: Executor, recipients: RecipientRow[]): Promise<void> {
  for (const recipient of recipients) {
    await db
      .update(campaignRecipients)
      .set({ status: "queued", sendingAt: null, attempts: sql`${campaignRecipients.attempts} - 1` })
      .where(
        and(
          eq(campaignRecipients.workspaceId, recipient.workspaceId),
          eq(campaignRecipients.campaignId, recipient.campaignId),
          eq(campaignRecipients.seq, recipient.seq),
          eq(campaignRecipients.status, "claimed"),
        ),
      );
  }
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
