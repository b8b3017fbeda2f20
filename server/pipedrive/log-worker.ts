import { doublingBackoff } from "../jobs/backoff";
import { type JobOutcome, type JobRunner, startJobRunner } from "../jobs/runner";
import type { Services } from "../services";
import { PipedriveError, PipedriveRateLimited } from "./errors";
import { type ClaimedLogJob, logQueue } from "./log-queue";
import { writeChatDayLog } from "./log-writer";

export type PipedriveLogWorkerOptions = {
  /** How often to look for due jobs (default 1 s); new messages also wake the worker at once. */
  pollIntervalMs?: number;
  /** Jobs in flight at most in this process (default 5). */
  batchSize?: number;
};

/** Attempts before a job that keeps failing (not for rate limits) is given up. */
export const maxLogAttempts = 8;
// Longer than a run can take (a few SDK calls, each bounded by the SDK's 20 s timeout).
const leaseMs = 2 * 60_000;

/** The wait after the n-th failed attempt: 5 s, 10 s, 20 s … capped at an hour; none after the 8th. */
export const logBackoff = doublingBackoff({ firstMs: 5_000, capMs: 60 * 60_000, maxAttempts: maxLogAttempts });

/** Runs one leased job to its next state. */
export async function runLogJob(services: Services, job: ClaimedLogJob): Promise<JobOutcome> {
  const db = services.database.db;
  try {
    const outcome = await writeChatDayLog(services, job);
    if (outcome.kind === "done") await logQueue.complete(db, job, "done", { lastError: null });
    else if (outcome.kind === "skipped") await logQueue.complete(db, job, "skipped", { lastError: outcome.why.slice(0, 500) });
    else return retryNow(services, job, outcome.why);
    return "done";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PipedriveRateLimited) {
      await logQueue.retry(db, job, { delayMs: error.retryAfterMs, error: message, countAttempt: false });
      return "retry";
    }
    // The workspace connection was marked reconnect_required; logging resumes with new messages after reconnecting.
    if (error instanceof PipedriveError && error.reason === "reconnect_required") {
      await logQueue.complete(db, job, "skipped", { lastError: message.slice(0, 500) });
      return "done";
    }
    services.logger.warn({ err: error, chatId: job.chatId, day: job.day, attempt: job.attempts }, "Pipedrive logging failed");
    return logQueue.fail(db, job, { error: message, backoff: logBackoff });
  }
}

/** A run that could not finish for a reason of ours (another run holds the day): again at once, uncounted. */
async function retryNow(services: Services, job: ClaimedLogJob, why: string): Promise<JobOutcome> {
  await logQueue.retry(services.database.db, job, { delayMs: 0, error: why, countAttempt: false });
  return "retry";
}

/** Starts this process's Pipedrive logging worker on the job runner (server/jobs/). */
export function startPipedriveLogWorker(services: Services, options: PipedriveLogWorkerOptions = {}): JobRunner {
  return startJobRunner(services, {
    name: "crm-log",
    claim: (limit) => logQueue.claim(services.database.db, { limit, leaseMs }),
    run: (job) => runLogJob(services, job),
    wakeOn: (event) => event.type === "message.created",
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    concurrency: options.batchSize ?? 5,
  });
}
