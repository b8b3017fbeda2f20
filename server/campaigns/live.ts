import type { Principal } from "../identity/tokens";
import { can } from "../permissions";
import type { Services } from "../services";
import { presentCampaign } from "./presenters";
import { campaignRecord, countsOf, loadCampaign } from "./queries";

/** What one live-updates subscriber receives for `campaign.progress`: null unless its reports are theirs to see. */
export async function renderCampaignProgress(services: Services, viewer: Principal, event: { workspaceId: string; campaignId: string }) {
  const db = services.database.db;
  const campaign = await loadCampaign(db, event.workspaceId, event.campaignId);
  if (!campaign || !can(viewer, "campaigns.reports", campaignRecord(campaign))) return null;
  const counts = await countsOf(db, event.workspaceId, [campaign.id]);
  return {
    type: "campaign.progress",
    campaign: presentCampaign(campaign, counts.get(campaign.id) ?? { queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0 }, viewer),
  };
}
