import { useEffect, useState } from "react";
import { callApi } from "../api/client";
import type { ListedMember, Role } from "../api/types";
import { useAction } from "../api/use-action";
import { SelectField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import { assignableRoleOptions, roleNameOf } from "./role-options";

type MembersTableProps = {
  members: ListedMember[];
  roles: Role[] | undefined;
  /** team.manage from /me: shows the Actions column; each row's controls follow its abilities. */
  canManage: boolean;
  currentMemberId: string;
  onChanged(): void;
};

export function MembersTable({ members, roles, canManage, currentMemberId, onChanged }: MembersTableProps) {
  const showEmail = members.some((member) => member.email !== undefined);
  return (
    <table className="data-table" aria-label="Members">
      <thead>
        <tr>
          <th scope="col">Name</th>
          {showEmail && <th scope="col">Email</th>}
          <th scope="col">Role</th>
          <th scope="col">Status</th>
          {canManage && <th scope="col">Actions</th>}
        </tr>
      </thead>
      <tbody>
        {members.map((member) => (
          <MemberRow
            key={member.id}
            member={member}
            roles={roles}
            showEmail={showEmail}
            canManage={canManage}
            isCurrentMember={member.id === currentMemberId}
            onChanged={onChanged}
          />
        ))}
      </tbody>
    </table>
  );
}

type MemberRowProps = {
  member: ListedMember;
  roles: Role[] | undefined;
  showEmail: boolean;
  canManage: boolean;
  isCurrentMember: boolean;
  onChanged(): void;
};

function MemberRow({ member, roles, showEmail, canManage, isCurrentMember, onChanged }: MemberRowProps) {
  const change = useAction();
  const [shownRoleId, setShownRoleId] = useState(member.roleId);
  const [saved, setSaved] = useState<string>();
  useEffect(() => setShownRoleId(member.roleId), [member.roleId]);
  const { abilities } = member;

  const changeRole = async (roleId: string) => {
    setShownRoleId(roleId);
    setSaved(undefined);
    const succeeded = await change.run(() => callApi("PATCH", `/members/${member.id}`, { roleId }));
    if (succeeded) {
      setSaved("Role changed");
      onChanged();
    } else {
      setShownRoleId(member.roleId);
    }
  };
  const setStatus = async (verb: "suspend" | "activate") => {
    setSaved(undefined);
    if (await change.run(() => callApi("POST", `/members/${member.id}/${verb}`))) {
      setSaved(verb === "suspend" ? "Suspended" : "Activated");
      onChanged();
    }
  };

  return (
    <tr data-member-id={member.id}>
      <td>
        {member.name}
        {isCurrentMember && <span className="muted"> (you)</span>}
      </td>
      {showEmail && <td>{member.email}</td>}
      <td>
        {abilities.changeRole ? (
          <SelectField
            label={`Role of ${member.name}`}
            hideLabel
            value={shownRoleId}
            options={assignableRoleOptions(roles)}
            onChange={(roleId) => void changeRole(roleId)}
            disabled={change.pending}
          />
        ) : (
          roleNameOf(roles, member.roleId)
        )}
      </td>
      <td>
        <span className={`status status-${member.status}`}>{member.status === "active" ? "Active" : "Suspended"}</span>
      </td>
      {canManage && (
        <td>
          <div className="row-actions">
            {abilities.suspend && (
              <button
                type="button"
                className="danger"
                aria-label={`Suspend ${member.name}`}
                disabled={change.pending}
                onClick={() => void setStatus("suspend")}
              >
                Suspend
              </button>
            )}
            {abilities.activate && (
              <button type="button" aria-label={`Activate ${member.name}`} disabled={change.pending} onClick={() => void setStatus("activate")}>
                Activate
              </button>
            )}
            {saved && (
              <span className="saved" role="status">
                ✓ {saved}
              </span>
            )}
            <ProblemMessage problem={change.problem} />
          </div>
        </td>
      )}
    </tr>
  );
}
