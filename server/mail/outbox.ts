import type { Config } from "../config";
import { decryptSecret, encryptSecret } from "../crypto/secrets";
import type { Executor } from "../db/client";
import { outgoingMail } from "../db/schema";
import { newId } from "../ids";
import { leaseQueue } from "../jobs/lease-queue";

export type MailKind = (typeof outgoingMail.$inferInsert)["kind"];
export type MailContent = { subject: string; text: string; html: string };
export type OutgoingMailRow = typeof outgoingMail.$inferSelect;

/** outgoing_mail as a durable job queue: 'failed' rows are the dead letters. */
export const mailQueue = leaseQueue("mail", outgoingMail, [outgoingMail.id]);

/** Whether this server sends e-mail at all (an SMTP server, or the development catcher). */
export function mailConfigured(config: Config): boolean {
  return config.mail.transport.kind !== "none";
}

/**
 * Queues one message in the caller's transaction: it exists only if that transaction commits, and
 * then the mail worker sends it, retrying until the SMTP server takes it. The body (it carries
 * accept and reset links) is encrypted at rest. Answers the queued message's id.
 */
export async function enqueueMail(
  db: Executor,
  config: Config,
  input: { workspaceId: string | null; kind: MailKind; to: string; content: MailContent },
): Promise<string> {
  const id = newId("mail");
  const body = encryptSecret(config.encryptionKey, JSON.stringify({ text: input.content.text, html: input.content.html }));
  await db
    .insert(outgoingMail)
    .values({ id, workspaceId: input.workspaceId, kind: input.kind, toAddress: input.to, subject: input.content.subject, bodyEncrypted: body });
  return id;
}

/** The stored message's text and HTML. */
export function readBody(config: Config, row: OutgoingMailRow): { text: string; html: string } | null {
  return row.bodyEncrypted ? (JSON.parse(decryptSecret(config.encryptionKey, row.bodyEncrypted)) as { text: string; html: string }) : null;
}
