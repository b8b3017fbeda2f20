import { eq } from "drizzle-orm";
import { publish } from "../../../server/events/bus";
import { doublingBackoff } from "../../../server/jobs/backoff";
import { type JobOutcome, type JobRunner, startJobRunner } from "../../../server/jobs/runner";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually } from "../../support/sse";
import { createTestQueueTables, testJobs, testQueue } from "./test-queues";

let server: TestServer;
let runners: JobRunner[] = [];
beforeAll(async () => {
  server = await startTestServer();
  await createTestQueueTables(server.database.db);
});
beforeEach(async () => {
  await server.database.db.delete(testJobs);
});
afterEach(async () => {
  for (const runner of runners) await runner.stop();
  runners = [];
});
afterAll(async () => server?.close());

type Job = typeof testJobs.$inferSelect;
const wakeEvent = { type: "campaign.progress" as const, workspaceId: "ws_runner_test", campaignId: "wake" };

/** A runner on the test queue that polls only every ten minutes, so whatever it does sooner it did on a wake-up. */
function startRunner(run: (job: Job, signal: AbortSignal) => Promise<JobOutcome>, concurrency = 2) {
  const runner = startJobRunner(server.services, {
    name: "test",
    claim: (limit) => testQueue.claim(server.database.db, { limit, leaseMs: 60_000 }),
    run,
    wakeOn: (event) => event.type === wakeEvent.type && event.campaignId === wakeEvent.campaignId,
    pollIntervalMs: 10 * 60_000,
    concurrency,
  });
  runners.push(runner);
  return runner;
}
const finish = async (job: Job): Promise<JobOutcome> => {
  await testQueue.complete(server.database.db, job, "done");
  return "done";
};

describe("the job runner", () => {
  it("wakes at once on its event (NOTIFY after commit), not at its next poll", async () => {
    const ran: string[] = [];
    const runner = startRunner(async (job) => {
      ran.push(job.id);
      return finish(job);
    });
    await eventually(() => expect(runner.metrics().polls).toBe(1));
    await server.database.db.insert(testJobs).values({ id: "woken" });
    await publish(server.database.db, wakeEvent);
    await eventually(() => expect(ran).toEqual(["woken"]), 10_000);
    expect(runner.metrics()).toMatchObject({ polls: 2, claimed: 1, outcomes: { done: 1 } });
  });

  it("keeps at most `concurrency` jobs in flight and claims the rest as room frees up; the metrics count each outcome", async () => {
    await server.database.db.insert(testJobs).values(["a", "b", "c", "d", "doomed"].map((id) => ({ id })));
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const runner = startRunner(async (job) => {
      await gate;
      if (job.id !== "doomed") return finish(job);
      return testQueue.fail(server.database.db, job, { error: "gone", backoff: doublingBackoff({ firstMs: 0, capMs: 0, maxAttempts: 1 }) });
    });
    await eventually(() => expect(runner.metrics()).toMatchObject({ inFlight: 2, claimed: 2 }));
    open();
    await eventually(() => expect(runner.metrics()).toMatchObject({ inFlight: 0, claimed: 5, outcomes: { done: 4, dead: 1, retry: 0, released: 0 } }), 10_000);
    const rows = await server.database.db.select({ id: testJobs.id, status: testJobs.status }).from(testJobs).orderBy(testJobs.id);
    expect(rows.map((row) => `${row.id}:${row.status}`)).toEqual(["a:done", "b:done", "c:done", "d:done", "doomed:failed"]);
  });

  it("stop aborts the jobs in flight and waits for them to record their outcome", async () => {
    await server.database.db.insert(testJobs).values({ id: "long" });
    const runner = startRunner(
      (job, signal) =>
        new Promise<JobOutcome>((resolve) => {
          signal.addEventListener("abort", () => void testQueue.release(server.database.db, job).then(() => resolve("released")));
        }),
    );
    await eventually(() => expect(runner.metrics().inFlight).toBe(1));
    await runner.stop();
    expect(runner.metrics()).toMatchObject({ inFlight: 0, outcomes: { released: 1 } });
    expect((await server.database.db.select().from(testJobs).where(eq(testJobs.id, "long")))[0]).toMatchObject({ status: "pending", attempts: 0 });
  });
});
