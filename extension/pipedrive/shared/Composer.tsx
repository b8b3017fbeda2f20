import { type FormEvent, useEffect, useState } from "react";
import { onlyTemplateAllowed } from "../../../server/whatsapp/customer-service-window";
import { AttachButton, AttachmentPreview, mediaPath, useAttachment } from "../../console/shared/Attachment";
import { createIdempotentSender } from "../../console/shared/idempotent-send";
import { MessageLength, messageTooLong } from "../../console/shared/MessageLength";
import { TemplatePicker } from "../../console/shared/TemplatePicker";
import type { TemplateChoice } from "../../console/shared/template-choice";
import { replySummary } from "../../shared/message/content-words";
import { type PanelApi, problemText } from "./api";
import { accountLabel, type Content, existingChat, sendableAccounts, sendTo } from "./send";
import type { Chat, Message, PanelPerson, PanelPhone, WhatsAppAccount } from "./types";

/** The message the next text or file quotes (Meta's context), and its author as the history names them. */
export type ReplyTarget = { message: Message; author: string };

type ComposerProps = {
  api: PanelApi;
  accounts: WhatsAppAccount[];
  chats: Chat[];
  /** The numbers this deal's/person's people have, normalized; the first is preselected. */
  phones: PanelPhone[];
  /** Preselect this chat's contact and account. */
  chat?: Chat | undefined;
  /** The record's people, to fill a template's name for a number that has no chat yet. */
  persons?: Pick<PanelPerson, "name" | "phones">[] | undefined;
  /** Quoted when the composer sends into that message's chat. */
  replyTo?: ReplyTarget | null;
  onCancelReply?(): void;
  onSent(result: { chat: Chat | null; message: Message; accountId: string; phone: string }): void;
  onFailed(detail: string): void;
};

