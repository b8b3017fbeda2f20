// The chat list with per-number access overrides present: `tsx test/bench/overrides.ts`.
// OVERRIDE_SIZES (default 1k,100k), BENCH_ENGINES (default postgres), BENCH_REQUESTS per caller
// and condition (default 80, in 8 alternating rounds). For a Teammate and an Agent, GET
// /chats?limit=50 (first page) p50/p99 without overrides and with a few (theirs and their role's:
// full, read and none on busy and quiet accounts) — the target the main bench holds lists to:
// p50 at 100k ≤ 1.5× p50 at 1k. Results go to stdout as the RESULTS.md table rows.

import { eq } from "drizzle-orm";
import { accountAccessOverrides } from "../../server/db/schema";
import { issueToken } from "../../server/identity/tokens";
import { startInProcessApp } from "./app-host";
import { type EngineName, openBenchDatabase } from "./engines";
import { httpClient } from "./http-client";
import { accountConnector, accountId, memberId } from "./layout";
import { seedWorkspace } from "./seed";
import { milliseconds, summarize } from "./stats";

const parseSize = (text: string) => Math.round(Number.parseFloat(text) * (text.endsWith("m") ? 1e6 : text.endsWith("k") ? 1e3 : 1));
const sizes = (process.env.OVERRIDE_SIZES ?? "1k,100k").split(",").map((text) => ({ label: text.trim(), chats: parseSize(text.trim()) }));
const engines = (process.env.BENCH_ENGINES ?? "postgres").split(",") as EngineName[];
const requests = Number(process.env.BENCH_REQUESTS ?? 80);
const rounds = 8;
const workspaceId = "ws_bench";

const callers = [
  { key: "Teammate", memberIndex: 5 },
  { key: "Agent (connected account 5)", memberIndex: accountConnector(5) },
];
/** A few overrides, as an Admin would set them: accounts 0 (busiest), 1, 2, 3, 7, 8. */
const overrides = [
  { subjectType: "member", subjectId: memberId(5), accountIndex: 0, access: "read" },
  { subjectType: "member", subjectId: memberId(5), accountIndex: 1, access: "none" },
  { subjectType: "role", subjectId: "teammate", accountIndex: 3, access: "none" },
  { subjectType: "role", subjectId: "agent", accountIndex: 0, access: "read" },
  { subjectType: "role", subjectId: "agent", accountIndex: 7, access: "full" },
  { subjectType: "member", subjectId: memberId(accountConnector(5)), accountIndex: 2, access: "full" },
  { subjectType: "member", subjectId: memberId(accountConnector(5)), accountIndex: 8, access: "none" },
] as const;

console.log(`| engine | chats | caller | overrides | p50 ms | p99 ms | requests | rows (first page) |`);
console.log(`| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |`);
for (const engine of engines) {
  for (const size of sizes) {
    const database = await openBenchDatabase(engine, `overrides_${size.label}`);
    const seeded = await seedWorkspace(database, size.chats, workspaceId);
    console.error(`seeded ${engine} ${size.label}: ${seeded.chats} chats in ${seeded.seconds.toFixed(0)} s`);
    const app = await startInProcessApp(database);
    const client = httpClient(app.url, 1);
    try {
      const overrideRows = overrides.map((override) => ({
        workspaceId,
        accountId: accountId(override.accountIndex),
        subjectType: override.subjectType,
        subjectId: override.subjectId,
        access: override.access,
        setBy: memberId(0),
      }));
      const setOverrides = async (present: boolean) => {
        await database.db.delete(accountAccessOverrides).where(eq(accountAccessOverrides.workspaceId, workspaceId));
        if (present) await database.db.insert(accountAccessOverrides).values(overrideRows);
      };
      for (const caller of callers) {
        const { token } = await issueToken(database.db, { workspaceId, memberId: memberId(caller.memberIndex), kind: "personal", name: "overrides bench" });
        const path = "/chats?limit=50";
        const rows: Record<string, number> = {};
        const samples: Record<string, number[]> = { without: [], with: [] };
        // Rounds alternate without / with overrides, so the machine's load drifts over both alike.
        const deadline = performance.now() + 120_000;
        for (let round = 0; round < rounds && performance.now() < deadline; round++) {
          for (const present of [false, true]) {
            await setOverrides(present);
            const key = present ? "with" : "without";
            for (let i = 0; i < 3; i++) {
              const reply = await client.get(path, token);
              if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${reply.text}`);
              rows[key] = (JSON.parse(reply.text) as { data: unknown[] }).data.length;
            }
            for (let i = 0; i < requests / rounds; i++) {
              const started = performance.now();
              await client.get(path, token);
              samples[key]?.push(performance.now() - started);
            }
          }
        }
        for (const key of ["without", "with"] as const) {
          const summary = summarize(samples[key] ?? []);
          console.log(
            `| ${engine === "postgres" ? "PostgreSQL" : "PGlite"} | ${size.chats.toLocaleString("en")} | ${caller.key} | ${key === "with" ? overrides.length : 0} | ${milliseconds(summary.p50)} | ${milliseconds(summary.p99)} | ${summary.count} | ${rows[key]} |`,
          );
        }
      }
    } finally {
      client.close();
      await app.close();
      await database.dispose();
    }
  }
}
