import { eq, sql } from "drizzle-orm";
import type { DatabaseHandle } from "../../../server/db/client";
import { doublingBackoff, listedBackoff } from "../../../server/jobs/backoff";
import { openTestDatabase } from "../../support/database";
import { coalescingQueue, createTestQueueTables, dueInSeconds, testCoalescingJobs, testJobs, testQueue } from "./test-queues";

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
  await createTestQueueTables(database.db);
});
afterAll(async () => database?.close());
beforeEach(async () => {
  await database.db.delete(testJobs);
  await database.db.delete(testCoalescingJobs);
});

const lease = { leaseMs: 60_000 };
const jobRow = async (id: string) => (await database.db.select().from(testJobs).where(eq(testJobs.id, id)))[0];
const addJobs = (...jobs: { id: string; dueInMs?: number }[]) =>
  database.db.insert(testJobs).values(jobs.map((job) => ({ id: job.id, nextAttemptAt: sql`now() + ${job.dueInMs ?? 0} * interval '1 millisecond'` })));

describe("claim", () => {
  it("leases the due jobs, oldest due first, up to the limit; counts the attempt and moves the job a lease ahead", async () => {
    await addJobs({ id: "newer", dueInMs: -1_000 }, { id: "oldest", dueInMs: -3_000 }, { id: "older", dueInMs: -2_000 }, { id: "later", dueInMs: 60_000 });
    const claimed = await testQueue.claim(database.db, { limit: 2, leaseMs: 60_000 });
    // The two due longest (in no particular order within the batch), each on its first attempt.
    expect(claimed.map((job) => [job.id, job.attempts]).sort()).toEqual([
      ["older", 1],
      ["oldest", 1],
    ]);
    expect(await dueInSeconds(database.db, "oldest")).toBeGreaterThan(50);
    // The rest: the one due now; the later one is not due, the leased ones are taken.
    expect((await testQueue.claim(database.db, { limit: 10, ...lease })).map((job) => job.id)).toEqual(["newer"]);
    expect(await testQueue.claim(database.db, { limit: 10, ...lease })).toEqual([]);
  });

  it("a lease that lapsed (its process died) lets another process take the job; the first one's outcome is then ignored", async () => {
    await addJobs({ id: "job" });
    const [first] = await testQueue.claim(database.db, { limit: 1, leaseMs: 0 });
    const [second] = await testQueue.claim(database.db, { limit: 1, ...lease });
    expect([first?.attempts, second?.attempts]).toEqual([1, 2]);
    await testQueue.complete(database.db, first as never, "done");
    expect((await jobRow("job"))?.status).toBe("pending");
    await testQueue.complete(database.db, second as never, "done");
    expect((await jobRow("job"))?.status).toBe("done");
  });

  it("two claims at once on separate connections never take the same job", async () => {
    await addJobs(...Array.from({ length: 40 }, (_, index) => ({ id: `job-${String(index).padStart(2, "0")}` })));
    const claims = await Promise.all(Array.from({ length: 8 }, () => testQueue.claim(database.db, { limit: 5, ...lease })));
    const ids = claims.flat().map((job) => job.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
  });
});

describe("outcomes", () => {
  it("a failed attempt waits the backoff's delay, keeping its attempt; a wait we were told to make does not count", async () => {
    await addJobs({ id: "job" });
    const [job] = await testQueue.claim(database.db, { limit: 1, ...lease });
    const outcome = await testQueue.fail(database.db, job as never, { error: "HTTP 500", backoff: listedBackoff([120_000], 0) });
    expect(outcome).toBe("retry");
    expect(await jobRow("job")).toMatchObject({ status: "pending", attempts: 1, lastError: "HTTP 500" });
    expect(await dueInSeconds(database.db, "job")).toBeGreaterThan(100);
    expect(await dueInSeconds(database.db, "job")).toBeLessThanOrEqual(120);

    await database.db.update(testJobs).set({ nextAttemptAt: sql`now()` });
    const [again] = await testQueue.claim(database.db, { limit: 1, ...lease });
    await testQueue.retry(database.db, again as never, { delayMs: 30_000, error: "429", countAttempt: false });
    expect(await jobRow("job")).toMatchObject({ status: "pending", attempts: 1, lastError: "429" });
  });

  it("past the backoff's last wait the job is dead-lettered: failed, with its last error, never claimed again", async () => {
    await addJobs({ id: "job" });
    const backoff = doublingBackoff({ firstMs: 0, capMs: 0, maxAttempts: 3 });
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [job] = await testQueue.claim(database.db, { limit: 1, ...lease });
      expect(job?.attempts).toBe(attempt);
      outcomes.push(await testQueue.fail(database.db, job as never, { error: `failure ${attempt}`, backoff }));
    }
    expect(outcomes).toEqual(["retry", "retry", "dead"]);
    expect(await jobRow("job")).toMatchObject({ status: "failed", attempts: 3, lastError: "failure 3" });
    expect(await testQueue.claim(database.db, { limit: 1, ...lease })).toEqual([]);
    expect(await testQueue.depth(database.db)).toEqual({ pending: 0, due: 0, deadLettered: 1, oldestDueMs: 0 });
  });

  it("an interrupted attempt is given back: due now, not counted", async () => {
    await addJobs({ id: "job" });
    const [job] = await testQueue.claim(database.db, { limit: 1, ...lease });
    await testQueue.release(database.db, job as never);
    expect(await jobRow("job")).toMatchObject({ status: "pending", attempts: 0 });
    expect((await testQueue.claim(database.db, { limit: 1, ...lease })).map((claimed) => claimed.attempts)).toEqual([1]);
  });

  it("a coalescing job whose version moved while it ran goes round again instead of finishing", async () => {
    await database.db.insert(testCoalescingJobs).values({ id: "chat-day" });
    const [job] = await coalescingQueue.claim(database.db, { limit: 1, ...lease });
    expect(job?.version).toBe(1);
    await database.db.update(testCoalescingJobs).set({ version: 2 });
    await coalescingQueue.complete(database.db, job as never, "done");
    const [row] = await database.db.select().from(testCoalescingJobs);
    expect(row).toMatchObject({ status: "pending", attempts: 0, version: 2 });
    const [next] = await coalescingQueue.claim(database.db, { limit: 1, ...lease });
    await coalescingQueue.complete(database.db, next as never, "done");
    expect((await database.db.select().from(testCoalescingJobs))[0]?.status).toBe("done");
  });

  it("depth: pending, due now, dead letters, and how late the oldest due job is", async () => {
    await addJobs({ id: "late", dueInMs: -5_000 }, { id: "due" }, { id: "later", dueInMs: 60_000 });
    await database.db.insert(testJobs).values({ id: "dead", status: "failed" });
    const depth = await testQueue.depth(database.db);
    expect({ ...depth, oldestDueMs: depth.oldestDueMs >= 5_000 }).toEqual({ pending: 3, due: 2, deadLettered: 1, oldestDueMs: true });
  });
});
