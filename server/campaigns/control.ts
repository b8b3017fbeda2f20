import { and, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { campaignRecipients, type campaignStatuses, campaigns } from "../db/schema";
import { publish } from "../events/bus";
import { conflict } from "../http/problem";
import type { Context } from "../http/route";
import type { Principal } from "../identity/tokens";
import { authorizeResume, authorizeStop, canApproveCampaign, PermissionDenied } from "../permissions";
import { type CampaignWithAccount, loadCampaign, loadVisibleCampaign } from "./queries";

type CampaignStatus = (typeof campaignStatuses)[number];
export const campaignTransitions = ["pause", "resume", "cancel", "approve", "reject"] as const;
export type CampaignTransition = (typeof campaignTransitions)[number];

/** The states each transition leaves from; anything else is a 409. */
const leavesFrom: Record<CampaignTransition, readonly CampaignStatus[]> = {
  pause: ["scheduled", "running"],
  resume: ["paused"],
  cancel: ["awaiting_approval", "scheduled", "running", "paused"],
  approve: ["awaiting_approval"],
  reject: ["awaiting_approval"],
};
const pastTense: Record<CampaignTransition, string> = { pause: "paused", resume: "resumed", cancel: "cancelled", approve: "approved", reject: "rejected" };

type ControlContext = Pick<Context<unknown, unknown, unknown, Principal>, "actor" | "db" | "audit">;

/**
 * Pauses, resumes, cancels, approves or rejects a campaign, in the request's transaction with
 * its activity-log entry. Order of decisions: not visible (campaigns.reports) → 404; may not
 * (see server/permissions/campaigns.ts) → 403; wrong state → 409. Sends already in flight end
 * normally; a cancel or rejection skips every recipient not yet sending.
 */
export async function transitionCampaign(context: ControlContext, campaignId: string, transition: CampaignTransition): Promise<CampaignWithAccount> {
  const { actor, db, audit } = context;
  const campaign = await loadVisibleCampaign(db, actor, campaignId, { forUpdate: true });
  const account = { workspaceId: campaign.workspaceId, id: campaign.accountId, connectedBy: campaign.accountConnectedBy };
  if (transition === "pause" || transition === "cancel") authorizeStop(actor, campaign, account);
  if (transition === "resume") authorizeResume(actor, account);
  if ((transition === "approve" || transition === "reject") && !canApproveCampaign(actor)) {
    throw new PermissionDenied("team.manage", "Only members who manage the team may approve or reject campaigns.");
  }
  if (!leavesFrom[transition].includes(campaign.status)) {
    throw conflict(`The campaign is ${campaign.status.replace("_", " ")}; it cannot be ${pastTense[transition]}.`);
  }
  if ((transition === "resume" || transition === "approve") && campaign.accountStatus !== "connected") {
    throw conflict(`The WhatsApp account ${campaign.accountPhoneNumber} is disconnected; reconnect it first.`);
  }
  const startsLater = campaign.scheduledAt !== null && campaign.scheduledAt.getTime() > Date.now();
  const go: CampaignStatus = startsLater ? "scheduled" : "running";
  const changes: Partial<typeof campaigns.$inferInsert> = {
    pause: { status: "paused" as const, statusReason: `Paused by ${actor.name}` },
    resume: { status: go, statusReason: null },
    cancel: { status: "cancelled" as const, statusReason: `Cancelled by ${actor.name}`, finishedAt: new Date() },
    approve: { status: go, approvedBy: actor.memberId, statusReason: null },
    reject: { status: "cancelled" as const, statusReason: `Rejected by ${actor.name}`, finishedAt: new Date() },
  }[transition];
  if (changes.status === "running") Object.assign(changes, { startedAt: sql`coalesce(${campaigns.startedAt}, now())` });
  await db
    .update(campaigns)
    .set(changes)
    .where(and(eq(campaigns.workspaceId, actor.workspaceId), eq(campaigns.id, campaign.id)));
  const skipped = transition === "cancel" || transition === "reject" ? await skipQueued(db, campaign) : 0;
  await audit({
    action: `campaign.${transition}`,
    targetType: "campaign",
    targetId: campaign.id,
    details: { from: campaign.status, to: changes.status, ...(skipped ? { skipped } : {}) },
  });
  await publish(db, { type: "campaign.progress", workspaceId: actor.workspaceId, campaignId: campaign.id });
  const updated = await loadCampaign(db, actor.workspaceId, campaign.id);
  if (!updated) throw new Error("campaign vanished");
  return updated;
}

/** Recipients not yet sending are skipped (they give their share of the daily cap back). */
async function skipQueued(db: Executor, campaign: CampaignWithAccount): Promise<number> {
  const skipped = await db
    .update(campaignRecipients)
    .set({ status: "skipped", sendingAt: null })
    .where(
      and(
        eq(campaignRecipients.workspaceId, campaign.workspaceId),
        eq(campaignRecipients.campaignId, campaign.id),
        inArray(campaignRecipients.status, ["queued", "claimed"]),
      ),
    )
    .returning({ seq: campaignRecipients.seq });
  return skipped.length;
}
