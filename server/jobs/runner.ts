import type { BusEvent } from "../events/bus";
import type { Services } from "../services";

/** How a job's run ended, for the metrics. */
export type JobOutcome = "done" | "retry" | "dead" | "released";

/** What a worker is: how it claims its jobs and runs one. The runner does the rest. */
export type JobHandler<Job> = {
  /** For logs and metrics. */
  name: string;
  /** Claims up to `limit` jobs for this process (SKIP LOCKED, server/jobs/claim.ts). */
  claim(limit: number): Promise<Job[]>;
  /** Runs one claimed job to its next state; `signal` aborts when the runner stops. */
  run(job: Job, signal: AbortSignal): Promise<JobOutcome>;
  /** Events that may mean new work (NOTIFY arrives after commit, so it is visible by then). */
  wakeOn(event: BusEvent): boolean;
  /** Polls this often when nothing wakes the runner (and catches NOTIFYs lost while reconnecting). */
  pollIntervalMs: number;
  /** Jobs in flight at most in this process. */
  concurrency: number;
  /** Wake-ups closer together than this after a poll are merged into one (default 0). */
  minWakeGapMs?: number;
};

export type JobMetrics = {
  name: string;
  inFlight: number;
  claimed: number;
  outcomes: Record<JobOutcome, number>;
  /** Runs that threw instead of answering an outcome (the job's lease brings it back). */
  crashed: number;
  polls: number;
  pollErrors: number;
};

export type JobRunner = {
  /** Stops claiming, lets the jobs in flight see the abort and finish, then resolves. */
  stop(): Promise<void>;
  metrics(): JobMetrics;
};

/**
 * Runs a worker in this process and registers it in `services.background`: polls for jobs,
 * wakes at once on the handler's events, keeps at most `concurrency` jobs in flight and polls
 * again straight away while the queue has more. Any number of processes may run the same worker
 * against one database.
 */
export function startJobRunner<Job>(services: Services, handler: JobHandler<Job>): JobRunner {
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const metrics: JobMetrics = {
    name: handler.name,
    inFlight: 0,
    claimed: 0,
    outcomes: { done: 0, retry: 0, dead: 0, released: 0 },
    crashed: 0,
    polls: 0,
    pollErrors: 0,
  };
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let pollAgain = false;
  let saturated = false;
  let lastPollAt = 0;
  let currentPoll: Promise<void> = Promise.resolve();
  let stopped: Promise<void> | undefined;

  const schedule = (delayMs: number) => {
    if (stopping.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(() => void poll(), delayMs);
  };

  const track = (job: Job) => {
    const running: Promise<void> = handler
      .run(job, stopping.signal)
      .then((outcome) => void metrics.outcomes[outcome]++)
      .catch((error: unknown) => {
        metrics.crashed++;
        services.logger.error({ err: error, worker: handler.name }, "a job run failed");
      })
      .finally(() => {
        inFlight.delete(running);
        metrics.inFlight = inFlight.size;
        // A full runner skipped the queue's rest: look again now that there is room.
        if (saturated) schedule(0);
      });
    inFlight.add(running);
    metrics.inFlight = inFlight.size;
  };

  const claimAndStart = async (): Promise<boolean> => {
    const capacity = handler.concurrency - inFlight.size;
    saturated = capacity <= 0;
    if (saturated || stopping.signal.aborted) return false;
    try {
      const jobs = await handler.claim(capacity);
      metrics.polls++;
      metrics.claimed += jobs.length;
      for (const job of jobs) track(job);
      saturated = jobs.length === capacity;
      return saturated;
    } catch (error) {
      metrics.pollErrors++;
      if (!stopping.signal.aborted) services.logger.error({ err: error, worker: handler.name }, "a worker could not poll");
      return false;
    }
  };

  const poll = async () => {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    currentPoll = claimAndStart().then((backlog) => {
      polling = false;
      lastPollAt = Date.now();
      const again = backlog || pollAgain;
      pollAgain = false;
      schedule(again ? (handler.minWakeGapMs ?? 0) : handler.pollIntervalMs);
    });
    await currentPoll;
  };

  const unsubscribe = services.events.subscribe((event) => {
    if (handler.wakeOn(event)) schedule(Math.max(0, lastPollAt + (handler.minWakeGapMs ?? 0) - Date.now()));
  });

  const runner: JobRunner = {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        clearTimeout(timer);
        unsubscribe();
        await currentPoll;
        await Promise.allSettled([...inFlight]);
        services.background.delete(runner);
      })();
      return stopped;
    },
    metrics: () => ({ ...metrics, outcomes: { ...metrics.outcomes } }),
  };
  services.background.add(runner);
  schedule(0);
  return runner;
}
