import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { ProblemMessage } from "../shared/ProblemMessage";
import { startPipedriveConnect } from "./connect";
import { missingScopesSentence } from "./oauth-outcome";
import type { MyPipedrive } from "./types";

type Props = { mine: MyPipedrive; canConnect: boolean; onChanged(): void };

/** The member's own Pipedrive link (every member sees it; connecting needs integrations.individual). */
export function MyPipedriveCard({ mine, canConnect, onChanged }: Props) {
  const connect = useAction();
  const disconnect = useAction();
  const workspace = mine.workspace;
  return (
    <section className="card" aria-labelledby="my-pipedrive-heading">
      <h2 id="my-pipedrive-heading">My Pipedrive account</h2>
      <p data-testid="my-pipedrive-status">
        {mine.status === "connected" && <>Connected as {mine.name ?? `Pipedrive user ${mine.pipedriveUserId}`}.</>}
        {mine.status === "reconnect_required" && <>Pipedrive no longer accepts your connection: connect your account again.</>}
        {mine.status === "not_connected" && (
          <>Not connected. Connecting your own account lets the panel show you everything Pipedrive shows you, and logs your conversations as you.</>
        )}
      </p>
      {mine.status === "connected" && mine.missingScopes && mine.missingScopes.length > 0 && (
        <p className="problem" role="alert" data-testid="my-pipedrive-missing-scopes">
          {missingScopesSentence(mine.missingScopes.map((missing) => missing.scope))}
        </p>
      )}
      {workspace.status === "not_connected" && (
        <p className="muted">The workspace is not connected to Pipedrive yet: an Owner or Admin connects it on this page.</p>
      )}
      {workspace.status === "reconnect_required" && (
        <p className="problem" role="alert">
          The workspace's Pipedrive connection needs reconnecting.
          {workspace.reconnectBy && workspace.reconnectBy.length > 0 && <> Ask {workspace.reconnectBy.map((fixer) => fixer.name).join(" or ")}.</>}
        </p>
      )}
      {canConnect ? (
        <div className="button-row">
          <button type="button" disabled={connect.pending} onClick={() => void connect.run(() => startPipedriveConnect("individual"))}>
            {mine.status === "not_connected" ? "Connect my account" : "Reconnect my account"}
          </button>
          {mine.status !== "not_connected" && (
            <button
              type="button"
              className="danger"
              disabled={disconnect.pending}
              onClick={() => void disconnect.run(() => callApi("DELETE", "/me/integrations/pipedrive")).then((done) => done && onChanged())}
            >
              Disconnect my account
            </button>
          )}
        </div>
      ) : (
        <p className="muted">Your role does not connect its own Pipedrive account; an Owner or Admin can map your Pipedrive user to you.</p>
      )}
      <ProblemMessage problem={connect.problem ?? disconnect.problem} />
    </section>
  );
}
