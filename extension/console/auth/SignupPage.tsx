import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import type { Session } from "../api/types";
import { useAction } from "../api/use-action";
import { hrefFor, navigate } from "../routing/hash-route";
import { useSession } from "../session/SessionProvider";
import { AuthCard } from "../shared/AuthCard";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/**
 * Creates a workspace; the person signing up becomes its Owner, and lands on Team (on Integrations
 * when they came from installing Switchboard in Pipedrive's Marketplace).
 */
export function SignupPage() {
  const { signIn } = useSession();
  const signup = useAction();
  const [workspaceName, setWorkspaceName] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void signup.run(async () => {
      const session = await callApi<Session>("POST", "/signup", { workspaceName, name, email, password });
      await signIn(session.token);
      // A Pipedrive Marketplace install finished in this browser is linked on Integrations: go there.
      const installWaiting = await callApi("GET", "/integrations/pipedrive/install").then(
        () => true,
        () => false,
      );
      navigate(installWaiting ? "/integrations" : "/team");
    });
  };

  return (
    <AuthCard
      title="Create your workspace"
      footer={
        <>
          Already have an account? <a href={hrefFor("/login")}>Log in</a>
        </>
      }
    >
      <form onSubmit={submit}>
        <TextField label="Workspace name" value={workspaceName} onChange={setWorkspaceName} required />
        <TextField label="Your name" value={name} onChange={setName} autoComplete="name" required />
        <TextField label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" required />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          minLength={10}
          required
          hint="At least 10 characters."
        />
        <ProblemMessage problem={signup.problem} />
        <button type="submit" className="primary" disabled={signup.pending}>
          {signup.pending ? "Creating…" : "Create workspace"}
        </button>
      </form>
    </AuthCard>
  );
}
