import { callApi } from "../api/client";
import type { ListedMember } from "../api/types";
import { useAction } from "../api/use-action";
import { ProblemMessage } from "../shared/ProblemMessage";
import type { PipedriveUser } from "./types";

type Props = { users: PipedriveUser[]; members: ListedMember[]; onChanged(): void };

/** How a Pipedrive user is linked to a member: their own connection, an Admin's mapping, or not at all. */
function linkState(user: PipedriveUser, memberName: (id: string) => string): string {
  if (!user.memberId) return "Missing";
  if (user.ownConnection) return "Connected own account";
  if (user.linkedBy === user.memberId) return "Linked when they connected the workspace";
  return user.linkedBy ? `Mapped by ${memberName(user.linkedBy)}` : "Mapped";
}

/**
 * The Pipedrive company's users and the member each acts as in the panel (integrations.workspace).
 * The server enforces who may link whom (ranks, the Owner's link, own connections) and its refusal
 * is shown as it answers.
 */
export function PipedriveUsersTable({ users, members, onChanged }: Props) {
  const save = useAction();
  const memberName = (id: string) => members.find((member) => member.id === id)?.name ?? "a former member";
  const linkedMembers = new Set(users.flatMap((user) => (user.memberId ? [user.memberId] : [])));
  const unlinked = members.filter((member) => member.status === "active" && !linkedMembers.has(member.id));

  const map = (user: PipedriveUser, memberId: string) =>
    void save.run(() => callApi("PUT", `/integrations/pipedrive/users/${user.pipedriveUserId}`, { memberId: memberId || null })).then(onChanged);

  return (
    <section className="card" aria-labelledby="pipedrive-users-heading">
      <h2 id="pipedrive-users-heading">Members' Pipedrive links</h2>
      <p className="muted">
        The member a Pipedrive user acts as in the Switchboard panel. A link made by the member's own connection changes only through that connection.
      </p>
      <ProblemMessage problem={save.problem} />
      <table aria-label="Pipedrive users">
        <thead>
          <tr>
            <th scope="col">Pipedrive user</th>
            <th scope="col">Link</th>
            <th scope="col">Member</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.pipedriveUserId}>
              <td>
                {user.name} <span className="muted">{user.email}</span>
              </td>
              <td>{linkState(user, memberName)}</td>
              <td>
                <select
                  aria-label={`Member for Pipedrive ${user.name}`}
                  value={user.memberId ?? ""}
                  disabled={save.pending || user.ownConnection}
                  onChange={(event) => map(user, event.target.value)}
                >
                  <option value="">Not linked</option>
                  {members.map((member) => (
                    <option key={member.id} value={member.id}>
                      {member.name}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {unlinked.length > 0 && (
        <p data-testid="members-without-link">
          Members without a Pipedrive link: {unlinked.map((member) => member.name).join(", ")}. They can connect their own account on this page, or you can map
          their Pipedrive user above.
        </p>
      )}
    </section>
  );
}
