import { useState } from "react";
import { useApiQuery } from "../api/use-api-query";
import { hrefFor } from "../routing/hash-route";
import { ProblemMessage } from "../shared/ProblemMessage";

type CaughtMail = { id: number; receivedAt: string; envelope: { from: string; to: string[] }; from: string; to: string; subject: string; text: string };

/**
 * `#/dev/mail` (development only): the e-mail the server sent to its mail catcher, newest first,
 * readable without logging in, so an invitation or a reset link can be followed from here.
 */
export function DevMailPage() {
  const mail = useApiQuery<{ data: CaughtMail[] }>("/dev/mail");
  const [openId, setOpenId] = useState<number>();
  const messages = mail.data?.data ?? [];
  return (
    <main className="dev-mail-page">
      <h1>Caught mail</h1>
      <p className="muted">
        Development only: this server sends its e-mail to a local mail catcher instead of anyone's inbox. <a href={hrefFor("/login")}>Back to the console</a>
      </p>
      <button type="button" onClick={mail.reload} disabled={mail.loading}>
        Refresh
      </button>
      {mail.problem?.status === 404 ? (
        <p className="problem">This server has no mail catcher: it runs in production, or sends through SMTP.</p>
      ) : (
        <ProblemMessage problem={mail.problem} />
      )}
      {mail.data && messages.length === 0 && <p className="muted">No mail yet. Invite someone, or ask for a password reset.</p>}
      <ul className="caught-mail" aria-label="Caught mail">
        {messages.map((message) => (
          <li key={message.id} className="caught-mail-item">
            <button
              type="button"
              className="link-button"
              aria-expanded={openId === message.id}
              onClick={() => setOpenId(openId === message.id ? undefined : message.id)}
            >
              <strong>{message.subject}</strong> — to {message.envelope.to.join(", ")} · {new Date(message.receivedAt).toLocaleString()}
            </button>
            {openId === message.id && (
              <article aria-label={message.subject}>
                <p className="muted">
                  From {message.from} to {message.to}
                </p>
                <MailText text={message.text} />
              </article>
            )}
          </li>
        ))}
      </ul>
    </main>
  );
}

/** The plain-text body with its links made clickable (the text is the catcher's; nothing is rendered as HTML). */
function MailText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/\S+)/g);
  return (
    <pre className="mail-text">
      {parts.map((part, index) =>
        /^https?:\/\//.test(part) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text, in order.
          <a key={index} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  );
}
