import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { hrefFor } from "../routing/hash-route";
import { AuthCard } from "../shared/AuthCard";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/** `#/join/<joinCode>`: ask to join a workspace; a member with team.manage decides. */
export function JoinRequestPage({ initialJoinCode }: { initialJoinCode: string }) {
  const request = useAction();
  const [joinCode, setJoinCode] = useState(initialJoinCode);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [sent, setSent] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void request.run(async () => {
      await callApi("POST", "/join-requests", { joinCode, name, email, password });
      setSent(true);
    });
  };

  const footer = (
    <>
      Already a member? <a href={hrefFor("/login")}>Log in</a>
    </>
  );
  if (sent) {
    return (
      <AuthCard title="Request sent" footer={footer}>
        <p role="status">Your request to join was sent. Once a workspace admin accepts it, log in with {email} and your password.</p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Ask to join a workspace" footer={footer}>
      <form onSubmit={submit}>
        <TextField label="Join code" value={joinCode} onChange={setJoinCode} required hint="Ask a workspace admin for it." />
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
        <ProblemMessage problem={request.problem} />
        <button type="submit" className="primary" disabled={request.pending}>
          {request.pending ? "Sending…" : "Send request"}
        </button>
      </form>
    </AuthCard>
  );
}
