import type { JoinRequest, ListedMember, PendingInvitation, Role, Workspace } from "../api/types";
import { useApiList, useApiQuery } from "../api/use-api-query";
import { useMe, useSession } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";
import { InvitationsPanel } from "./InvitationsPanel";
import { JoinCodeCard } from "./JoinCodeCard";
import { JoinRequestsPanel } from "./JoinRequestsPanel";
import { MembersTable } from "./MembersTable";

export function TeamPage() {
  const me = useMe();
  const { refresh } = useSession();
  const canManage = me.permissions["team.manage"];
  const members = useApiList<ListedMember>("/members?limit=200");
  const roles = useApiQuery<{ data: Role[] }>("/roles");
  const invitations = useApiQuery<{ data: PendingInvitation[] }>(canManage ? "/invitations" : null);
  const joinRequests = useApiQuery<{ data: JoinRequest[] }>(canManage ? "/join-requests" : null);
  const workspace = useApiQuery<Workspace>(canManage ? "/workspace" : null);
  // A change to one's own role changes what the console may show: re-read /me too.
  const onMembersChanged = () => {
    members.reload();
    void refresh();
  };

  return (
    <>
      <h1>Team</h1>
      <section className="card" aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <ProblemMessage problem={members.problem ?? roles.problem} />
        {members.data ? (
          <MembersTable members={members.data} roles={roles.data?.data} canManage={canManage} currentMemberId={me.member.id} onChanged={onMembersChanged} />
        ) : (
          members.loading && <p className="muted">Loading members…</p>
        )}
      </section>
      {canManage && (
        <>
          <InvitationsPanel roles={roles.data?.data} invitations={invitations} />
          <JoinRequestsPanel roles={roles.data?.data} joinRequests={joinRequests} onMembersChanged={members.reload} />
          <JoinCodeCard workspace={workspace.data} />
        </>
      )}
    </>
  );
}
