import type { DatabaseHandle } from "../../server/db/client";
import { issueToken } from "../../server/identity/tokens";
import { startInProcessApp } from "./app-host";
import { requestQueries } from "./explain";
import { type HttpClient, httpClient } from "./http-client";
import { type BenchCaller, type BenchCallerKey, benchCallers, memberId } from "./layout";
import { type CapturedQuery, captureQueries } from "./query-capture";
import { type LatencySummary, summarize } from "./stats";

export const latencyCaseKeys = ["chats_first", "chats_deep", "messages"] as const;
export type LatencyCaseKey = (typeof latencyCaseKeys)[number];

export const caseLabels: Record<LatencyCaseKey, string> = {
  chats_first: "GET /chats (first page)",
  chats_deep: "GET /chats (deep cursor)",
  messages: "GET /chats/:id/messages",
};

export type LatencyResult = LatencySummary & {
  caller: BenchCallerKey;
  caseKey: LatencyCaseKey;
  /** Where the deep cursor sits, or how many chats the message requests rotate over. */
  detail: string;
  /** The deep cursor's decoded key (last_message_at text, chat id), for the what-if queries. */
  cursorKey: [string, string] | null;
  /** Median time per request spent waiting on PostgreSQL (all its queries, token lookup included). */
  databaseP50: number;
  errors: number;
  /** The SQL the app sent for one request of this case (auth lookup included), for EXPLAIN. */
  queries: CapturedQuery[];
};

export type LatencyOptions = { warmup: number; timedRequests: number; secondsPerCase: number };
const pageLimit = 50;
const deepTarget = 2000;

type ChatPage = { data: { id: string }[]; nextCursor: string | null };

/** One seeded workspace to measure: its own database and, during the run, its own app. */
export type LatencyTarget = { label: string; database: DatabaseHandle; workspaceId: string };

type CasePlan = { paths: string[]; detail: string; cursorKey: [string, string] | null };
type Prepared = { client: HttpClient; token: string; plans: Record<LatencyCaseKey, CasePlan> };

/**
 * Measures every caller × case through the real HTTP API, one request at a time. The sizes run
 * interleaved — request i goes to every size before request i + 1 — so whatever else the machine
 * is doing weighs on each size alike and the 100k/1k ratios stay fair. Each case has a time cap.
 */
export async function measureLatency(targets: LatencyTarget[], options: LatencyOptions): Promise<Map<string, LatencyResult[]>> {
  const apps = await Promise.all(targets.map((target) => startInProcessApp(target.database)));
  const clients = apps.map((app) => httpClient(app.url, 1));
  const results = new Map<string, LatencyResult[]>(targets.map((target) => [target.label, []]));
  try {
    for (const caller of benchCallers) {
      const prepared: Prepared[] = [];
      for (const [index, target] of targets.entries()) {
        const client = clients[index] as HttpClient;
        const { token } = await issueToken(target.database.db, {
          workspaceId: target.workspaceId,
          memberId: memberId(caller.memberIndex),
          kind: "personal",
          name: `bench ${caller.key}`,
        });
        prepared.push({ client, token, plans: planCases(await walkChats(client, token), options.timedRequests) });
      }
      for (const caseKey of latencyCaseKeys) {
        const timings = await timeCase(
          prepared.map((entry) => ({ client: entry.client, token: entry.token, paths: entry.plans[caseKey].paths })),
          options,
        );
        targets.forEach((target, index) => {
          const plan = (prepared[index] as Prepared).plans[caseKey];
          results.get(target.label)?.push({ caller: caller.key, caseKey, detail: plan.detail, cursorKey: plan.cursorKey, ...(timings[index] as CaseTiming) });
        });
      }
    }
    return results;
  } finally {
    for (const client of clients) client.close();
    await Promise.all(apps.map((app) => app.close()));
  }
}

function planCases(walk: Awaited<ReturnType<typeof walkChats>>, timedRequests: number): Record<LatencyCaseKey, CasePlan> {
  const deep = walk.deepCursor;
  return {
    chats_first: { paths: [`/chats?limit=${pageLimit}`], detail: `${walk.seen}${walk.ended ? "" : "+"} visible`, cursorKey: null },
    chats_deep: deep
      ? {
          paths: [`/chats?limit=${pageLimit}&cursor=${deep.cursor}`],
          detail: `after ${deep.offset}, ${walk.ended ? Math.min(pageLimit, walk.seen - deep.offset) : pageLimit} rows`,
          cursorKey: JSON.parse(Buffer.from(deep.cursor, "base64url").toString("utf8")) as [string, string],
        }
      : { paths: [], detail: "list fits one page", cursorKey: null },
    messages: {
      paths: walk.chatIds.slice(0, timedRequests).map((id) => `/chats/${id}/messages?limit=${pageLimit}`),
      detail: `rotating over ${Math.min(walk.chatIds.length, timedRequests)} chats`,
      cursorKey: null,
    },
  };
}

