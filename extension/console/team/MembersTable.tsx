import { useEffect, useState } from "react";
import { callApi } from "../api/client";
import type { ListedMember, Role } from "../api/types";
import { useAction } from "../api/use-action";
import { ConfirmBox } from "../shared/ConfirmBox";
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

/** A change that takes effect for someone else at once, waiting for "Yes". */
type PendingChange = { kind: "role"; roleId: string } | { kind: "suspend" };

/** How many chats the member is responsible for ("100+" past one page), read when Remove is asked. */
type ChatCount = { count: number; more: boolean };

function MemberRow({ member, roles, showEmail, canManage, isCurrentMember, onChanged }: MemberRowProps) {
  const change = useAction();
  const [shownRoleId, setShownRoleId] = useState(member.roleId);
  const [saved, setSaved] = useState<string>();
  const [pending, setPending] = useState<PendingChange>();
  const [removing, setRemoving] = useState<ChatCount | "counting">();
  useEffect(() => setShownRoleId(member.roleId), [member.roleId]);
  const { abilities } = member;

  const changeRole = async (roleId: string) => {
    setPending(undefined);
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
    setPending(undefined);
    setSaved(undefined);
    if (await change.run(() => callApi("POST", `/members/${member.id}/${verb}`))) {
      setSaved(verb === "suspend" ? "Suspended" : "Activated");
      onChanged();
    }
  };
  const askRemove = async () => {
    setPending(undefined);
    setSaved(undefined);
    setRemoving("counting");
    const chats = await callApi<{ data: unknown[]; nextCursor: string | null }>("GET", `/chats?responsibleId=${encodeURIComponent(member.id)}&limit=100`).catch(
      () => ({ data: [], nextCursor: null }),
    );
    setRemoving({ count: chats.data.length, more: chats.nextCursor !== null });
  };
  const remove = async () => {
    if (await change.run(() => callApi("DELETE", `/members/${member.id}`))) {
      setRemoving(undefined);
      onChanged();
    }
  };
  const askRole = (roleId: string) => {
    setShownRoleId(roleId);
    setSaved(undefined);
    setPending(roleId === member.roleId ? undefined : { kind: "role", roleId });
  };
  const cancel = () => {
    setPending(undefined);
    setShownRoleId(member.roleId);
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
            onChange={askRole}
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
                onClick={() => setPending({ kind: "suspend" })}
              >
                Suspend
              </button>
            )}
            {abilities.remove && (
              <button
                type="button"
                className="danger"
                aria-label={`Remove ${member.name}`}
                disabled={change.pending || removing !== undefined}
                onClick={() => void askRemove()}
              >
                Remove
              </button>
            )}
            {removing && removing !== "counting" && (
              <ConfirmBox
                question={`Remove ${member.name} from the workspace?`}
                confirmLabel="Yes, remove"
                pending={change.pending}
                onConfirm={() => void remove()}
                onCancel={() => setRemoving(undefined)}
              >
                {removalConsequence(member.name, removing)}
              </ConfirmBox>
            )}
            {abilities.activate && (
              <button type="button" aria-label={`Activate ${member.name}`} disabled={change.pending} onClick={() => void setStatus("activate")}>
                Activate
              </button>
            )}
            {pending && (
              <ConfirmChange
                memberName={member.name}
                change={pending}
                roleName={pending.kind === "role" ? roleNameOf(roles, pending.roleId) : ""}
                busy={change.pending}
                onConfirm={() => void (pending.kind === "role" ? changeRole(pending.roleId) : setStatus("suspend"))}
                onCancel={cancel}
              />
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

/** "Ada loses access at once; their 3 chats become unassigned." */
function removalConsequence(name: string, chats: ChatCount): string {
  const count = chats.more ? `${chats.count}+` : String(chats.count);
  const owned =
    chats.count === 0 ? "they are responsible for no chats" : `their ${count} ${chats.count === 1 && !chats.more ? "chat becomes" : "chats become"} unassigned`;
  return `${name} loses access at once; ${owned}. Their CRM user links are removed; WhatsApp numbers they connected stay with the workspace. They can be invited again later.`;
}

type ConfirmChangeProps = { memberName: string; change: PendingChange; roleName: string; busy: boolean; onConfirm(): void; onCancel(): void };

/** Asks before a role change or a suspension, saying what it does to the member. */
function ConfirmChange({ memberName, change, roleName, busy, onConfirm, onCancel }: ConfirmChangeProps) {
  const role = change.kind === "role";
  return (
    <fieldset className="confirm">
      <legend>{role ? `Make ${memberName} ${roleName}?` : `Suspend ${memberName}?`}</legend>
      <p>
        {role
          ? `From their next action, ${memberName} can do what the ${roleName} role allows, and nothing more.`
          : `${memberName} is locked out at once, in the console and the CRM panels, until someone who manages the team activates them again.`}
      </p>
      <div className="button-row">
        <button type="button" className={role ? "primary" : "danger"} disabled={busy} onClick={onConfirm}>
          {role ? "Yes, change role" : "Yes, suspend"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}
