import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useApiQuery } from "../api/use-api-query";
import { CopyField } from "../numbers/CopyField";
import { ConfirmBox } from "../shared/ConfirmBox";
import { ProblemMessage } from "../shared/ProblemMessage";
import type { WorkspaceApiKey } from "./webhook-types";

type Props = { memberName(memberId: string): string };

type Asking = "replace" | "revoke" | null;

/**
 * The workspace API key (integrations.workspace): who created it and when; create or replace it
 * (the key shown once) and revoke it, both asked first since the old key stops working at once.
 */
export function ApiKeyCard({ memberName }: Props) {
  const current = useApiQuery<{ key: WorkspaceApiKey | null }>("/integrations/api-key");
  const change = useAction();
  const [asking, setAsking] = useState<Asking>(null);
  const [newKey, setNewKey] = useState<string>();
  const key = current.data?.key ?? null;

  const create = () =>
    void change
      .run(async () => {
        setNewKey((await callApi<{ key: string }>("POST", "/integrations/api-key")).key);
      })
      .then(() => {
        setAsking(null);
        current.reload();
      });
  const revoke = () =>
    void change
      .run(() => callApi("DELETE", "/integrations/api-key"))
      .then(() => {
        setAsking(null);
        setNewKey(undefined);
        current.reload();
      });

  return (
    <section className="card" aria-labelledby="api-key-heading">
      <h2 id="api-key-heading">Workspace API key</h2>
      <p className="muted">
        For your own scripts and systems: send it as <code>Authorization: Bearer …</code> to <code>{window.location.origin}/api/v1</code>. It acts with the role
        of the member who created it.
      </p>
      <ProblemMessage problem={current.problem ?? change.problem} />
      {newKey && (
        <div className="success" role="status" aria-label="New workspace API key">
          <p>Copy the key now: it is not shown again.</p>
          <CopyField label="Workspace API key" value={newKey} />
          <button type="button" onClick={() => setNewKey(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      {current.data &&
        (key ? (
          <dl className="facts">
            <dt>Created by</dt>
            <dd data-testid="api-key-created-by">
              {memberName(key.createdBy)} <span className="muted">on {new Date(key.createdAt).toLocaleString()}</span>
            </dd>
          </dl>
        ) : (
          <p data-testid="api-key-none">This workspace has no API key.</p>
        ))}
      {current.data && !asking && (
        <div className="button-row">
          {key ? (
            <>
              <button type="button" disabled={change.pending} onClick={() => setAsking("replace")}>
                Replace API key
              </button>
              <button type="button" className="danger" disabled={change.pending} onClick={() => setAsking("revoke")}>
                Revoke API key
              </button>
            </>
          ) : (
            <button type="button" className="primary" disabled={change.pending} onClick={create}>
              Create API key
            </button>
          )}
        </div>
      )}
      {asking === "replace" && (
        <ConfirmBox
          question="Replace the workspace API key?"
          confirmLabel="Yes, replace"
          pending={change.pending}
          onConfirm={create}
          onCancel={() => setAsking(null)}
        >
          A new key is shown once, and the current key stops working at once: whatever uses it needs the new one.
        </ConfirmBox>
      )}
      {asking === "revoke" && (
        <ConfirmBox
          question="Revoke the workspace API key?"
          confirmLabel="Yes, revoke"
          pending={change.pending}
          onConfirm={revoke}
          onCancel={() => setAsking(null)}
        >
          The key stops working at once: scripts and systems that use it are refused until you create a new one.
        </ConfirmBox>
      )}
    </section>
  );
}
