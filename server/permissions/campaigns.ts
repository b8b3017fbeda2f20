import { type Actor, can, holds, PermissionDenied } from "./engine";
import type { AccountRecord } from "./rules";

// Who may steer a campaign once it exists. Seeing it is campaigns.reports (scope/can on the
// campaign, 404 outside it); these rules decide what a member who sees it may do.

export type CampaignRecord = { workspaceId: string; createdBy: string };

/**
 * Pause or cancel (stopping sends): the campaign's creator, or a member whose campaigns.send
 * covers its account. Stopping never sends anything, so the creator keeps it even if their
 * role no longer lets them start campaigns from that account.
 */
export function canStopCampaign(actor: Actor, campaign: CampaignRecord, account: AccountRecord): boolean {
  if (actor.status !== "active" || campaign.workspaceId !== actor.workspaceId) return false;
  return campaign.createdBy === actor.memberId || can(actor, "campaigns.send", account);
}

/** Resume (sends again): campaigns.send must cover the account now, for the creator too. */
export function canResumeCampaign(actor: Actor, account: AccountRecord): boolean {
  return can(actor, "campaigns.send", account);
}

/** Approve or reject a campaign waiting for approval: members who manage the team. */
export function canApproveCampaign(actor: Actor): boolean {
  return holds(actor, "team.manage");
}

/**
 * A campaign larger than the workspace's approval threshold waits for a member with
 * team.manage, unless its launcher holds team.manage (they would approve it themselves).
 */
export function launchNeedsApproval(actor: Actor, recipientCount: number, approvalThreshold: number | null): boolean {
  return approvalThreshold !== null && recipientCount > approvalThreshold && !canApproveCampaign(actor);
}

/** Throws the 403 for a stop (pause/cancel) the actor may not make. */
export function authorizeStop(actor: Actor, campaign: CampaignRecord, account: AccountRecord): void {
  if (!canStopCampaign(actor, campaign, account)) {
    throw new PermissionDenied(
      "campaigns.send",
      "Only the campaign's creator, or a member whose campaigns.send covers its WhatsApp account, may pause or cancel it.",
    );
  }
}

/** Throws the 403 for a resume the actor may not make. */
export function authorizeResume(actor: Actor, account: AccountRecord): void {
  if (!canResumeCampaign(actor, account)) {
    throw new PermissionDenied("campaigns.send", "Resuming sends messages again: your campaigns.send must cover this campaign's WhatsApp account.");
  }
}

/** The abilities shipped with a campaign, so the UI never re-derives these rules. */
export function campaignAbilities(actor: Actor, campaign: CampaignRecord, account: AccountRecord) {
  const stop = canStopCampaign(actor, campaign, account);
  return { pause: stop, cancel: stop, resume: canResumeCampaign(actor, account), approve: canApproveCampaign(actor), report: true };
}
