import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useApiQuery } from "../api/use-api-query";
import { ConfirmBox } from "../shared/ConfirmBox";
import { ProblemMessage } from "../shared/ProblemMessage";
import { startHubspotConnect } from "./connect";
import type { WorkspaceHubspot } from "./types";

type Props = { connection: WorkspaceHubspot; memberName(memberId: string): string; onChanged(): void };

/** The workspace's HubSpot account (integrations.workspace): who connected it, its state, Connect/Reconnect/Disconnect. */
export function HubspotWorkspaceCard({ connection, memberName, onChanged }: Props) {
  const connect = useAction();
  const disconnect = useAction();
  const [confirming, setConfirming] = useState(false);
  const connected = connection.status === "connected" || connection.status === "reconnect_required";

  const confirmDisconnect = () =>
    void disconnect
      .run(() => callApi("DELETE", "/integrations/hubspot"))
      .then((done) => {
        setConfirming(false);
        if (done) onChanged();
      });

  return (
    <section className="card" aria-labelledby="hubspot-workspace-heading">
      <h2 id="hubspot-workspace-heading">HubSpot account</h2>
      {connection.status === "not_configured" ? (
        <p>HubSpot is not set up on this server: its operator adds the HubSpot app's credentials (HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET).</p>
      ) : connected ? (
        <dl className="facts">
          <dt>Account</dt>
          <dd>
            {connection.hubDomain ?? "HubSpot account"} <span className="muted">(account {connection.hubId})</span>
          </dd>
          <dt>Connected by</dt>
          <dd data-testid="hubspot-connected-by">
            {connection.connectedBy ? memberName(connection.connectedBy) : "—"}
            {connection.connectedAt && <span className="muted"> on {new Date(connection.connectedAt).toLocaleDateString()}</span>}
          </dd>
          <dt>Status</dt>
          <dd data-testid="hubspot-status">{connection.status === "connected" ? "Connected" : "Reconnect required"}</dd>
        </dl>
      ) : (
        <p>
          Not connected. A super admin of your HubSpot account installs Switchboard there: the WhatsApp card then appears on contacts and deals, and
          conversations are logged as WhatsApp communications.
        </p>
      )}
      {connection.status === "reconnect_required" && (
        <div className="problem" role="alert">
          {connection.reconnectReason === "uninstalled"
            ? "Switchboard was uninstalled from this HubSpot account."
            : "HubSpot no longer accepts this workspace's connection."}{" "}
          Press Reconnect to connect it again.
        </div>
      )}
      {connection.status !== "not_configured" && (
        <div className="button-row">
          <button type="button" disabled={connect.pending} onClick={() => void connect.run(() => startHubspotConnect())}>
            {connected ? "Reconnect HubSpot" : "Connect HubSpot"}
          </button>
          {connected && !confirming && (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Disconnect HubSpot
            </button>
          )}
        </div>
      )}
      {confirming && (
        <ConfirmBox
          question="Disconnect HubSpot from this workspace?"
          confirmLabel="Yes, disconnect"
          pending={disconnect.pending}
          onConfirm={confirmDisconnect}
          onCancel={() => setConfirming(false)}
        >
          Switchboard's access is revoked at HubSpot: the card stops working and nothing more is logged until someone connects again.
        </ConfirmBox>
      )}
      <ProblemMessage problem={connect.problem ?? disconnect.problem} />
      {connected && <MemberLinks />}
    </section>
  );
}

/** GET /integrations/hubspot/links (server/hubspot/link-routes.ts). */
type MemberLink = { memberId: string; name: string; email: string; memberStatus: string; status: "connected" | "missing"; hubspotUserId: number | null };

/**
 * Each member's link to their HubSpot user (the individual connection), made when they sign in
 * from the WhatsApp card in HubSpot: connected or missing, and removable (the card then asks them
 * to sign in again).
 */
function MemberLinks() {
  const links = useApiQuery<{ data: MemberLink[] }>("/integrations/hubspot/links");
  const remove = useAction();
  const unlink = (memberId: string) =>
    void remove.run(() => callApi("DELETE", `/integrations/hubspot/links/${encodeURIComponent(memberId)}`)).then((done) => done && links.reload());
  return (
    <>
      <h3>Members' HubSpot links</h3>
      <p className="muted">A member links their HubSpot user by signing in to Switchboard once from the WhatsApp card on a contact or deal.</p>
      <ProblemMessage problem={links.problem ?? remove.problem} />
      <table aria-label="HubSpot links">
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">HubSpot link</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(links.data?.data ?? []).map((link) => (
            <tr key={link.memberId}>
              <td>
                {link.name} <span className="muted">{link.email}</span>
              </td>
              <td>{link.status === "connected" ? `Connected (HubSpot user ${link.hubspotUserId})` : "Missing"}</td>
              <td>
                {link.status === "connected" && (
                  <button type="button" className="link" disabled={remove.pending} onClick={() => unlink(link.memberId)}>
                    Remove link
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
