import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useMe, useSession } from "../session/SessionProvider";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/** The signed-in person's own account: their name (in every workspace) and password. */
export function AccountCard() {
  const me = useMe();
  const { refresh } = useSession();
  const rename = useAction();
  const changePassword = useAction();
  const [name, setName] = useState(me.member.name);
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [renamed, setRenamed] = useState(false);
  const [passwordChanged, setPasswordChanged] = useState(false);

  const submitName = (event: FormEvent) => {
    event.preventDefault();
    setRenamed(false);
    void rename.run(async () => {
      await callApi("PATCH", "/me", { name });
      await refresh();
      setRenamed(true);
    });
  };
  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    setPasswordChanged(false);
    void changePassword.run(async () => {
      await callApi("PUT", "/me/password", { currentPassword, newPassword });
      setCurrentPassword("");
      setNewPassword("");
      setPasswordChanged(true);
    });
  };

  return (
    <section className="card" aria-labelledby="account-heading">
      <h2 id="account-heading">Your account</h2>
      <p className="muted">Signed in as {me.member.email}. Your name and password are the same in every workspace you belong to.</p>
      <form className="inline-form" onSubmit={submitName} aria-label="Name">
        <TextField label="Your name" value={name} onChange={setName} autoComplete="name" required />
        <button type="submit" disabled={rename.pending || name.trim() === me.member.name}>
          Save name
        </button>
        <ProblemMessage problem={rename.problem} />
        {renamed && (
          <p className="success" role="status">
            Name saved.
          </p>
        )}
      </form>
      <form onSubmit={submitPassword} aria-label="Change password">
        <h3>Change password</h3>
        <TextField label="Current password" type="password" value={currentPassword} onChange={setCurrentPassword} autoComplete="current-password" required />
        <TextField
          label="New password"
          type="password"
          value={newPassword}
          onChange={setNewPassword}
          autoComplete="new-password"
          minLength={10}
          required
          hint="At least 10 characters. Your other sessions (other browsers and tabs) are logged out; API tokens keep working."
        />
        <ProblemMessage problem={changePassword.problem} />
        {passwordChanged && (
          <p className="success" role="status">
            Password changed. You were logged out everywhere else.
          </p>
        )}
        <button type="submit" className="primary" disabled={changePassword.pending}>
          {changePassword.pending ? "Changing…" : "Change password"}
        </button>
      </form>
    </section>
  );
}
