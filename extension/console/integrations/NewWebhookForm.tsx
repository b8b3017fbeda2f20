import { type FormEvent, useState } from "react";
import type { InboxEventType } from "../../../server/events/bus";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import type { CreatedWebhook } from "./webhook-types";
import { webhookEventLabels, webhookEventTypes } from "./webhook-words";

type Props = { onCreated(created: CreatedWebhook): void };

/** Adds a webhook: the receiver's address and the events to send it, chosen from those the server sends. */
export function NewWebhookForm({ onCreated }: Props) {
  const create = useAction();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<InboxEventType[]>(["message.created"]);

  const toggle = (event: InboxEventType, on: boolean) =>
    setEvents((chosen) => webhookEventTypes.filter((type) => (type === event ? on : chosen.includes(type))));

  const submit = (formEvent: FormEvent) => {
    formEvent.preventDefault();
    void create.run(async () => {
      onCreated(await callApi<CreatedWebhook>("POST", "/webhooks", { url: url.trim(), events }));
      setUrl("");
    });
  };

  return (
    <form onSubmit={submit} aria-label="New webhook">
      <TextField
        label="Receiver URL"
        value={url}
        onChange={setUrl}
        required
        placeholder="https://example.com/switchboard-events"
        hint="Switchboard POSTs each event there as JSON, signed with the webhook's secret."
      />
      <fieldset className="event-choice">
        <legend>Events to send</legend>
        {webhookEventTypes.map((event) => (
          <label key={event} className="checkbox-field">
            <input type="checkbox" checked={events.includes(event)} onChange={(change) => toggle(event, change.target.checked)} />
            <span>
              {webhookEventLabels[event]} <span className="muted">({event})</span>
            </span>
          </label>
        ))}
      </fieldset>
      {events.length === 0 && <p className="hint">Choose at least one event.</p>}
      <div className="button-row">
        <button type="submit" className="primary" disabled={create.pending || events.length === 0}>
          Add webhook
        </button>
      </div>
      <ProblemMessage problem={create.problem} />
    </form>
  );
}
