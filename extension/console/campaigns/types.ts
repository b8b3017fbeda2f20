// The campaign screens' shapes, as the API presents them. Only *types* come from server/.
import type { presentCampaign, presentTemplate } from "../../../server/campaigns/presenters";
import type { previewCampaign } from "../../../server/campaigns/preview";

/** What the caller may do with one campaign now, decided by the server (its rules and the campaign's state). */
export type CampaignAbilities = { pause: boolean; resume: boolean; cancel: boolean; approve: boolean; report: boolean };
/** A campaign of GET /campaigns, GET /campaigns/{id} and `campaign.progress`: always with the viewer's abilities. */
export type Campaign = Omit<ReturnType<typeof presentCampaign>, "abilities"> & { abilities: CampaignAbilities };
export type CampaignStatus = Campaign["status"];
export type Template = Omit<ReturnType<typeof presentTemplate>, "abilities">;
/** POST /campaigns/preview. */
export type CampaignPreview = Awaited<ReturnType<typeof previewCampaign>>;
/** GET /campaign-settings: the guard rails and today's use (UTC). */
export type CampaignSettings = {
  dailyRecipientCap: number | null;
  roleDailyCaps: Record<string, number>;
  approvalThreshold: number | null;
  today: { workspaceRecipients: number; yourRecipients: number; yourCap: number | null };
};
