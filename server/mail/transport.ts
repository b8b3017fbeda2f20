import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config";

/** What the mail worker needs to send one message. */
export type MailSender = {
  send(message: { from: string; to: string; subject: string; text: string; html: string }): Promise<void>;
  close(): void;
};

// Bounded, so one stuck SMTP server holds an attempt (and its lease) for seconds, not minutes.
const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** An SMTP sender for the configured server, or the development catcher listening on `catcherPort`. */
export function createMailSender(transport: Config["mail"]["transport"], catcherPort?: number): MailSender | null {
  let transporter: Transporter;
  if (transport.kind === "smtp") transporter = nodemailer.createTransport({ url: transport.url, ...timeouts });
  else if (transport.kind === "catcher" && catcherPort) {
    transporter = nodemailer.createTransport({ host: "127.0.0.1", port: catcherPort, secure: false, ignoreTLS: true, ...timeouts });
  } else return null;
  return {
    async send(message) {
      await transporter.sendMail(message);
    },
    close: () => transporter.close(),
  };
}

/**
 * Whether an SMTP refusal is final: a 5xx reply (no such mailbox, message refused). Anything
 * else — a 4xx, a timeout, a refused connection — may pass on a later attempt.
 */
export function isPermanentSmtpFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}
