import { type FormEvent, useEffect, useState } from "react";
import { onlyTemplateAllowed } from "../../../server/whatsapp/customer-service-window";
import { createIdempotentSender } from "../../console/shared/idempotent-send";
import { MessageLength, messageTooLong } from "../../console/shared/MessageLength";
import { type PanelApi, problemText } from "./api";
import { accountLabel, type Content, existingChat, sendableAccounts, sendTo } from "./send";
import { TemplatePicker } from "./TemplatePicker";
import type { Chat, Message, PanelPhone, TemplateContent, WhatsAppAccount } from "./types";

type ComposerProps = {
  api: PanelApi;
  accounts: WhatsAppAccount[];
  chats: Chat[];
  /** The numbers this deal's/person's people have, normalized; the first is preselected. */
  phones: PanelPhone[];
  /** Preselect this chat's contact and account. */
  chat?: Chat | undefined;
  onSent(result: { chat: Chat | null; message: Message; accountId: string; phone: string }): void;
  onFailed(detail: string): void;
};

/** To (a person's number) and From (only the accounts the member may send from), then text or a template. */
export function Composer({ api, accounts, chats, phones, chat, onSent, onFailed }: ComposerProps) {
  const reachable = phones.filter((phone): phone is PanelPhone & { e164: string } => Boolean(phone.e164));
  const [phone, setPhone] = useState(chat?.contact.phone ?? reachable[0]?.e164 ?? "");
  const fromOptions = sendableAccounts(accounts, chats, phone);
  const [accountId, setAccountId] = useState(chat?.accountId ?? fromOptions[0]?.id ?? "");
  const [text, setText] = useState("");
  const [template, setTemplate] = useState<TemplateContent>({ name: "", languageCode: "en_US", bodyParameters: [] });
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [sender] = useState(createIdempotentSender);

  useEffect(() => {
    if (chat) {
      setPhone(chat.contact.phone ?? "");
      setAccountId(chat.accountId);
    }
  }, [chat]);
  // A number whose permitted accounts do not include the chosen one falls back to the first that fits.
  useEffect(() => {
    if (!fromOptions.some((account) => account.id === accountId)) setAccountId(fromOptions[0]?.id ?? "");
  }, [fromOptions, accountId]);

  if (reachable.length === 0 && !chat) return <p className="muted">No WhatsApp-ready phone number on this record.</p>;
  if (fromOptions.length === 0) return <p className="muted">You may not send to this number from any WhatsApp account.</p>;

  const target = existingChat(chats, accountId, phone);
  // No chat yet, or the customer has not written in 24 hours: WhatsApp takes only a template.
  const templateOnly = onlyTemplateAllowed(target);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const content: Content = templateOnly ? { template: { ...template, name: template.name.trim() } } : { text };
    // A second submit while the first is on its way (a double click) sends nothing.
    if (sender.busy) return;
    setPending(true);
    setProblem(undefined);
    try {
      const destination = { accountId, phone, chat: target };
      const result = await sender.send({ accountId, phone, chatId: target?.id ?? null, content }, (key) => sendTo(api, destination, content, key));
      if (!result) return;
      setText("");
      setTemplate((previous) => ({ ...previous, name: "", bodyParameters: [] }));
      onSent({ ...result, accountId, phone });
    } catch (error) {
      const detail = problemText(error);
      setProblem(detail);
      onFailed(detail);
    } finally {
      setPending(false);
    }
  };

  const numbers = [...new Set([...(chat?.contact.phone ? [chat.contact.phone] : []), ...reachable.map((candidate) => candidate.e164)])];
  return (
    <form className="composer" aria-label="Send a WhatsApp message" onSubmit={(event) => void submit(event)}>
      <div className="row">
        <div>
          <label htmlFor="composer-to">To</label>
          <select id="composer-to" value={phone} onChange={(event) => setPhone(event.target.value)}>
            {numbers.map((number) => (
              <option key={number} value={number}>
                {number}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="composer-from">From</label>
          <select id="composer-from" value={accountId} onChange={(event) => setAccountId(event.target.value)}>
            {fromOptions.map((option) => (
              <option key={option.id} value={option.id}>
                {accountLabel(option)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {templateOnly ? (
        <fieldset className="template-form">
          <legend className="muted">The 24-hour window is closed: send an approved template</legend>
          <TemplatePicker api={api} onPick={setTemplate} />
          <div className="row">
            <div>
              <label htmlFor="template-name">Template name</label>
              <input id="template-name" value={template.name} required onChange={(event) => setTemplate({ ...template, name: event.target.value })} />
            </div>
            <div>
              <label htmlFor="template-language">Language</label>
              <input
                id="template-language"
                value={template.languageCode}
                required
                onChange={(event) => setTemplate({ ...template, languageCode: event.target.value })}
              />
            </div>
          </div>
          <label htmlFor="template-parameters">
            Parameters (one a line: {"{{1}}"}, {"{{2}}"}, …)
          </label>
          <textarea
            id="template-parameters"
            value={template.bodyParameters.join("\n")}
            onChange={(event) => setTemplate({ ...template, bodyParameters: event.target.value ? event.target.value.split("\n") : [] })}
          />
        </fieldset>
      ) : (
        <>
          <label htmlFor="composer-text">Message</label>
          <textarea
            id="composer-text"
            value={text}
            dir="auto"
            aria-describedby="composer-length"
            onChange={(event) => setText(event.target.value)}
            placeholder="Write a WhatsApp message"
          />
          <MessageLength text={text} id="composer-length" />
        </>
      )}
      {problem && (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
      <div className="row">
        <span className="muted">{target ? "Replies in the existing chat" : "Starts a new chat"}</span>
        <button type="submit" className="primary" disabled={pending || (templateOnly ? !template.name.trim() : !text.trim() || messageTooLong(text))}>
          {pending ? "Sending…" : templateOnly ? "Send template" : "Send"}
        </button>
      </div>
    </form>
  );
}
