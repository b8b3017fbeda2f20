import type { Services } from "../services";
import { PipedriveError, PipedriveRateLimited } from "./errors";
import { type ClaimedLogJob, claimDueLogJobs, finishLogJob, retryLogJob } from "./log-queue";
import { writeChatDayLog } from "./log-writer";

export type PipedriveLogWorkerOptions = {
  /** How often to look for due jobs (default 1 s); new messages also wake the worker at once. */
  pollIntervalMs?: number;
  /** Jobs leased per poll (default 5). */
  batchSize?: number;
};

/** Attempts before a job that keeps failing (not for rate limits) is given up. */
export const maxLogAttempts = 8;
// Longer than a run can take (a few SDK calls, each bounded by the SDK's 20 s timeout).
const leaseMs = 2 * 60_000;

/** The wait after the n-th failed attempt: 5 s, 10 s, 20 s … capped at an hour. */
export const backoffMs = (attempt: number) => Math.min(5_000 * 2 ** (attempt - 1), 60 * 60_000);

/** Runs one leased job to its next state; never throws. */
export async function runLogJob(services: Services, job: ClaimedLogJob): Promise<void> {
  const db = services.database.db;
  try {
    const outcome = await writeChatDayLog(services, job);
    if (outcome.kind === "done") await finishLogJob(db, job, "done");
    else if (outcome.kind === "skipped") await finishLogJob(db, job, "skipped", outcome.why);
    else await retryLogJob(db, job, 0, outcome.why, { countAttempt: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PipedriveRateLimited) return void (await retryLogJob(db, job, error.retryAfterMs, message, { countAttempt: false }));
    // The workspace connection was marked reconnect_required; logging resumes with new messages after reconnecting.
    if (error instanceof PipedriveError && error.reason === "reconnect_required") return void (await finishLogJob(db, job, "skipped", message));
    services.logger.warn({ err: error, chatId: job.chatId, day: job.day, attempt: job.attempt }, "Pipedrive logging failed");
    if (job.attempt >= maxLogAttempts) await finishLogJob(db, job, "failed", message);
    else await retryLogJob(db, job, backoffMs(job.attempt), message, { countAttempt: true });
  }
}

/** Leases and runs the jobs due now; answers how many there were. */
export async function runDueLogJobs(services: Services, batchSize = 5): Promise<number> {
  const jobs = await claimDueLogJobs(services.database.db, { limit: batchSize, leaseMs });
  await Promise.all(jobs.map((job) => runLogJob(services, job)));
  return jobs.length;
}

/**
 * Starts this process's Pipedrive logging loop and registers it in `services.background`. Any
 * number of processes may run one; each job is leased by one at a time.
 */
export function startPipedriveLogWorker(services: Services, options: PipedriveLogWorkerOptions = {}) {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 5;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let again = false;
  let stopped = false;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void poll(), delayMs);
  };
  const poll = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    let backlog = false;
    running = (async () => {
      try {
        backlog = (await runDueLogJobs(services, batchSize)) === batchSize;
      } catch (error) {
        if (!stopped) services.logger.error({ err: error }, "Pipedrive log worker could not poll");
      }
    })();
    await running;
    busy = false;
    schedule(backlog || again ? 0 : pollIntervalMs);
    again = false;
  };
  // NOTIFY arrives after commit, so the message's job is visible by then.
  const unsubscribe = services.events.subscribe((event) => {
    if (event.type === "message.created") schedule(0);
  });
  const worker = {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      await running;
      services.background.delete(worker);
    },
  };
  services.background.add(worker);
  schedule(0);
  return worker;
}
