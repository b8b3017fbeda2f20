import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One message the catcher took, as parsed from what went over SMTP. */
export type CaughtMail = {
  id: number;
  receivedAt: string;
  /** The SMTP envelope: who the server was told to deliver to, and the sender. */
  envelope: { from: string; to: string[] };
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
};

export type MailCatcher = {
  /** The loopback port it listens on. */
  port: number;
  /** Newest first. */
  messages(): CaughtMail[];
  stop(): Promise<void>;
};

const keptMessages = 200;

/**
 * The development mail catcher: a real SMTP server on a loopback port (no TLS, no login) that
 * keeps the last messages it was given in memory, so e-mail sent in development can be read at
 * /#/dev/mail instead of reaching anyone. A restart empties it.
 */
export async function startMailCatcher(options: { port?: number } = {}): Promise<MailCatcher> {
  const caught: CaughtMail[] = [];
  let nextId = 1;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    banner: "Switchboard development mail catcher",
    async onData(stream, session, callback) {
      try {
        const parsed = await simpleParser(stream);
        caught.unshift({
          id: nextId++,
          receivedAt: new Date().toISOString(),
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
          },
          from: parsed.from?.text ?? "",
          to: (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).map((address) => address.text).join(", "),
          subject: parsed.subject ?? "",
          text: parsed.text ?? "",
          html: parsed.html || null,
        });
        caught.splice(keptMessages);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  // Past start-up a broken client connection is the client's problem, not the server's.
  server.on("error", () => {});
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages: () => caught.map((message) => ({ ...message, envelope: { ...message.envelope, to: [...message.envelope.to] } })),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
