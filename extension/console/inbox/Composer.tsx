import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { onlyTemplateAllowed } from "../../../server/whatsapp/customer-service-window";
import { replySummary } from "../../shared/message/content-words";
import { asProblem, callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useMe } from "../session/SessionProvider";
import { AttachButton, AttachmentPreview, mediaPath, useAttachment } from "../shared/Attachment";
import { createIdempotentSender } from "../shared/idempotent-send";
import { MessageLength, messageTooLong } from "../shared/MessageLength";
import { ProblemMessage } from "../shared/ProblemMessage";
import { TemplatePicker } from "../shared/TemplatePicker";
import type { TemplateChoice, TemplateContent } from "../shared/template-choice";
import { useDraft } from "./drafts";
import type { Chat, Message, WhatsAppAccount } from "./types";

/** The message the next send quotes, and who wrote it as the history names them. */
export type ReplyTarget = { message: Message; author: string };

type ComposerProps = {
  chat: Chat;
  account: WhatsAppAccount | undefined;
  /** The message the next text or file replies to (Meta's context), shown above the composer. */
  replyingTo: ReplyTarget | null;
  onCancelReply(): void;
  onSent(message: Message): void;
  /** The server answered 404: the chat is no longer the member's to see. */
  onGone(): void;
};

const loadTemplates = () => callApi<{ data: TemplateChoice[] }>("GET", "/templates?limit=200").then((page) => page.data);

/** Where a member who may reply writes: text, or a template (picked, never typed) once the 24-hour window has closed or on demand. */
export function Composer({ chat, account, replyingTo, onCancelReply, onSent, onGone }: ComposerProps) {
  const send = useAction();
  const [sender] = useState(createIdempotentSender);
  const me = useMe();
  const [text, setText, clearDraft] = useDraft(me.member.id, chat.id);
  // Set when the server said the window is closed although our clock thought otherwise.
  const [refusedText, setRefusedText] = useState(false);
  const templateOnly = onlyTemplateAllowed(chat) || refusedText;
  // A template on demand while the window is open (a follow-up the member prefers pre-approved).
  const [templateChosen, setTemplateChosen] = useState(false);
  const contact = { name: chat.contact.name, phone: chat.contact.phone };
  const disconnected = account?.status === "disconnected";
  const files = useAttachment();
  const { attachment } = files;
  const textareaId = `composer-${chat.id}`;
  const replyToMessageId = replyingTo?.message.id;
  // Reply was chosen: the member writes it at once.
  useEffect(() => {
    if (replyToMessageId) document.getElementById(textareaId)?.focus();
  }, [replyToMessageId, textareaId]);

  const post = async (body: { text: string; replyToMessageId?: string } | { template: TemplateContent }) => {
    // A second submit while the first is on its way (a double click, Enter twice) sends nothing.
    if (sender.busy) return false;
    let sent = false;
    const succeeded = await send.run(async () => {
      const path = `/chats/${encodeURIComponent(chat.id)}/messages`;
      try {
        const answer = await sender.send({ path, body }, (idempotencyKey) => callApi<{ message: Message }>("POST", path, body, { idempotencyKey }));
        if (!answer) return;
        onSent(answer.message);
        sent = true;
      } catch (error) {
        const { status } = asProblem(error);
        if (status === 404) onGone();
        if (status === 422 && "text" in body) setRefusedText(true);
        throw error;
      }
    });
    return succeeded && sent;
  };

  const sendAttachment = async () => {
    if (!attachment || sender.busy) return;
    await send.run(async () => {
      try {
        const answer = await callApi<{ message: Message }>("POST", mediaPath(chat.id, attachment, replyToMessageId), attachment.file);
        onSent(answer.message);
        files.clear();
        if (replyToMessageId) onCancelReply();
      } catch (error) {
        const { status } = asProblem(error);
        if (status === 404) onGone();
        if (status === 422) setRefusedText(true);
        throw error;
      }
    });
  };

  const submitText = async (event?: FormEvent) => {
    event?.preventDefault();
    if (send.pending) return;
    if (attachment) return void (await sendAttachment());
    if (!text.trim() || messageTooLong(text)) return;
    if (await post(replyToMessageId ? { text, replyToMessageId } : { text })) {
      clearDraft();
      if (replyToMessageId) onCancelReply();
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) void submitText(event);
  };

  // A template quotes nothing (WhatsApp takes a quote with text or a file): the strip shows only beside them.
  const quoting = replyingTo && !templateOnly && !templateChosen ? replyingTo : null;
  const onComposerKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape" && quoting) {
      event.stopPropagation();
      onCancelReply();
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape from any of the composer's fields cancels the reply; the × button is the control.
    <div
      className={files.dropping ? "composer attachment-dropping" : "composer"}
      {...(templateOnly || templateChosen ? {} : files.dropTarget)}
      onKeyDown={onComposerKeyDown}
    >
      <ProblemMessage problem={send.problem} />
      {files.problem && (
        <p className="notice notice-error" role="alert">
          {files.problem}
        </p>
      )}
      {quoting && (
        <div className="composer-reply" aria-live="polite">
          <span className="composer-reply-text" dir="auto">
            <span className="composer-reply-author">Replying to {quoting.author}:</span> {replySummary(quoting.message)}
          </span>
          <button type="button" aria-label="Cancel the reply (Esc)" title="Cancel the reply (Esc)" onClick={onCancelReply}>
            ×
          </button>
        </div>
      )}
      {attachment && !templateOnly && !templateChosen && (
        <AttachmentPreview id={`composer-caption-${chat.id}`} attachment={attachment} onCaption={files.setCaption} onRemove={files.clear} />
      )}
      {disconnected && (
        <p className="composer-note">This WhatsApp account is disconnected{account?.statusReason ? ` (${account.statusReason})` : ""}; reconnect it to send.</p>
      )}
      {templateOnly ? (
        <>
          <p className="composer-note" role="note">
            <strong>The 24-hour window is closed.</strong> The customer has not written in the last 24 hours, so WhatsApp only accepts an approved template
            until they reply.
          </p>
          <TemplatePicker
            loadTemplates={loadTemplates}
            accountId={chat.accountId}
            contact={contact}
            pending={send.pending}
            onSend={(template) => post({ template })}
          />
        </>
      ) : templateChosen ? (
        <TemplatePicker
          loadTemplates={loadTemplates}
          accountId={chat.accountId}
          contact={contact}
          pending={send.pending}
          onCancel={() => setTemplateChosen(false)}
          onSend={async (template) => {
            const sent = await post({ template });
            if (sent) setTemplateChosen(false);
            return sent;
          }}
        />
      ) : (
        <form className="composer-form" aria-label="Reply" onSubmit={(event) => void submitText(event)}>
          <label htmlFor={textareaId} className="visually-hidden">
            Message
          </label>
          <textarea
            id={textareaId}
            rows={2}
            value={text}
            dir="auto"
            aria-describedby={`composer-length-${chat.id}`}
            placeholder="Write a reply… (Enter to send, Shift+Enter for a new line)"
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onKeyDown}
            onPaste={files.onPaste}
          />
          <AttachButton id={`composer-file-${chat.id}`} disabled={send.pending} onFile={files.attach} />
          <button type="button" onClick={() => setTemplateChosen(true)}>
            Template
          </button>
          <button type="submit" className="primary" disabled={send.pending || (!attachment && (!text.trim() || messageTooLong(text)))}>
            {send.pending ? "Sending…" : "Send"}
          </button>
        </form>
      )}
      {!templateOnly && !templateChosen && <MessageLength text={text} id={`composer-length-${chat.id}`} />}
    </div>
  );
}
