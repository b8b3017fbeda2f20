import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { ConfirmBox } from "../shared/ConfirmBox";
import { ProblemMessage } from "../shared/ProblemMessage";
import { startPipedriveConnect } from "./connect";
import { missingScopesSentence } from "./oauth-outcome";
import type { WorkspacePipedrive } from "./types";

type Props = { connection: WorkspacePipedrive; memberName(memberId: string): string; onChanged(): void };

/** The workspace's Pipedrive company (integrations.workspace): who connected it, its state, Connect/Reconnect/Disconnect. */
export function PipedriveWorkspaceCard({ connection, memberName, onChanged }: Props) {
  const connect = useAction();
  const disconnect = useAction();
  const [confirming, setConfirming] = useState(false);
  const connected = connection.status !== "not_connected";

  const confirmDisconnect = () =>
    void disconnect
      .run(() => callApi("DELETE", "/integrations/pipedrive"))
      .then((done) => {
        setConfirming(false);
        if (done) onChanged();
      });

  return (
    <section className="card" aria-labelledby="pipedrive-workspace-heading">
      <h2 id="pipedrive-workspace-heading">Workspace connection</h2>
      {connected ? (
        <dl className="facts">
          <dt>Company</dt>
          <dd>
            {connection.companyDomain}.pipedrive.com <span className="muted">(company {connection.companyId})</span>
          </dd>
          <dt>Connected by</dt>
          <dd data-testid="pipedrive-connected-by">
            {connection.connectedBy ? memberName(connection.connectedBy) : "—"}
            {connection.connectedAt && <span className="muted"> on {new Date(connection.connectedAt).toLocaleDateString()}</span>}
          </dd>
          <dt>Status</dt>
          <dd data-testid="pipedrive-status">{connection.status === "connected" ? "Connected" : "Reconnect required"}</dd>
        </dl>
      ) : (
        <p>
          Not connected. Connecting signs you in to Pipedrive and ties its company to this workspace: the Switchboard panel then opens beside deals and people,
          and conversations are logged there.
        </p>
      )}
      {connection.status === "connected" && connection.missingScopes && connection.missingScopes.length > 0 && (
        <p className="problem" role="alert" data-testid="pipedrive-missing-scopes">
          {missingScopesSentence(connection.missingScopes.map((missing) => missing.scope))}
        </p>
      )}
      {connection.status === "reconnect_required" && (
        <div className="problem" role="alert">
          {connection.reconnectReason === "uninstalled"
            ? "The Pipedrive user whose installation served this workspace uninstalled the app."
            : "Pipedrive no longer accepts this workspace's connection."}{" "}
          Press Reconnect to connect it again.
          {connection.reconnectBy && connection.reconnectBy.length > 0 && <> Who can do it: {connection.reconnectBy.map((fixer) => fixer.name).join(", ")}.</>}
        </div>
      )}
      <div className="button-row">
        <button type="button" disabled={connect.pending} onClick={() => void connect.run(() => startPipedriveConnect("workspace"))}>
          {connected ? "Reconnect Pipedrive" : "Connect Pipedrive"}
        </button>
        {connected && !confirming && (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Disconnect Pipedrive
          </button>
        )}
      </div>
      {confirming && (
        <ConfirmBox
          question="Disconnect Pipedrive from this workspace?"
          confirmLabel="Yes, disconnect"
          pending={disconnect.pending}
          onConfirm={confirmDisconnect}
          onCancel={() => setConfirming(false)}
        >
          The access of every Pipedrive user connected through Switchboard is revoked at Pipedrive, and the panel stops working until someone connects again.
        </ConfirmBox>
      )}
      <ProblemMessage problem={connect.problem ?? disconnect.problem} />
    </section>
  );
}
