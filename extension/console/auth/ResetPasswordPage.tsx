import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import type { Session } from "../api/types";
import { useAction } from "../api/use-action";
import { hrefFor, navigate } from "../routing/hash-route";
import { useSession } from "../session/SessionProvider";
import { AuthCard } from "../shared/AuthCard";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/** `#/reset-password/<resetToken>`: the link from the reset e-mail; sets the new password and logs in with it. */
export function ResetPasswordPage({ resetToken }: { resetToken: string }) {
  const { signIn } = useSession();
  const reset = useAction();
  const [password, setPassword] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void reset.run(async () => {
      const { email } = await callApi<{ email: string }>("POST", `/password-resets/${encodeURIComponent(resetToken)}`, { password });
      const session = await callApi<Session>("POST", "/sessions", { email, password });
      await signIn(session.token);
      navigate("/");
    });
  };

  return (
    <AuthCard
      title="Choose a new password"
      footer={
        <>
          Link not working? <a href={hrefFor("/forgot-password")}>Ask for a new one</a>
        </>
      }
    >
      <form onSubmit={submit}>
        <TextField
          label="New password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          minLength={10}
          required
          hint="At least 10 characters. You will be logged out everywhere else."
        />
        <ProblemMessage problem={reset.problem} />
        <button type="submit" className="primary" disabled={reset.pending}>
          {reset.pending ? "Saving…" : "Set new password"}
        </button>
      </form>
    </AuthCard>
  );
}
