import { useState } from "react";
import { callApi } from "../api/client";
import type { JoinRequest, Role } from "../api/types";
import { useAction } from "../api/use-action";
import type { ApiQuery } from "../api/use-api-query";
import { SelectField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import { assignableRoleOptions } from "./role-options";

type JoinRequestsPanelProps = {
  roles: Role[] | undefined;
  joinRequests: ApiQuery<{ data: JoinRequest[] }>;
  /** Accepting adds a member, so the members list reloads too. */
  onMembersChanged(): void;
};

export function JoinRequestsPanel({ roles, joinRequests, onMembersChanged }: JoinRequestsPanelProps) {
  const pending = joinRequests.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="join-requests-heading">
      <h2 id="join-requests-heading">Join requests</h2>
      <ProblemMessage problem={joinRequests.problem} />
      {pending.length === 0 ? (
        <p className="muted">No pending join requests.</p>
      ) : (
        <table className="data-table" aria-label="Join requests">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Asked</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((request) => (
              <JoinRequestRow
                key={request.id}
                request={request}
                roles={roles}
                onDecided={(accepted) => {
                  joinRequests.reload();
                  if (accepted) onMembersChanged();
                }}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function JoinRequestRow({ request, roles, onDecided }: { request: JoinRequest; roles: Role[] | undefined; onDecided(accepted: boolean): void }) {
  const decide = useAction();
  const roleOptions = assignableRoleOptions(roles);
  const [roleId, setRoleId] = useState("");
  const chosenRoleId = roleId || roleOptions.find((option) => option.value === "teammate")?.value || roleOptions[0]?.value || "";
  const accept = () =>
    void decide.run(async () => {
      await callApi("POST", `/join-requests/${request.id}/accept`, { roleId: chosenRoleId });
      onDecided(true);
    });
  const reject = () =>
    void decide.run(async () => {
      await callApi("POST", `/join-requests/${request.id}/reject`);
      onDecided(false);
    });

  return (
    <tr>
      <td>{request.name}</td>
      <td>{request.email}</td>
      <td>{new Date(request.createdAt).toLocaleString()}</td>
      <td>
        <div className="row-actions">
          <SelectField label={`Role for ${request.name}`} hideLabel value={chosenRoleId} options={roleOptions} onChange={setRoleId} />
          <button type="button" className="primary" aria-label={`Accept ${request.name}`} disabled={decide.pending} onClick={accept}>
            Accept
          </button>
          <button type="button" className="danger" aria-label={`Reject ${request.name}`} disabled={decide.pending} onClick={reject}>
            Reject
          </button>
          <ProblemMessage problem={decide.problem} />
        </div>
      </td>
    </tr>
  );
}
