import { useState } from "react";
import { callApi } from "../api/client";
import type { ListedMember, Role } from "../api/types";
import { useAction } from "../api/use-action";
import { useApiList, useApiQuery } from "../api/use-api-query";
import type { WhatsAppAccount } from "../inbox/types";
import { useMe } from "../session/SessionProvider";
import { ConfirmBox } from "../shared/ConfirmBox";
import { ProblemMessage } from "../shared/ProblemMessage";
import { AccountAccessPanel } from "./AccountAccessPanel";
import { ConnectNumberForm } from "./ConnectNumberForm";
import type { NumberSetup } from "./types";

/**
 * The workspace's WhatsApp numbers, as far as the member may see them (the server's scope: an
 * Agent their own and those of chats they hold, an Admin all); connecting with whatsapp.connect,
 * disconnecting where the server says the member may (canDisconnect).
 */
export function NumbersPage() {
  const { permissions } = useMe();
  const mayConnect = permissions["whatsapp.connect"];
  const managesTeam = permissions["team.manage"];
  const roles = useApiQuery<{ data: Role[] }>(managesTeam ? "/roles" : null);
  const accounts = useApiList<WhatsAppAccount>("/whatsapp-accounts");
  const members = useApiList<ListedMember>("/members?limit=200");
  const setup = useApiQuery<NumberSetup>(mayConnect ? "/whatsapp-accounts/setup" : null);
  const [connecting, setConnecting] = useState(false);
  const memberName = (id: string) => members.data?.find((member) => member.id === id)?.name ?? "a former member";

  return (
    <>
      <div className="page-header">
        <h1>WhatsApp numbers</h1>
        {mayConnect && !connecting && (
          <button type="button" className="primary" onClick={() => setConnecting(true)}>
            Connect a number
          </button>
        )}
      </div>
      <ProblemMessage problem={accounts.problem ?? members.problem ?? setup.problem} />
      {connecting && setup.data && (
        <ConnectNumberForm
          setup={setup.data}
          onCancel={() => setConnecting(false)}
          onConnected={() => {
            setConnecting(false);
            accounts.reload();
          }}
        />
      )}
      {accounts.data &&
        (accounts.data.length === 0 ? (
          <p className="muted">{mayConnect ? "No numbers yet: connect one to start chatting." : "You have no WhatsApp numbers to see."}</p>
        ) : (
          <div className="grid-scroll">
            <table className="data-table" aria-label="WhatsApp numbers">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Connected by</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {accounts.data.map((account) => (
                  <NumberRow
                    key={account.id}
                    account={account}
                    connectedBy={memberName(account.connectedBy)}
                    pacing={setup.data?.sendRatePerSecond}
                    onChanged={accounts.reload}
                    access={managesTeam && members.data && roles.data ? { members: members.data, roles: roles.data.data } : null}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </>
  );
}

type RowProps = {
  account: WhatsAppAccount;
  connectedBy: string;
  pacing: number | undefined;
  onChanged(): void;
  /** With team.manage: whom the access panel offers (per-number overrides). */
  access: { members: ListedMember[]; roles: Role[] } | null;
};

function NumberRow({ account, connectedBy, pacing, onChanged, access }: RowProps) {
  const disconnect = useAction();
  const [confirming, setConfirming] = useState(false);
  const [showingAccess, setShowingAccess] = useState(false);
  const label = account.displayName === account.phoneNumber ? account.phoneNumber : `${account.displayName} (${account.phoneNumber})`;
  const confirm = () =>
    void disconnect
      .run(() => callApi("DELETE", `/whatsapp-accounts/${account.id}`))
      .then((done) => {
        setConfirming(false);
        if (done) onChanged();
      });
  return (
    <>
      <tr aria-label={label}>
        <td>
          <strong>{account.displayName}</strong>
          <div className="muted">{account.phoneNumber}</div>
        </td>
        <td>
          {account.provider === "cloud" ? "Cloud API" : "Sandbox"}
          {pacing !== undefined && <div className="muted">up to {pacing} messages a second</div>}
        </td>
        <td>{connectedBy}</td>
        <td data-testid="number-status">
          {account.status === "connected" ? "Connected" : "Disconnected"}
          {account.statusReason && <div className="muted">{account.statusReason}</div>}
        </td>
        <td>
          {account.canDisconnect && !confirming && (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Disconnect
            </button>
          )}
          {confirming && (
            <ConfirmBox
              question={`Disconnect ${account.phoneNumber}?`}
              confirmLabel="Yes, disconnect"
              pending={disconnect.pending}
              onConfirm={confirm}
              onCancel={() => setConfirming(false)}
            >
              Nobody can send from it any more and new messages to it no longer arrive; its conversations stay in the Inbox.
            </ConfirmBox>
          )}
          {access && (
            <button type="button" aria-expanded={showingAccess} onClick={() => setShowingAccess((shown) => !shown)}>
              Access
            </button>
          )}
          <ProblemMessage problem={disconnect.problem} />
        </td>
      </tr>
      {access && showingAccess && (
        <tr>
          <td colSpan={5}>
            <AccountAccessPanel accountId={account.id} accountLabel={label} members={access.members} roles={access.roles} />
          </td>
        </tr>
      )}
    </>
  );
}
