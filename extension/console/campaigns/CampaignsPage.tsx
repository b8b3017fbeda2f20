import { useCallback, useState } from "react";
import type { ListedMember } from "../api/types";
import { useApiList } from "../api/use-api-query";
import type { WhatsAppAccount } from "../inbox/types";
import { useCampaignProgress, useLiveEvents } from "../live/LiveUpdatesProvider";
import { useMe } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";
import { CampaignBuilder } from "./CampaignBuilder";
import { CampaignCard } from "./CampaignCard";
import type { Campaign } from "./types";

/**
 * Campaigns: the ones GET /campaigns returns (the server's campaigns.reports scope — an Agent's
 * own, a Teammate's everyone's), kept current by `campaign.progress` on the live stream; the
 * approval queue for members who manage the team; the builder with campaigns.send.
 */
export function CampaignsPage() {
  const { permissions } = useMe();
  const mayLaunch = permissions["campaigns.send"] !== "none";
  const mayReport = permissions["campaigns.reports"] !== "none";
  const listed = useApiList<Campaign>(mayReport ? "/campaigns?limit=100" : null);
  const accounts = useApiList<WhatsAppAccount>("/whatsapp-accounts");
  const members = useApiList<ListedMember>("/members?limit=200");
  const [updated, setUpdated] = useState<Record<string, Campaign>>({});
  const [building, setBuilding] = useState(false);
  const [launchedNotice, setLaunchedNotice] = useState("");

  const known = new Set((listed.data ?? []).map((campaign) => campaign.id));
  const apply = useCallback((campaign: Campaign) => setUpdated((previous) => ({ ...previous, [campaign.id]: campaign })), []);
  useCampaignProgress((event) => {
    apply(event.campaign);
    if (!known.has(event.campaign.id)) listed.reload();
  });
  // After a reconnect events may have been missed: the list is read again, and it is the fresher.
  useLiveEvents((signal) => {
    if (signal.type !== "resync") return;
    setUpdated({});
    listed.reload();
  });

  // A campaign.progress event (or a control's answer) is newer than the list it updates.
  const campaigns = (listed.data ?? []).map((campaign) => updated[campaign.id] ?? campaign);
  const waiting = campaigns.filter((campaign) => campaign.status === "awaiting_approval" && campaign.abilities.approve);
  const others = campaigns.filter((campaign) => !waiting.includes(campaign));
  const accountLabel = (id: string) => {
    const account = accounts.data?.find((candidate) => candidate.id === id);
    return account ? `${account.displayName} (${account.phoneNumber})` : "a number you cannot see";
  };
  const memberName = (id: string) => members.data?.find((member) => member.id === id)?.name ?? "a former member";
  const card = (campaign: Campaign) => (
    <CampaignCard
      key={campaign.id}
      campaign={campaign}
      accountLabel={accountLabel(campaign.accountId)}
      creatorName={memberName(campaign.createdBy)}
      onChanged={apply}
    />
  );

  return (
    <>
      <div className="page-header">
        <h1>Campaigns</h1>
        {mayLaunch && !building && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              setBuilding(true);
              setLaunchedNotice("");
            }}
          >
            New campaign
          </button>
        )}
      </div>
      {launchedNotice && (
        <p className="notice" role="status">
          {launchedNotice}
        </p>
      )}
      {building && (
        <CampaignBuilder
          onClose={() => setBuilding(false)}
          onLaunched={(campaign) => {
            setBuilding(false);
            setLaunchedNotice(launchNotice(campaign));
            apply(campaign);
            listed.reload();
          }}
        />
      )}
      <ProblemMessage problem={listed.problem ?? accounts.problem ?? members.problem} />
      {waiting.length > 0 && (
        <section aria-label="Waiting for your approval">
          <h2>Waiting for your approval</h2>
          {waiting.map(card)}
        </section>
      )}
      {mayReport && (
        <section aria-label="Campaign list">
          <h2>{permissions["campaigns.reports"] === "all" ? "All campaigns" : "Your campaigns"}</h2>
          {listed.data && others.length === 0 && <p className="muted">No campaigns yet.</p>}
          {others.map(card)}
        </section>
      )}
      {!mayReport && <p className="muted">Your role does not show campaign reports: the campaigns you launch run without a page here.</p>}
    </>
  );
}

function launchNotice(campaign: Campaign): string {
  if (campaign.status === "awaiting_approval") return `${campaign.name} waits for approval by someone who manages the team.`;
  if (campaign.status === "scheduled") return `${campaign.name} is scheduled.`;
  return `${campaign.name} is sending.`;
}
