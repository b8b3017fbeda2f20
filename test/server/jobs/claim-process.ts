import { createInterface } from "node:readline";
import { openDatabase } from "../../../server/db/client";
import { testQueue } from "./test-queues";

// One of the processes of claim-contention.postgres.test.ts: says "ready", waits for "go" on
// stdin, then claims and completes test_jobs at DATABASE_URL until none is left, and prints the
// ids it ran as JSON.
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL as string, poolSize: 4 });
console.log("ready");
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
const ran: string[] = [];
for (;;) {
  const jobs = await testQueue.claim(database.db, { limit: 3, leaseMs: 60_000 });
  if (jobs.length === 0) break;
  for (const job of jobs) {
    await testQueue.complete(database.db, job, "done");
    ran.push(job.id);
  }
}
console.log(JSON.stringify(ran));
await database.close();
