import { useState } from "react";
import { useApiQuery } from "../api/use-api-query";
import { CopyField } from "../numbers/CopyField";
import { ProblemMessage } from "../shared/ProblemMessage";
import { NewWebhookForm } from "./NewWebhookForm";
import { WebhookRow } from "./WebhookRow";
import type { CreatedWebhook, Webhook } from "./webhook-types";

type Props = { memberName(memberId: string): string };

/** Outgoing webhooks (integrations.workspace): the list, a new one with its secret shown once, and each one's delivery log. */
export function WebhooksCard({ memberName }: Props) {
  const webhooks = useApiQuery<{ data: Webhook[] }>("/webhooks");
  const [created, setCreated] = useState<CreatedWebhook>();
  const list = webhooks.data?.data ?? [];

  const onCreated = (answer: CreatedWebhook) => {
    setCreated(answer);
    webhooks.reload();
  };

  return (
    <section className="card" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Outgoing webhooks</h2>
      <p className="muted">Switchboard tells your own systems about new messages and chat changes by sending them to an address you choose.</p>
      <ProblemMessage problem={webhooks.problem} />
      {created && (
        <div className="success" role="status" aria-label="New webhook's signing secret">
          <p>
            The webhook to <code>{created.webhook.url}</code> is added. Copy its signing secret now: it is not shown again. Your receiver checks each request's{" "}
            <code>Switchboard-Signature</code> header with it.
          </p>
          <CopyField label="Signing secret" value={created.secret} />
          <button type="button" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      {webhooks.data && list.length === 0 && <p>No webhooks yet.</p>}
      {list.length > 0 && (
        <table className="data-table" aria-label="Webhooks">
          <thead>
            <tr>
              <th scope="col">Receiver</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">Added by</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((webhook) => (
              <WebhookRow key={webhook.id} webhook={webhook} memberName={memberName} onChanged={webhooks.reload} />
            ))}
          </tbody>
        </table>
      )}
      <h3>Add a webhook</h3>
      <NewWebhookForm onCreated={onCreated} />
    </section>
  );
}
