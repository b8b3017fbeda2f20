import { type Actor, abilities, campaignAbilities } from "../permissions";
import type { CampaignCounts, CampaignWithAccount, TemplateRow } from "./queries";
import { variablesOf } from "./variables";

/** A template as the API shows it; with an actor, what they may do with it. */
export function presentTemplate(row: TemplateRow, actor?: Actor) {
  const record = { workspaceId: row.workspaceId, ownerId: row.ownerId };
  const allowed = actor ? abilities(actor, ["templates.use"], record).use : undefined;
  return {
    id: row.id,
    name: row.name,
    body: row.body,
    variables: variablesOf(row.body),
    ownerId: row.ownerId,
    source: row.source,
    metaTemplateName: row.metaTemplateName,
    metaLanguage: row.metaLanguage,
    metaStatus: row.metaStatus,
    metaCategory: row.metaCategory,
    accountId: row.accountId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(actor ? { abilities: { use: Boolean(allowed), edit: Boolean(allowed), delete: Boolean(allowed) } } : {}),
  };
}

/** A campaign with its progress; with an actor, what they may do with it. */
export function presentCampaign(row: CampaignWithAccount, counts: CampaignCounts, actor?: Actor) {
  const account = { workspaceId: row.workspaceId, id: row.accountId, connectedBy: row.accountConnectedBy };
  return {
    id: row.id,
    name: row.name,
    accountId: row.accountId,
    templateId: row.templateId,
    template: row.template ? { name: row.template.name, metaTemplateName: row.template.metaTemplateName, metaLanguage: row.template.metaLanguage } : null,
    createdBy: row.createdBy,
    status: row.status,
    statusReason: row.statusReason,
    scheduledAt: row.scheduledAt?.toISOString() ?? null,
    approvedBy: row.approvedBy,
    recipientCount: row.recipientCount,
    counts,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    ...(actor ? { abilities: liveAbilities(row, campaignAbilities(actor, row, account)) } : {}),
  };
}

/** What the rules allow, narrowed to what the campaign's state still permits. */
function liveAbilities(row: CampaignWithAccount, allowed: ReturnType<typeof campaignAbilities>) {
  const open = row.status !== "completed" && row.status !== "cancelled";
  return {
    pause: allowed.pause && (row.status === "running" || row.status === "scheduled"),
    resume: allowed.resume && row.status === "paused",
    cancel: allowed.cancel && open,
    approve: allowed.approve && row.status === "awaiting_approval",
    report: allowed.report,
  };
}
