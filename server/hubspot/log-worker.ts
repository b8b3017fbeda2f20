import { doublingBackoff } from "../jobs/backoff";
import { type JobOutcome, type JobRunner, startJobRunner } from "../jobs/runner";
import type { Services } from "../services";
import { HubspotRateLimited } from "./api";
import { type ClaimedHubspotLogJob, hubspotLogQueue } from "./log-queue";
import { writeHubspotChatDay } from "./log-writer";
import { HubspotReconnectRequired } from "./tokens";

export type HubspotLogWorkerOptions = {
  /** How often to look for due jobs (default 1 s); new messages also wake the worker at once. */
  pollIntervalMs?: number;
  /** Jobs in flight at most in this process (default 4: HubSpot's budget is 100 requests per 10 s per portal). */
  concurrency?: number;
};

/** Attempts before a job that keeps failing (not for rate limits) is given up. */
export const maxHubspotLogAttempts = 8;
// Longer than a run can take (a few calls, each bounded by a 20 s timeout).
const leaseMs = 2 * 60_000;

/** The wait after the n-th failed attempt: 5 s, 10 s, 20 s … capped at an hour; none after the 8th. */
export const hubspotLogBackoff = doublingBackoff({ firstMs: 5_000, capMs: 60 * 60_000, maxAttempts: maxHubspotLogAttempts });

/** Runs one leased job to its next state. */
export async function runHubspotLogJob(services: Services, job: ClaimedHubspotLogJob): Promise<JobOutcome> {
  const db = services.database.db;
  try {
    const outcome = await writeHubspotChatDay(services, job);
    if (outcome.kind === "done") await hubspotLogQueue.complete(db, job, "done", { lastError: null });
    else await hubspotLogQueue.complete(db, job, "skipped", { lastError: outcome.why.slice(0, 500) });
    return "done";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // HubSpot's wait, not a failure of ours: the attempt is not counted.
    if (error instanceof HubspotRateLimited) {
      await hubspotLogQueue.retry(db, job, { delayMs: error.retryAfterMs, error: message, countAttempt: false });
      return "retry";
    }
    // Uninstalled (tokens.ts marked the connection for admins): logging resumes with new messages once reconnected.
    if (error instanceof HubspotReconnectRequired) {
      await hubspotLogQueue.complete(db, job, "skipped", { lastError: `reconnect_required: ${error.detail}`.slice(0, 500) });
      return "done";
    }
    services.logger.warn({ err: error, chatId: job.chatId, day: job.day, attempt: job.attempts }, "HubSpot logging failed");
    return hubspotLogQueue.fail(db, job, { error: message, backoff: hubspotLogBackoff });
  }
}

/** Starts this process's HubSpot logging worker on the job runner (server/jobs/). */
export function startHubspotLogWorker(services: Services, options: HubspotLogWorkerOptions = {}): JobRunner {
  return startJobRunner(services, {
    name: "hubspot-log",
    claim: (limit) => hubspotLogQueue.claim(services.database.db, { limit, leaseMs }),
    run: (job) => runHubspotLogJob(services, job),
    wakeOn: (event) => event.type === "message.created",
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    concurrency: options.concurrency ?? 4,
  });
}
