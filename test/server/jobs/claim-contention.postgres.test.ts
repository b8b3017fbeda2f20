import { spawn } from "node:child_process";
import path from "node:path";
import type { DatabaseHandle } from "../../../server/db/client";
import { openTestDatabase } from "../../support/database";
import { createTestQueueTables, testJobs } from "./test-queues";

// Claim contention between real processes on one PostgreSQL database: two server-like processes
// claim from the same queue at once, each on its own connections.
const repositoryRoot = path.resolve(import.meta.dirname, "../../..");
const jobCount = 400;

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
  await createTestQueueTables(database.db);
});
afterAll(async () => database?.close());

function claimingProcess() {
  const child = spawn(process.execPath, ["--import", "tsx", "test/server/jobs/claim-process.ts"], {
    cwd: repositoryRoot,
    env: { ...process.env, DATABASE_URL: database.databaseUrl },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", () => output.includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`claiming process exited with ${code} before it was ready:\n${output}`)));
  });
  const ran = new Promise<string[]>((resolve, reject) =>
    child.once("exit", (code) => {
      const last = output.trim().split("\n").at(-1) ?? "";
      if (code === 0) resolve(JSON.parse(last) as string[]);
      else reject(new Error(`claiming process exited with ${code}:\n${output}`));
    }),
  );
  return { ready, ran, go: () => child.stdin.end("go\n") };
}

it("two processes claiming one queue at once run every job exactly once between them", async () => {
  await database.db.insert(testJobs).values(Array.from({ length: jobCount }, (_, index) => ({ id: `job-${String(index).padStart(3, "0")}` })));
  const processes = [claimingProcess(), claimingProcess()];
  await Promise.all(processes.map((claiming) => claiming.ready));
  for (const claiming of processes) claiming.go();
  const [first, second] = await Promise.all(processes.map((claiming) => claiming.ran));
  const all = [...(first ?? []), ...(second ?? [])];
  expect(all).toHaveLength(jobCount);
  expect(new Set(all).size).toBe(jobCount);
  // Both took part: the jobs were contended, not all run by one process while the other started.
  expect([first?.length ?? 0, second?.length ?? 0].every((count) => count > 0)).toBe(true);
  const rows = await database.db.select({ status: testJobs.status, attempts: testJobs.attempts }).from(testJobs);
  expect(rows.filter((row) => row.status !== "done" || row.attempts !== 1)).toEqual([]);
}, 120_000);
