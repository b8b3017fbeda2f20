import type { ListedMember } from "../api/types";
import { useApiList, useApiQuery } from "../api/use-api-query";
import { useHashQuery } from "../routing/hash-route";
import { useMe } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";
import { ApiKeyCard } from "./ApiKeyCard";
import { HubspotWorkspaceCard } from "./HubspotWorkspaceCard";
import { MarketplaceInstallCard } from "./MarketplaceInstallCard";
import { MyPipedriveCard } from "./MyPipedriveCard";
import { readOAuthOutcome } from "./oauth-outcome";
import { PipedriveUsersTable } from "./PipedriveUsersTable";
import { PipedriveWorkspaceCard } from "./PipedriveWorkspaceCard";
import type { MyPipedrive, PipedriveUser, WorkspaceHubspot, WorkspacePipedrive } from "./types";
import { WebhooksCard } from "./WebhooksCard";

/**
 * Integrations: every member sees their own Pipedrive link; the workspace connections (Pipedrive,
 * HubSpot) and the user mapping show with integrations.workspace. The CRMs' OAuth callbacks land
 * here with their outcome.
 */
export function IntegrationsPage() {
  const { permissions } = useMe();
  const canManage = permissions["integrations.workspace"];
  const outcome = readOAuthOutcome(useHashQuery());
  const workspace = useApiQuery<{ pipedrive: WorkspacePipedrive; hubspot: WorkspaceHubspot }>(canManage ? "/integrations" : null);
  const mine = useApiQuery<{ pipedrive: MyPipedrive }>("/me/integrations");
  const members = useApiList<ListedMember>(canManage ? "/members?limit=200" : null);
  const connected = workspace.data && workspace.data.pipedrive.status !== "not_connected";
  const users = useApiQuery<{ data: PipedriveUser[] }>(canManage && connected ? "/integrations/pipedrive/users" : null);
  const memberName = (id: string) => members.data?.find((member) => member.id === id)?.name ?? "a former member";

  const reloadAll = () => {
    workspace.reload();
    mine.reload();
    users.reload();
  };
  // Replacing (not pushing) the hash: Back does not bring the message back.
  const dismissOutcome = () => window.location.replace("#/integrations");

  return (
    <>
      <h1>Integrations</h1>
      {outcome && (
        <div className={outcome.kind === "success" ? "success" : "problem"} role={outcome.kind === "success" ? "status" : "alert"}>
          {outcome.message}{" "}
          <button type="button" className="link-button" onClick={dismissOutcome}>
            Dismiss
          </button>
        </div>
      )}
      <h2>Pipedrive</h2>
      <ProblemMessage problem={workspace.problem ?? mine.problem ?? members.problem ?? users.problem} />
      <MarketplaceInstallCard canLink={canManage} onLinked={reloadAll} />
      {canManage && workspace.data && <PipedriveWorkspaceCard connection={workspace.data.pipedrive} memberName={memberName} onChanged={reloadAll} />}
      {mine.data && <MyPipedriveCard mine={mine.data.pipedrive} canConnect={permissions["integrations.individual"]} onChanged={reloadAll} />}
      {canManage && users.data && members.data && <PipedriveUsersTable users={users.data.data} members={members.data} onChanged={reloadAll} />}
      <h2>HubSpot</h2>
      {canManage && workspace.data && <HubspotWorkspaceCard connection={workspace.data.hubspot} memberName={memberName} onChanged={reloadAll} />}
      {!canManage && (
        <section className="card" aria-label="HubSpot">
          <p>An Owner or Admin connects the workspace's HubSpot account here; the WhatsApp card then appears on HubSpot contacts and deals.</p>
        </section>
      )}
      <h2>Webhooks and API</h2>
      {canManage ? (
        <>
          <WebhooksCard memberName={memberName} />
          <ApiKeyCard memberName={memberName} />
        </>
      ) : (
        <section className="card" aria-label="Webhooks and API">
          <p>An Owner or Admin sets up outgoing webhooks and the workspace API key here.</p>
        </section>
      )}
    </>
  );
}