/** To (a person's number) and From (only the accounts the member may send from), then text or a template picked from the approved ones. */
export function Composer({ api, accounts, chats, phones, chat, persons, replyTo, onCancelReply, onSent, onFailed }: ComposerProps) {
  const reachable = phones.filter((phone): phone is PanelPhone & { e164: string } => Boolean(phone.e164));
  const [phone, setPhone] = useState(chat?.contact.phone ?? reachable[0]?.e164 ?? "");
  const fromOptions = sendableAccounts(accounts, chats, phone);
  const [accountId, setAccountId] = useState(chat?.accountId ?? fromOptions[0]?.id ?? "");
  const [text, setText] = useState("");
  // A template on demand while the window is open.
  const [templateChosen, setTemplateChosen] = useState(false);
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [sender] = useState(createIdempotentSender);
  const files = useAttachment();
  const { attachment } = files;

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

  // The ownership lock alone keeps the member out of the chat a message would go into: the box is
  // disabled with the server's reason (GET /me/explain, the 403's own sentence).
  const found = existingChat(chats, accountId, phone);
  const lockedChatId = found?.abilities.askToTakeOver && !found.abilities.reply ? found.id : null;
  const [lockReason, setLockReason] = useState<string>();
  useEffect(() => {
    setLockReason(undefined);
    if (lockedChatId)
      api.call<{ sentence: string }>("GET", `/me/explain?permission=chats.reply&recordType=chat&recordId=${lockedChatId}`).then(
        (answer) => setLockReason(answer.sentence),
        () => undefined,
      );
  }, [api, lockedChatId]);

  if (reachable.length === 0 && !chat) return <p className="muted">No WhatsApp-ready phone number on this record.</p>;
  if (fromOptions.length === 0) return <p className="muted">You may not send to this number from any WhatsApp account.</p>;

  const target = existingChat(chats, accountId, phone);
  // No chat yet, or the customer has not written in 24 hours: WhatsApp takes only a template.
  const templateOnly = onlyTemplateAllowed(target);
  // A reply goes with a text or a file into the quoted message's own chat.
  const quoting = replyTo && target?.id === replyTo.message.chatId && !templateOnly && !templateChosen ? replyTo : null;
  const replyToMessageId = quoting?.message.id;
  const contactName = target?.contact.name ?? persons?.find((person) => person.phones.some((entry) => entry.e164 === phone))?.name ?? null;

  const send = async (content: Content): Promise<boolean> => {
    // A second submit while the first is on its way (a double click) sends nothing.
    if (sender.busy) return false;
    setPending(true);
    setProblem(undefined);
    try {
      const phoneRef = reachable.find((candidate) => candidate.e164 === phone)?.ref;
      const destination = { accountId, phone, phoneRef, chat: target };
      const result = await sender.send({ accountId, phone, chatId: target?.id ?? null, content }, (key) => sendTo(api, destination, content, key));
      if (!result) return false;
      if ("text" in content) setText("");
      if (replyToMessageId) onCancelReply?.();
      setTemplateChosen(false);
      onSent({ ...result, accountId, phone });
      return true;
    } catch (error) {
      const detail = problemText(error);
      setProblem(detail);
      onFailed(detail);
      return false;
    } finally {
      setPending(false);
    }
  };
  // A file goes into a chat the member may reply in, while its window is open (a new chat starts with a template).
  const canAttach = Boolean(target?.abilities.reply) && !templateOnly;
  const sendAttachment = async () => {
    if (!attachment || !target || pending) return;
    setPending(true);
    setProblem(undefined);
    try {
      const { message } = await api.call<{ message: Message }>("POST", mediaPath(target.id, attachment, replyToMessageId), attachment.file);
      files.clear();
      if (replyToMessageId) onCancelReply?.();
      onSent({ chat: null, message, accountId, phone });
    } catch (error) {
      const detail = problemText(error);
      setProblem(detail);
      onFailed(detail);
    } finally {
      setPending(false);
    }
  };
  const submitText = (event: FormEvent) => {
    event.preventDefault();
    if (attachment && canAttach) return void sendAttachment();
    void send(replyToMessageId ? { text, replyToMessageId } : { text });
  };
  const loadTemplates = () => api.call<{ data: TemplateChoice[] }>("GET", "/templates?limit=200").then((page) => page.data);

  const chosenAccount = fromOptions.find((option) => option.id === accountId);
  const fromLabel = chosenAccount ? accountLabel(chosenAccount) : "";
  // The narrow panel shows a long line name cut short in the picker: it is written out, wrapping, below.
  const fromLabelIsLong = fromLabel.length > 30;
  const numbers = [...new Set([...(chat?.contact.phone ? [chat.contact.phone] : []), ...reachable.map((candidate) => candidate.e164)])];
  return (
    <div className={files.dropping ? "composer attachment-dropping" : "composer"} {...(canAttach && !templateChosen ? files.dropTarget : {})}>
      <div className="row pickers">
        <div>
          <label htmlFor="composer-to">To</label>
          <select id="composer-to" value={phone} title={phone} onChange={(event) => setPhone(event.target.value)}>
            {numbers.map((number) => (
              <option key={number} value={number}>
                {number}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="composer-from">From</label>
          <select
            id="composer-from"
            value={accountId}
            title={fromLabel}
            aria-describedby={fromLabelIsLong ? "composer-from-full" : undefined}
            onChange={(event) => setAccountId(event.target.value)}
          >
            {fromOptions.map((option) => (
              <option key={option.id} value={option.id}>
                {accountLabel(option)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {fromLabelIsLong && (
        <p id="composer-from-full" className="muted picker-full">
          From {fromLabel}
        </p>
      )}
      {templateOnly && (
        <p className="muted">{target ? "The 24-hour window is closed: send an approved template." : "A new chat starts with an approved template."}</p>
      )}
      {lockedChatId ? (
        <>
          <p id="composer-locked" className="notice" role="status">
            {lockReason ?? "Someone else holds this chat."}
          </p>
          <textarea aria-label="Message" aria-describedby="composer-locked" disabled />
        </>
      ) : templateOnly || templateChosen ? (
        <TemplatePicker
          key={accountId}
          loadTemplates={loadTemplates}
          accountId={accountId}
          contact={{ name: contactName, phone }}
          pending={pending}
          onCancel={templateOnly ? undefined : () => setTemplateChosen(false)}
          onSend={(template) => send({ template })}
        />
      ) : (
        <form
          aria-label="Send a WhatsApp message"
          onSubmit={submitText}
          onKeyDown={(event) => {
            if (event.key === "Escape" && quoting) onCancelReply?.();
          }}
        >
          {quoting && (
            <div className="composer-reply" aria-live="polite">
              <span className="composer-reply-text" dir="auto">
                <b>Replying to {quoting.author}:</b> {replySummary(quoting.message)}
              </span>
              <button type="button" aria-label="Cancel the reply (Esc)" title="Cancel the reply (Esc)" onClick={onCancelReply}>
                ×
              </button>
            </div>
          )}
          {files.problem && (
            <p className="notice notice-error" role="alert">
              {files.problem}
            </p>
          )}
          {attachment && canAttach && <AttachmentPreview id="composer-caption" attachment={attachment} onCaption={files.setCaption} onRemove={files.clear} />}
          <label htmlFor="composer-text">Message</label>
          <textarea
            id="composer-text"
            value={text}
            dir="auto"
            aria-describedby="composer-length"
            onChange={(event) => setText(event.target.value)}
            onPaste={canAttach ? files.onPaste : undefined}
            placeholder="Write a WhatsApp message"
          />
          <MessageLength text={text} id="composer-length" />
          <div className="row">
            <span className="muted">{target ? "Replies in the existing chat" : "Starts a new chat"}</span>
            {canAttach && <AttachButton id="composer-file" disabled={pending} onFile={files.attach} />}
            <button type="button" onClick={() => setTemplateChosen(true)}>
              Template
            </button>
            <button type="submit" className="primary" disabled={pending || (attachment && canAttach ? false : !text.trim() || messageTooLong(text))}>
              {pending ? "Sending…" : "Send"}
            </button>
          </div>
        </form>
      )}
      {problem && (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
