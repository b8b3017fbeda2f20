import { sql } from "drizzle-orm";
import { type Backoff, listedBackoff } from "../jobs/backoff";
import { type JobOutcome, type JobRunner, startJobRunner } from "../jobs/runner";
import type { Services } from "../services";
import { mailQueue, type OutgoingMailRow, readBody } from "./outbox";
import { isPermanentSmtpFailure, type MailSender } from "./transport";

export type MailWorkerOptions = {
  /** How often to look for due mail (default 1 s). */
  pollIntervalMs?: number;
  /** Waits after each failed attempt (default ~a day in 9 attempts); one more attempt than waits. */
  retryDelaysMs?: readonly number[];
};

/** Roughly exponential, about a day in all: an SMTP server down overnight still gets the mail. */
export const defaultMailRetryDelaysMs: readonly number[] = [15e3, 60e3, 5 * 60e3, 15 * 60e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3];
// Longer than the transport's timeouts added up, so a lease never lapses under a running attempt.
const leaseMs = 120_000;

/**
 * Starts this process's mail worker on the job runner (server/jobs/): each due message is leased
 * by one process, handed to the SMTP server, and marked sent (its body erased), retried after the
 * backoff's wait, or failed for good on a 5xx refusal or past its last wait.
 */
export function startMailWorker(services: Services, sender: MailSender, options: MailWorkerOptions = {}): JobRunner {
  const db = services.database.db;
  const backoff: Backoff = listedBackoff(options.retryDelaysMs ?? defaultMailRetryDelaysMs, 0.2);

  const send = async (mail: OutgoingMailRow, signal: AbortSignal): Promise<JobOutcome> => {
    if (signal.aborted) {
      await mailQueue.release(db, mail);
      return "released";
    }
    const body = readBody(services.config, mail);
    if (!body) return "done";
    try {
      await sender.send({ from: services.config.mail.from, to: mail.toAddress, subject: mail.subject, ...body });
    } catch (error) {
      const message = (error as Error).message;
      services.logger.warn({ err: error, mailId: mail.id, kind: mail.kind }, "an e-mail was not sent");
      if (isPermanentSmtpFailure(error)) {
        await mailQueue.complete(db, mail, "failed", { lastError: message.slice(0, 500) });
        return "dead";
      }
      return mailQueue.fail(db, mail, { error: message, backoff });
    }
    await mailQueue.complete(db, mail, "sent", { sentAt: sql`now()`, bodyEncrypted: null, lastError: null });
    return "done";
  };

  return startJobRunner(services, {
    name: "mail",
    claim: (limit) => mailQueue.claim(db, { limit, leaseMs }),
    run: send,
    wakeOn: () => false,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    concurrency: 4,
  });
}
