import { loadOnce } from "../events/load-once";
import type { Principal } from "../identity/tokens";
import { can } from "../permissions";
import type { Services } from "../services";
import { presentCampaign } from "./presenters";
import { campaignRecord, countsOf, loadCampaign } from "./queries";

type ProgressEvent = { type: "campaign.progress"; workspaceId: string; campaignId: string };

/**
 * What one live-updates subscriber receives for `campaign.progress`: null unless its reports are
 * theirs to see. The campaign is read once per event for every stream, and its counts once, when
 * the first stream allowed to see them asks.
 */
export async function renderCampaignProgress(services: Services, viewer: Principal, event: ProgressEvent) {
  const db = services.database.db;
  const campaign = await loadOnce(event, "campaign", () => loadCampaign(db, event.workspaceId, event.campaignId));
  if (!campaign || !can(viewer, "campaigns.reports", campaignRecord(campaign))) return null;
  const counts = await loadOnce(event, "counts", () => countsOf(db, event.workspaceId, [campaign.id]));
  return {
    type: "campaign.progress",
    campaign: presentCampaign(campaign, counts.get(campaign.id) ?? { queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0 }, viewer),
  };
}
