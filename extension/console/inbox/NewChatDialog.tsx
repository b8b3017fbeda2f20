import { type FormEvent, useId, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { SelectField, TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import { Dialog } from "./Dialog";
import type { Chat, Message, WhatsAppAccount } from "./types";

type NewChatDialogProps = {
  /** Only the accounts the member may start chats from (canStartChats). */
  accounts: WhatsAppAccount[];
  onStarted(chat: Chat, message: Message): void;
  onClose(): void;
};

/** Starts a conversation: from which account, to which number, the first message (POST /chats). */
export function NewChatDialog({ accounts, onStarted, onClose }: NewChatDialogProps) {
  const start = useAction();
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? "");
  const [phone, setPhone] = useState("");
  const [text, setText] = useState("");
  const textId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void start.run(async () => {
      const started = await callApi<{ chat: Chat; message: Message }>("POST", "/chats", { accountId, phone, text });
      onStarted(started.chat, started.message);
    });
  };

  return (
    <Dialog title="New chat" onClose={onClose}>
      <form onSubmit={submit} aria-label="Start a chat">
        <SelectField
          label="From account"
          value={accountId}
          options={accounts.map((account) => ({ value: account.id, label: `${account.displayName} · ${account.phoneNumber}` }))}
          onChange={setAccountId}
        />
        <TextField label="Phone number" type="text" value={phone} onChange={setPhone} required placeholder="+49 151 2345678" hint="With the country code." />
        <div className="field">
          <label htmlFor={textId}>First message</label>
          <textarea id={textId} rows={3} value={text} required onChange={(event) => setText(event.target.value)} />
        </div>
        <ProblemMessage problem={start.problem} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={start.pending || !accountId || !phone.trim() || !text.trim()}>
            {start.pending ? "Starting…" : "Start chat"}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
