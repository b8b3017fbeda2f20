import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type ReceivedMail = { to: string[]; from: string; subject: string; text: string; html: string; authenticatedAs: string | null };

export type SmtpInbox = {
  /** The SMTP_URL the app under test is given (with the inbox's login). */
  url: string;
  received: ReceivedMail[];
  /** Refuses the next `count` messages with this SMTP reply (451: try later; 550: never). */
  refuseNext(count: number, responseCode: 451 | 550): void;
  /** The first message to this address, waiting for it to arrive. */
  waitFor(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
};

const user = "switchboard";
const pass = "smtp test password";

/**
 * A real SMTP server on a loopback port (smtp-server), as a mail provider would be: it requires a
 * login (AUTH PLAIN/LOGIN, allowed without TLS on loopback) and parses what it takes (mailparser).
 */
export async function startSmtpInbox(): Promise<SmtpInbox> {
  const received: ReceivedMail[] = [];
  let refusals: { count: number; responseCode: number } = { count: 0, responseCode: 451 };
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    async onData(stream, session, callback) {
      const parsed: ParsedMail = await simpleParser(stream);
      if (refusals.count > 0) {
        refusals = { ...refusals, count: refusals.count - 1 };
        const refusal = Object.assign(new Error(refusals.responseCode === 451 ? "Try again later" : "Mailbox unavailable"), {
          responseCode: refusals.responseCode,
        });
        callback(refusal);
        return;
      }
      received.push({
        to: session.envelope.rcptTo.map((recipient) => recipient.address),
        from: parsed.from?.text ?? "",
        subject: parsed.subject ?? "",
        text: parsed.text ?? "",
        html: parsed.html || "",
        authenticatedAs: (session.user as string | undefined) ?? null,
      });
      callback();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${user}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    received,
    refuseNext(count, responseCode) {
      refusals = { count, responseCode };
    },
    async waitFor(to, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((mail) => mail.to.includes(to));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms (received: ${received.map((mail) => mail.to).join("; ")})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a text that starts with `prefix`. */
export function linkIn(text: string, prefix: string): string {
  const link = text.match(/https?:\/\/\S+/g)?.find((candidate) => candidate.startsWith(prefix));
  if (!link) throw new Error(`no link starting ${prefix} in:\n${text}`);
  return link;
}
