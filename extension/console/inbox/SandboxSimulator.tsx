import { type FormEvent, useId, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { SelectField, TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import { Dialog } from "./Dialog";
import type { WhatsAppAccount } from "./types";

/** What the simulated customer can send: text, or one of the sandbox's sample files with an optional caption. */
type CustomerSends = "text" | "photo" | "pdf" | "voice";
const sendOptions: { value: CustomerSends; label: string }[] = [
  { value: "text", label: "A text message" },
  { value: "photo", label: "A photo" },
  { value: "pdf", label: "A PDF document" },
  { value: "voice", label: "A voice note" },
];

type SandboxSimulatorProps = {
  /** The sandbox accounts the member can see. */
  accounts: WhatsAppAccount[];
  onOpenChat(chatId: string): void;
  onClose(): void;
};

/**
 * Plays the customer on a sandbox account (POST /whatsapp-accounts/{id}/sandbox/inbound), so anyone
 * can try the inbox without Meta. The message reaches the list through the live connection.
 */
export function SandboxSimulator({ accounts, onOpenChat, onClose }: SandboxSimulatorProps) {
  const simulate = useAction();
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? "");
  const [from, setFrom] = useState("");
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [sends, setSends] = useState<CustomerSends>("text");
  const withFile = sends !== "text";
  const textId = useId();
  const [arrived, setArrived] = useState<{ chatId: string; from: string }>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setArrived(undefined);
    void simulate.run(async () => {
      const body = {
        from,
        ...(text.trim() || !withFile ? { text } : {}),
        ...(withFile ? { media: sends } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
      };
      const created = await callApi<{ chatId: string; messageId: string }>("POST", `/whatsapp-accounts/${encodeURIComponent(accountId)}/sandbox/inbound`, body);
      setArrived({ chatId: created.chatId, from });
      setText("");
    });
  };

  return (
    <Dialog title="Simulate a customer message" onClose={onClose}>
      <p className="muted">Sandbox accounts have no phone behind them: write as the customer to see how a conversation arrives.</p>
      <form onSubmit={submit} aria-label="Customer’s message">
        {accounts.length === 1 ? (
          <p>
            To <strong>{accounts[0]?.displayName}</strong> <span className="muted">{accounts[0]?.phoneNumber}</span>
          </p>
        ) : (
          <SelectField
            label="To sandbox account"
            value={accountId}
            options={accounts.map((account) => ({ value: account.id, label: `${account.displayName} · ${account.phoneNumber}` }))}
            onChange={setAccountId}
          />
        )}
        <div className="template-fields">
          <TextField label="Customer phone" value={from} onChange={setFrom} required placeholder="+44 7700 900123" />
          <TextField label="Customer name" value={name} onChange={setName} placeholder="Optional" />
        </div>
        <SelectField<CustomerSends> label="Customer sends" value={sends} options={sendOptions} onChange={setSends} />
        <div className="field">
          <label htmlFor={textId}>{withFile ? "Caption (optional)" : "Customer message"}</label>
          <textarea id={textId} rows={3} value={text} required={!withFile} onChange={(event) => setText(event.target.value)} />
        </div>
        <ProblemMessage problem={simulate.problem} />
        {arrived && (
          <div className="success" role="status">
            Message from {arrived.from} arrived.{" "}
            <button type="button" className="link-button" onClick={() => onOpenChat(arrived.chatId)}>
              Open the chat
            </button>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={simulate.pending || !accountId || !from.trim() || (!withFile && !text.trim())}>
            {simulate.pending ? "Sending…" : "Send as customer"}
          </button>
          <button type="button" onClick={onClose}>
            Done
          </button>
        </div>
      </form>
    </Dialog>
  );
}
