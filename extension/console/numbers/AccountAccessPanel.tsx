import type { ListedMember, Role } from "../api/types";
import { useApiList } from "../api/use-api-query";
import { useMe } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";
import { AccessSelect } from "./AccessSelect";
import type { AccessOverride } from "./types";

type Props = { accountId: string; accountLabel: string; members: ListedMember[]; roles: Role[] };

/**
 * Who reaches one number beyond (or short of) their role: each role and each member with Full,
 * Read-only or No access, or the role's own access. A member's choice beats their role's. The
 * Owner is never overridden, and nobody changes their own access, so neither is offered.
 */
export function AccountAccessPanel({ accountId, accountLabel, members, roles }: Props) {
  const me = useMe();
  const overrides = useApiList<AccessOverride>(`/whatsapp-accounts/${accountId}/access`);
  const currentFor = (type: "member" | "role", id: string) =>
    overrides.data?.find((override) => override.subject.type === type && override.subject.id === id)?.access;
  const rolesShown = roles.filter((role) => role.id !== "owner" && role.id !== me.member.roleId);
  const membersShown = members.filter((member) => member.roleId !== "owner" && member.id !== me.member.id && member.status === "active");
  return (
    <section className="card" aria-label={`Access to ${accountLabel}`}>
      <h3>Access to {accountLabel}</h3>
      <p className="muted">
        Full: see, reply, start and assign every chat of this number. Read-only: see its chats, change nothing. No access: its chats are hidden.
      </p>
      <ProblemMessage problem={overrides.problem} />
      {overrides.data && (
        <table className="data-table">
          <tbody>
            {rolesShown.map((role) => (
              <tr key={`role:${role.id}`}>
                <th scope="row">Role: {role.name}</th>
                <td>
                  <AccessSelect
                    accountId={accountId}
                    subject={{ type: "role", id: role.id }}
                    current={currentFor("role", role.id)}
                    label={`Role ${role.name} on ${accountLabel}`}
                    onChanged={overrides.reload}
                  />
                </td>
              </tr>
            ))}
            {membersShown.map((member) => (
              <tr key={`member:${member.id}`}>
                <th scope="row">{member.name}</th>
                <td>
                  <AccessSelect
                    accountId={accountId}
                    subject={{ type: "member", id: member.id }}
                    current={currentFor("member", member.id)}
                    label={`${member.name} on ${accountLabel}`}
                    onChanged={overrides.reload}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
