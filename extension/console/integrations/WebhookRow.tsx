import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { ConfirmBox } from "../shared/ConfirmBox";
import { ProblemMessage } from "../shared/ProblemMessage";
import { WebhookDeliveries } from "./WebhookDeliveries";
import type { Webhook } from "./webhook-types";
import { eventLabel } from "./webhook-words";

type Props = { webhook: Webhook; memberName(memberId: string): string; onChanged(): void };

type Asking = "disable" | "delete" | null;

const columns = 5;

/** One webhook in the list: its address and events, on/off, the delivery log, delete. Off and delete ask first. */
export function WebhookRow({ webhook, memberName, onChanged }: Props) {
  const change = useAction();
  const [asking, setAsking] = useState<Asking>(null);
  const [showLog, setShowLog] = useState(false);

  const setEnabled = (enabled: boolean) =>
    void change
      .run(() => callApi("PATCH", `/webhooks/${webhook.id}`, { enabled }))
      .then((done) => {
        setAsking(null);
        if (done) onChanged();
      });
  const remove = () =>
    void change
      .run(() => callApi("DELETE", `/webhooks/${webhook.id}`))
      .then((done) => {
        setAsking(null);
        if (done) onChanged();
      });

  return (
    <>
      <tr data-testid="webhook-row">
        <td>
          <code>{webhook.url}</code>
        </td>
        <td>{webhook.events.map(eventLabel).join("; ")}</td>
        <td>
          <span data-testid="webhook-state" className={`status ${webhook.enabled ? "status-active" : "status-suspended"}`}>
            {webhook.enabled ? "On" : "Off"}
          </span>
        </td>
        <td>
          {memberName(webhook.createdBy)}
          <div className="hint">{new Date(webhook.createdAt).toLocaleDateString()}</div>
        </td>
        <td>
          <div className="row-actions">
            <button type="button" aria-expanded={showLog} aria-label={`Delivery log of ${webhook.url}`} onClick={() => setShowLog(!showLog)}>
              {showLog ? "Hide deliveries" : "Deliveries"}
            </button>
            {webhook.enabled ? (
              <button type="button" aria-label={`Turn off ${webhook.url}`} disabled={change.pending} onClick={() => setAsking("disable")}>
                Turn off
              </button>
            ) : (
              <button type="button" aria-label={`Turn on ${webhook.url}`} disabled={change.pending} onClick={() => setEnabled(true)}>
                Turn on
              </button>
            )}
            <button type="button" className="danger" aria-label={`Delete ${webhook.url}`} disabled={change.pending} onClick={() => setAsking("delete")}>
              Delete
            </button>
          </div>
        </td>
      </tr>
      {(asking || change.problem) && (
        <tr>
          <td colSpan={columns}>
            {asking === "disable" && (
              <ConfirmBox
                question={`Turn off the webhook to ${webhook.url}?`}
                confirmLabel="Yes, turn off"
                pending={change.pending}
                onConfirm={() => setEnabled(false)}
                onCancel={() => setAsking(null)}
              >
                Nothing more is sent to this address until it is turned on again; deliveries still waiting are marked failed (you can retry them after turning
                it on).
              </ConfirmBox>
            )}
            {asking === "delete" && (
              <ConfirmBox
                question={`Delete the webhook to ${webhook.url}?`}
                confirmLabel="Yes, delete"
                pending={change.pending}
                onConfirm={remove}
                onCancel={() => setAsking(null)}
              >
                Nothing more is sent to this address, and its delivery log is deleted with it. This cannot be undone.
              </ConfirmBox>
            )}
            <ProblemMessage problem={change.problem} />
          </td>
        </tr>
      )}
      {showLog && (
        <tr>
          <td colSpan={columns}>
            <WebhookDeliveries webhook={webhook} />
          </td>
        </tr>
      )}
    </>
  );
}
