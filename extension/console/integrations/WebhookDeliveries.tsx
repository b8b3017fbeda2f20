import { useEffect } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useApiQuery } from "../api/use-api-query";
import { ProblemMessage } from "../shared/ProblemMessage";
import type { Webhook, WebhookDelivery } from "./webhook-types";
import { deliveryErrorWords, deliveryStatusWords, eventLabel, timeWords } from "./webhook-words";

/** The most recent deliveries shown. */
const shown = 50;

/** How often an open delivery log asks again: deliveries go out in the background. */
const refreshEveryMs = 2_000;

type Props = { webhook: Webhook };

/** One webhook's delivery log, newest first: what was sent, how it went, and Retry for a failed one. */
export function WebhookDeliveries({ webhook }: Props) {
  const log = useApiQuery<{ data: WebhookDelivery[]; nextCursor: string | null }>(`/webhooks/${webhook.id}/deliveries?limit=${shown}`);
  const retry = useAction();
  const { reload } = log;
  useEffect(() => {
    const timer = setInterval(reload, refreshEveryMs);
    return () => clearInterval(timer);
  }, [reload]);

  const retryDelivery = (delivery: WebhookDelivery) =>
    void retry.run(() => callApi("POST", `/webhooks/${webhook.id}/deliveries/${delivery.id}/retry`)).then((done) => done && reload());

  const deliveries = log.data?.data ?? [];
  return (
    <div className="webhook-deliveries">
      <h3 id={`deliveries-${webhook.id}`}>Delivery log</h3>
      <ProblemMessage problem={retry.problem ?? log.problem} />
      {log.data && deliveries.length === 0 && <p className="muted">Nothing has been sent to this webhook yet.</p>}
      {deliveries.length > 0 && (
        <table className="data-table" aria-labelledby={`deliveries-${webhook.id}`}>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Response</th>
              <th scope="col">Time</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((delivery) => (
              <tr key={delivery.id} data-testid="webhook-delivery">
                <td>{eventLabel(delivery.event)}</td>
                <td>
                  <span data-testid="delivery-status" className={`status ${delivery.status === "failed" ? "status-suspended" : "status-active"}`}>
                    {deliveryStatusWords(delivery)}
                  </span>
                  {deliveryErrorWords(delivery) && <div className="hint">{deliveryErrorWords(delivery)}</div>}
                  {delivery.nextAttemptAt && delivery.attempts > 0 && <div className="hint">Next attempt {timeWords(delivery.nextAttemptAt)}</div>}
                </td>
                <td data-testid="delivery-attempts">{delivery.attempts}</td>
                <td data-testid="delivery-response">{delivery.lastStatusCode ?? "—"}</td>
                <td className="nowrap">{timeWords(delivery.deliveredAt ?? delivery.createdAt)}</td>
                <td>
                  {delivery.status === "failed" && webhook.enabled && (
                    <button type="button" disabled={retry.pending} onClick={() => retryDelivery(delivery)}>
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {log.data?.nextCursor && <p className="hint">The {shown} most recent deliveries.</p>}
      {!webhook.enabled && deliveries.some((delivery) => delivery.status === "failed") && (
        <p className="muted">Turn the webhook on to retry its failed deliveries.</p>
      )}
    </div>
  );
}
