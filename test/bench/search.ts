// The chat search (`GET /chats?q=`) at the bench's sizes: `tsx test/bench/search.ts` (README.md, 7).
// SEARCH_SIZES (default 1k,100k), BENCH_ENGINES (default postgres,pglite), BENCH_REQUESTS per
// query (default 40); BENCH_KEEP=1 keeps the PostgreSQL databases and SEARCH_REUSE=1 measures
// a kept one again without seeding (after a migration, for a before/after on the same data).

import { openDatabase } from "../../server/db/client";
import { issueToken } from "../../server/identity/tokens";
import { startInProcessApp } from "./app-host";
import { adminDatabaseUrl, type EngineName, engineNames, openBenchDatabase, withDatabase } from "./engines";
import { httpClient } from "./http-client";
import { benchCallers, memberId } from "./layout";
import { seedWorkspace } from "./seed";
import { milliseconds, summarize } from "./stats";

const parseSize = (text: string) => Math.round(Number.parseFloat(text) * (text.endsWith("m") ? 1e6 : text.endsWith("k") ? 1e3 : 1));
const sizes = (process.env.SEARCH_SIZES ?? "1k,100k").split(",").map((text) => ({ label: text.trim(), chats: parseSize(text.trim()) }));
const engines = (process.env.BENCH_ENGINES ?? engineNames.join(",")).split(",") as EngineName[];
const requests = Number(process.env.BENCH_REQUESTS ?? 40);
const reuse = process.env.SEARCH_REUSE === "1";
const workspaceId = "ws_bench";

// What members type: a first name, a surname, a word of a message, a rare message token (the
// seed's "#NNNNN" suffix), a whole phone number as typed, a few digits of one, a 2-letter prefix.
export const searchQueries = [
  { key: "name", q: "Fatima" },
  { key: "surname", q: "okafor" },
  { key: "common word", q: "invoice" },
  { key: "rare text", q: "#4242" },
  { key: "no hit", q: "zebra" },
  { key: "phone typed", q: "+1 310 200 4242" },
  { key: "phone digits", q: "2004242" },
  { key: "2 chars", q: "ok" },
];

const owner = benchCallers.find((caller) => caller.key.toLowerCase().includes("owner")) ?? benchCallers[0];
const agent = benchCallers.find((caller) => caller.key.toLowerCase().includes("agent")) ?? benchCallers[1];

console.log(`| engine | chats | messages | caller | query | p50 ms | p99 ms | max ms | hits (first page) |`);
console.log(`| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |`);
for (const engine of engines) {
  for (const size of sizes) {
    const database =
      reuse && engine === "postgres"
        ? {
            ...(await openDatabase({ databaseUrl: withDatabase(adminDatabaseUrl, `switchboard_bench_${size.label}`), poolSize: 10 })),
            dispose: async () => undefined,
          }
        : await openBenchDatabase(engine, size.label);
    const seeded = reuse && engine === "postgres" ? null : await seedWorkspace(database, size.chats, workspaceId);
    if (seeded) console.error(`seeded ${engine} ${size.label}: ${seeded.chats} chats, ${seeded.messages} messages in ${seeded.seconds.toFixed(0)} s`);
    const app = await startInProcessApp(database);
    const client = httpClient(app.url, 1);
    try {
      for (const caller of [owner, agent]) {
        if (!caller) continue;
        const { token } = await issueToken(database.db, {
          workspaceId,
          memberId: memberId(caller.memberIndex),
          kind: "personal",
          name: `search ${caller.key}`,
        });
        for (const query of searchQueries) {
          const path = `/chats?limit=50&q=${encodeURIComponent(query.q)}`;
          let hits = 0;
          for (let i = 0; i < 3; i++) {
            const reply = await client.get(path, token);
            if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${reply.text}`);
            hits = (JSON.parse(reply.text) as { data: unknown[] }).data.length;
          }
          const samples: number[] = [];
          const deadline = performance.now() + 60_000;
          for (let i = 0; i < requests && performance.now() < deadline; i++) {
            const started = performance.now();
            await client.get(path, token);
            samples.push(performance.now() - started);
          }
          const summary = summarize(samples);
          console.log(
            `| ${engine === "postgres" ? "PostgreSQL" : "PGlite"} | ${size.chats.toLocaleString("en")} | ${seeded ? seeded.messages.toLocaleString("en") : "(kept)"} | ${caller.key} | \`${query.q}\` (${query.key}) | ${milliseconds(summary.p50)} | ${milliseconds(summary.p99)} | ${milliseconds(summary.max)} | ${hits} |`,
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
