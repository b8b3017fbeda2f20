import type { Role } from "../api/types";
import { useApiList } from "../api/use-api-query";
import type { WhatsAppAccount } from "../inbox/types";
import { AccessSelect } from "../numbers/AccessSelect";
import type { AccessOverride } from "../numbers/types";
import { useMe } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";

const accountLabel = (account: WhatsAppAccount) =>
  account.displayName === account.phoneNumber ? account.phoneNumber : `${account.displayName} (${account.phoneNumber})`;

/**
 * Per-number access beside the roles (team.manage): each role × WhatsApp number → Full, Read-only,
 * No access, or as the role allows. The Owner's role and the member's own are never overridden.
 * Members' own overrides live on the WhatsApp numbers page.
 */
export function RoleAccessCard({ roles }: { roles: Role[] }) {
  const me = useMe();
  const accounts = useApiList<WhatsAppAccount>("/whatsapp-accounts");
  const shown = roles.filter((role) => role.id !== "owner" && role.id !== me.member.roleId);
  return (
    <section className="card" aria-label="Per-number access">
      <h2>Per-number access</h2>
      <p className="muted">Narrow or widen a role's access to one WhatsApp number. A member's own choice (WhatsApp numbers page) beats their role's.</p>
      <ProblemMessage problem={accounts.problem} />
      {accounts.data && accounts.data.length > 0 && (
        <div className="grid-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Role</th>
                {accounts.data.map((account) => (
                  <th scope="col" key={account.id}>
                    {accountLabel(account)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((role) => (
                <RoleAccessRow key={role.id} role={role} accounts={accounts.data ?? []} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RoleAccessRow({ role, accounts }: { role: Role; accounts: WhatsAppAccount[] }) {
  const overrides = useApiList<AccessOverride>(`/roles/${role.id}/access`);
  return (
    <tr>
      <th scope="row">{role.name}</th>
      {accounts.map((account) => (
        <td key={account.id}>
          {overrides.data && (
            <AccessSelect
              accountId={account.id}
              subject={{ type: "role", id: role.id }}
              current={overrides.data.find((override) => override.accountId === account.id)?.access}
              label={`Role ${role.name} on ${accountLabel(account)}`}
              onChanged={overrides.reload}
            />
          )}
          <ProblemMessage problem={overrides.problem} />
        </td>
      ))}
    </tr>
  );
}
