import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import type { ApiTokenSummary, CreatedApiToken } from "../api/types";
import { useAction } from "../api/use-action";
import { useApiQuery } from "../api/use-api-query";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/** The member's personal API tokens: create (the secret is shown once), list, revoke. */
export function ApiTokensCard() {
  const tokens = useApiQuery<{ data: ApiTokenSummary[] }>("/api-tokens");
  const create = useAction();
  const revoke = useAction();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedApiToken>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create.run(async () => {
      setCreated(await callApi<CreatedApiToken>("POST", "/api-tokens", { name }));
      setName("");
      tokens.reload();
    });
  };
  const revokeToken = (id: string) =>
    void revoke.run(async () => {
      await callApi("DELETE", `/api-tokens/${id}`);
      if (created?.id === id) setCreated(undefined);
      tokens.reload();
    });

  const list = tokens.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="api-tokens-heading">
      <h2 id="api-tokens-heading">Personal API tokens</h2>
      <p className="muted">A token acts as you, with your role, for scripts and integrations.</p>
      <form className="inline-form" onSubmit={submit}>
        <TextField label="Token name" value={name} onChange={setName} required placeholder="e.g. Reporting script" />
        <button type="submit" className="primary" disabled={create.pending}>
          Create token
        </button>
      </form>
      <ProblemMessage problem={create.problem ?? tokens.problem ?? revoke.problem} />
      {created && (
        <div className="success" role="status">
          Token “{created.name}” created. Copy it now; it will not be shown again:
          <code className="secret" data-testid="new-api-token">
            {created.token}
          </code>
        </div>
      )}
      {list.length === 0 ? (
        <p className="muted">No personal tokens.</p>
      ) : (
        <table className="data-table" aria-label="Personal API tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>{new Date(token.createdAt).toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Revoke ${token.name ?? "token"}`}
                    disabled={revoke.pending}
                    onClick={() => revokeToken(token.id)}
                  >
                    Revoke
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
