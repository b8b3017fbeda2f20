import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useMe } from "../session/SessionProvider";
import { SelectField, TextField } from "../shared/fields";
import { createIdempotentSender } from "../shared/idempotent-send";
import { ProblemMessage } from "../shared/ProblemMessage";
import { countryName } from "../shared/phone-format";
import { TemplatePicker } from "../shared/TemplatePicker";
import type { TemplateChoice, TemplateContent } from "../shared/template-choice";
import { Dialog } from "./Dialog";
import type { Chat, Message, WhatsAppAccount } from "./types";

const loadTemplates = () => callApi<{ data: TemplateChoice[] }>("GET", "/templates?limit=200").then((page) => page.data);

type NewChatDialogProps = {
  /** Only the accounts the member may start chats from (canStartChats). */
  accounts: WhatsAppAccount[];
  onStarted(chat: Chat, message: Message): void;
  onClose(): void;
};

/** Said instead of the form to a member without contacts.view_numbers (the server refuses a typed number for them). */
export const maskedNewChatNote = "Your role shows contacts' numbers masked: start chats from a CRM record or an existing chat.";

/**
 * Starts a conversation (POST /chats): from which account, to which number, and an approved
 * template — a customer who has not written has no 24-hour window open, so WhatsApp (and the
 * sandbox, which behaves like it) takes nothing else as the first message.
 */
export function NewChatDialog(props: NewChatDialogProps) {
  const seesNumbers = useMe().permissions["contacts.view_numbers"] !== false;
  if (seesNumbers) return <NewChatForm {...props} />;
  return (
    <Dialog title="New chat" onClose={props.onClose}>
      <p className="notice" role="note">
        {maskedNewChatNote}
      </p>
    </Dialog>
  );
}

function NewChatForm({ accounts, onStarted, onClose }: NewChatDialogProps) {
  const start = useAction();
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? "");
  const [phone, setPhone] = useState("");
  const [sender] = useState(createIdempotentSender);
  const defaultCountry = useMe().workspace.defaultCountry;
  // The server reads a number without a country code in the workspace's default country.
  const phoneHint = defaultCountry ? `With the country code, or as dialled in ${countryName(defaultCountry)}.` : "With the country code.";

  const send = (template: TemplateContent) =>
    start.run(async () => {
      const body = { accountId, phone, template };
      const started = await sender.send(body, (idempotencyKey) => callApi<{ chat: Chat; message: Message }>("POST", "/chats", body, { idempotencyKey }));
      if (started) onStarted(started.chat, started.message);
    });

  return (
    <Dialog title="New chat" onClose={onClose}>
      <SelectField
        label="From account"
        value={accountId}
        options={accounts.map((account) => ({ value: account.id, label: `${account.displayName} · ${account.phoneNumber}` }))}
        onChange={setAccountId}
      />
      <TextField label="Phone number" type="text" value={phone} onChange={setPhone} required placeholder="+49 151 2345678" hint={phoneHint} />
      <p className="composer-note" role="note">
        A business writes first with an approved template; free text follows once the customer replies.
      </p>
      <TemplatePicker
        key={accountId}
        loadTemplates={loadTemplates}
        accountId={accountId}
        contact={{ name: null, phone: phone.trim() || null }}
        pending={start.pending}
        ready={Boolean(accountId && phone.trim())}
        submitLabel="Start chat"
        onSend={send}
      />
      <ProblemMessage problem={start.problem} />
      <div className="form-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
