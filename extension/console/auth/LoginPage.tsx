import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import type { Session } from "../api/types";
import { useAction } from "../api/use-action";
import { hrefFor } from "../routing/hash-route";
import { useSession } from "../session/SessionProvider";
import { AuthCard } from "../shared/AuthCard";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

export function LoginPage({ notice }: { notice?: string }) {
  const { signIn } = useSession();
  const login = useAction();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void login.run(async () => {
      const session = await callApi<Session>("POST", "/sessions", { email, password });
      await signIn(session.token);
    });
  };

  return (
    <AuthCard
      title="Log in"
      footer={
        <>
          New here? <a href={hrefFor("/signup")}>Create a workspace</a> · Have a join code? <a href={hrefFor("/join")}>Ask to join</a>
        </>
      }
    >
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit}>
        <TextField label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" required />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          hint={<a href={hrefFor("/forgot-password")}>Forgot password?</a>}
        />
        <ProblemMessage problem={login.problem} />
        <button type="submit" className="primary" disabled={login.pending}>
          {login.pending ? "Logging in…" : "Log in"}
        </button>
      </form>
    </AuthCard>
  );
}
