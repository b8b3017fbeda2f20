import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { hrefFor } from "../routing/hash-route";
import { AuthCard } from "../shared/AuthCard";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/** `#/forgot-password`: asks for a reset link by e-mail; the answer is the same for every address. */
export function ForgotPasswordPage() {
  const request = useAction();
  const [email, setEmail] = useState("");
  const [answer, setAnswer] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void request.run(async () => {
      const result = await callApi<{ message: string }>("POST", "/password-resets", { email });
      setAnswer(result.message);
    });
  };

  return (
    <AuthCard title="Forgot your password?" footer={<a href={hrefFor("/login")}>Back to log in</a>}>
      {answer ? (
        <p className="success" role="status">
          {answer}
        </p>
      ) : (
        <form onSubmit={submit}>
          <p className="muted">Enter the e-mail address you log in with, and we will send you a link to choose a new password.</p>
          <TextField label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" required />
          <ProblemMessage problem={request.problem} />
          <button type="submit" className="primary" disabled={request.pending}>
            {request.pending ? "Sending…" : "Send reset link"}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