/** Pages through the caller's list up to ~2,000 chats in, keeping the ids and a deep cursor. */
async function walkChats(client: HttpClient, token: string) {
  const chatIds: string[] = [];
  const cursors: { offset: number; cursor: string }[] = [];
  let cursor: string | null = null;
  do {
    const page: ChatPage = await getJson<ChatPage>(client, `/chats?limit=${pageLimit}${cursor ? `&cursor=${cursor}` : ""}`, token);
    chatIds.push(...page.data.map((chat) => chat.id));
    cursor = page.nextCursor;
    if (cursor) cursors.push({ offset: chatIds.length, cursor });
  } while (cursor && chatIds.length < deepTarget);
  const ended = cursor === null;
  // A short list has no cursor 2,000 in: take one about 90 % down instead, but no further than
  // leaves a full page (or, on a list of one page, all but one chat), so both sizes compare pages
  // of the same length rather than 50 rows at 100k against the last 5 at 1k.
  const wanted = ended ? Math.max(1, Math.min(Math.floor(chatIds.length * 0.9), chatIds.length - pageLimit)) : deepTarget;
  let deepCursor = [...cursors].reverse().find((candidate) => candidate.offset <= wanted) ?? null;
  if (!deepCursor && wanted >= 1) {
    const page = await getJson<ChatPage>(client, `/chats?limit=${wanted}`, token);
    if (page.nextCursor) deepCursor = { offset: wanted, cursor: page.nextCursor };
  }
  return { chatIds, seen: chatIds.length, ended, deepCursor };
}

type CaseTiming = Omit<LatencyResult, "caller" | "caseKey" | "detail" | "cursorKey">;
type CaseRunner = { client: HttpClient; token: string; paths: string[] };

async function timeCase(runners: CaseRunner[], options: LatencyOptions): Promise<CaseTiming[]> {
  const samples = runners.map(() => [] as number[]);
  const databaseSamples = runners.map(() => [] as number[]);
  const errors = runners.map(() => 0);
  const request = async (runnerIndex: number, index: number) => {
    const runner = runners[runnerIndex] as CaseRunner;
    const started = performance.now();
    // Requests are sequential, so the queries captured meanwhile are this request's (PostgreSQL only).
    const { result: reply, queries } = await captureQueries(() => runner.client.get(runner.paths[index % runner.paths.length] as string, runner.token));
    const elapsed = performance.now() - started;
    if (reply.status !== 200) errors[runnerIndex] = (errors[runnerIndex] ?? 0) + 1;
    const own = requestQueries(queries);
    if (own.length > 0) databaseSamples[runnerIndex]?.push(own.reduce((sum, query) => sum + query.milliseconds, 0));
    return elapsed;
  };
  const active = runners.map((runner, index) => (runner.paths.length > 0 ? index : -1)).filter((index) => index >= 0);
  for (let index = 0; index < options.warmup; index++) for (const runnerIndex of active) await request(runnerIndex, index);
  const deadline = performance.now() + options.secondsPerCase * 1000;
  for (let index = 0; index < options.timedRequests && performance.now() < deadline; index++) {
    for (const runnerIndex of active) samples[runnerIndex]?.push(await request(runnerIndex, index));
  }
  // One at a time: the capture hook sees every query of this process.
  const timings: CaseTiming[] = [];
  for (const [runnerIndex, runner] of runners.entries()) {
    const queries = runner.paths.length > 0 ? (await captureQueries(() => runner.client.get(runner.paths[0] as string, runner.token))).queries : [];
    timings.push({
      ...summarize(samples[runnerIndex] ?? []),
      databaseP50: summarize(databaseSamples[runnerIndex] ?? []).p50,
      errors: errors[runnerIndex] ?? 0,
      queries,
    });
  }
  return timings;
}

async function getJson<T>(client: HttpClient, path: string, token: string): Promise<T> {
  const reply = await client.get(path, token);
  if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  return JSON.parse(reply.text) as T;
}

export type { BenchCaller };
