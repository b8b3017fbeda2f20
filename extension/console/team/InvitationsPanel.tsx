import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import type { CreatedInvitation, PendingInvitation, Role } from "../api/types";
import { useAction } from "../api/use-action";
import type { ApiQuery } from "../api/use-api-query";
import { SelectField, TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import { assignableRoleOptions, roleNameOf } from "./role-options";

export function acceptLinkFor(acceptToken: string): string {
  return `${window.location.origin}/#/accept/${encodeURIComponent(acceptToken)}`;
}

/** Invite by email with a role, show the accept link to send, list and withdraw pending invitations. */
export function InvitationsPanel({ roles, invitations }: { roles: Role[] | undefined; invitations: ApiQuery<{ data: PendingInvitation[] }> }) {
  const invite = useAction();
  const withdraw = useAction();
  const roleOptions = assignableRoleOptions(roles);
  const [email, setEmail] = useState("");
  const [roleId, setRoleId] = useState("");
  const [created, setCreated] = useState<CreatedInvitation>();
  const chosenRoleId = roleId || roleOptions.find((option) => option.value === "teammate")?.value || roleOptions[0]?.value || "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void invite.run(async () => {
      setCreated(await callApi<CreatedInvitation>("POST", "/invitations", { email, roleId: chosenRoleId }));
      setEmail("");
      invitations.reload();
    });
  };
  const withdrawInvitation = (id: string) =>
    void withdraw.run(async () => {
      await callApi("DELETE", `/invitations/${id}`);
      invitations.reload();
    });

  const pending = invitations.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      <form className="inline-form" onSubmit={submit} aria-label="Invite a teammate">
        <TextField label="Invite email" type="email" value={email} onChange={setEmail} required />
        <SelectField label="Invite as" value={chosenRoleId} options={roleOptions} onChange={setRoleId} />
        <button type="submit" className="primary" disabled={invite.pending || !chosenRoleId}>
          {invite.pending ? "Inviting…" : "Invite"}
        </button>
        <ProblemMessage problem={invite.problem} />
      </form>
      {created && (
        <div className="success" role="status">
          {created.mail === "queued" ? (
            <>
              Invitation e-mailed to <strong>{created.email}</strong>. You can also send them this link yourself (shown only now):
            </>
          ) : (
            <>
              Invitation for <strong>{created.email}</strong> created. E-mail is not set up on this server, so send them this link yourself (shown only now):
            </>
          )}
          <code className="secret" data-testid="accept-link">
            {acceptLinkFor(created.acceptToken)}
          </code>
        </div>
      )}
      <ProblemMessage problem={invitations.problem ?? withdraw.problem} />
      {pending.length === 0 ? (
        <p className="muted">No pending invitations.</p>
      ) : (
        <table className="data-table" aria-label="Pending invitations">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email}</td>
                <td>{roleNameOf(roles, invitation.roleId)}</td>
                <td>{new Date(invitation.expiresAt) < new Date() ? "Expired" : new Date(invitation.expiresAt).toLocaleDateString()}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Withdraw invitation for ${invitation.email}`}
                    disabled={withdraw.pending}
                    onClick={() => withdrawInvitation(invitation.id)}
                  >
                    Withdraw
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
