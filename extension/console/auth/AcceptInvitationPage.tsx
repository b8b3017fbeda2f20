import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import type { Session } from "../api/types";
import { useAction } from "../api/use-action";
import { navigate } from "../routing/hash-route";
import { useSession } from "../session/SessionProvider";
import { AuthCard } from "../shared/AuthCard";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/** `#/accept/<acceptToken>`: the invited person picks a name and password and is signed in. */
export function AcceptInvitationPage({ acceptToken }: { acceptToken: string }) {
  const { signIn } = useSession();
  const accept = useAction();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void accept.run(async () => {
      const session = await callApi<Session>("POST", `/invitations/${encodeURIComponent(acceptToken)}/accept`, { name, password });
      await signIn(session.token);
      navigate("/team");
    });
  };

  return (
    <AuthCard title="Join your team on Switchboard">
      <p className="muted">You were invited to a workspace. Choose how you appear to your team and a password.</p>
      <form onSubmit={submit}>
        <TextField label="Your name" value={name} onChange={setName} autoComplete="name" required />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          minLength={10}
          required
          hint="At least 10 characters. If you already have a Switchboard account, use its password."
        />
        <ProblemMessage problem={accept.problem} />
        <button type="submit" className="primary" disabled={accept.pending}>
          {accept.pending ? "Joining…" : "Accept invitation"}
        </button>
      </form>
    </AuthCard>
  );
}
