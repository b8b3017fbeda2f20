import { CampaignControls } from "./CampaignControls";
import { formatTime, statusLabels } from "./format";
import { ProgressBars } from "./ProgressBars";
import type { Campaign } from "./types";

type Props = { campaign: Campaign; accountLabel: string; creatorName: string; onChanged(campaign: Campaign): void };

/** One campaign: what it sends from where, who launched it, where it stands, and what the member may do. */
export function CampaignCard({ campaign, accountLabel, creatorName, onChanged }: Props) {
  const template = campaign.template?.metaTemplateName
    ? `${campaign.template.metaTemplateName} (${campaign.template.metaLanguage})`
    : (campaign.template?.name ?? "a deleted template");
  return (
    <article className="campaign-card" aria-label={campaign.name}>
      <header className="campaign-card-header">
        <h3>{campaign.name}</h3>
        <span className={`campaign-status status-${campaign.status}`} data-testid="campaign-status">
          {statusLabels[campaign.status]}
        </span>
      </header>
      <p className="muted">
        {template} from {accountLabel} · {campaign.recipientCount} recipients · launched by {creatorName} on {formatTime(campaign.createdAt)}
        {campaign.status === "scheduled" && campaign.scheduledAt && <> · starts {formatTime(campaign.scheduledAt)}</>}
      </p>
      {campaign.statusReason && <p className="muted">{campaign.statusReason}</p>}
      <ProgressBars campaign={campaign} />
      <CampaignControls campaign={campaign} onChanged={onChanged} />
    </article>
  );
}
