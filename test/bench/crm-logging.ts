// The CRM-logging benchmark: what one chat-day's messages cost the Pipedrive log writer as the day
// grows — bytes sent to Pipedrive and rows read from PostgreSQL per message, at 50, 250 and 500
// messages in one chat and day, with one logging run after every message (the worst case: a
// quiet worker, a busy chat). The app runs in-process over a fresh PostgreSQL database and the
// strict fake Pipedrive (test/fakes/pipedrive.ts); its log worker is stopped so each run is this
// benchmark's own call of writeChatDayLog, and every statement it sends is captured
// (query-capture.ts), with the rows each returned.
//
//   tsx test/bench/crm-logging.ts       prints the Markdown section
//   runCrmLoggingBenchmark()            returns the figures (for test/bench/run.ts)
//
// BENCH_DATABASE_URL as for the inbox benchmark; BENCH_CRM_LOG_DAYS overrides "50,250,500".
import { fileURLToPath } from "node:url";
import { users, whatsappAccounts, workspaces } from "../../server/db/schema";
import { issueToken } from "../../server/identity/tokens";
import { newId } from "../../server/ids";
import { ingestInboundMessage } from "../../server/inbox/ingest";
import { PipedriveRateLimited } from "../../server/pipedrive/errors";
import { writeChatDayLog } from "../../server/pipedrive/log-writer";
import type { Services } from "../../server/services";
import { addMember } from "../../server/team/membership";
import { startFakePipedrive } from "../fakes/pipedrive";
import { startInProcessApp } from "./app-host";
import { openBenchDatabase } from "./engines";
import { type CapturedQuery, captureQueries } from "./query-capture";

const publicUrl = "https://switchboard.bench";
const callbackUrl = `${publicUrl}/api/v1/integrations/pipedrive/callback`;

export type CrmLoggingDay = {
  messages: number;
  /** Notes the day ended with in Pipedrive (parts). */
  notes: number;
  /** Request bodies sent to Pipedrive (JSON bytes), over the day, per message, and for the day's last message. */
  bytesTotal: number;
  bytesPerMessage: number;
  bytesLastMessage: number;
  /** Rows returned to the writer by its statements. */
  rowsPerMessage: number;
  rowsLastMessage: number;
  statementsPerMessage: number;
  /** Database and Pipedrive time of one run, mean over the day, and for the last message. */
  msPerMessage: number;
  msLastMessage: number;
  /** Runs refused by the burst limit and run again after Retry-After. */
  retriedRuns: number;
};
export type CrmLoggingBenchmark = { days: CrmLoggingDay[]; postgres: string };

/** Runs one chat-day per size in `days` and returns the figures. */
export async function runCrmLoggingBenchmark(options: { days?: number[]; log?: (line: string) => void } = {}): Promise<CrmLoggingBenchmark> {
  const days = options.days ?? (process.env.BENCH_CRM_LOG_DAYS ?? "50,250,500").split(",").map(Number);
  const log = options.log ?? (() => undefined);
  const database = await openBenchDatabase("postgres", "crm_log");
  const fake = await startFakePipedrive({ redirectUri: callbackUrl });
  const app = await startInProcessApp(database, {
    PUBLIC_URL: publicUrl,
    PIPEDRIVE_CLIENT_ID: fake.clientId,
    PIPEDRIVE_CLIENT_SECRET: fake.clientSecret,
    PIPEDRIVE_OAUTH_HOST: fake.url,
    PIPEDRIVE_JWT_SECRET: "bench-panel-jwt-secret",
  });
  try {
    // Each run is the benchmark's: the app's own worker would race it for the same jobs.
    for (const task of [...app.services.background]) await task.stop();
    const { workspaceId, memberId, token } = await seedAdmin(database);
    await connectWorkspace(app.url, token, fake);
    const accountId = await seedAccount(database, workspaceId, memberId);
    const results: CrmLoggingDay[] = [];
    for (const [index, messages] of days.entries()) {
      log(`crm logging: a ${messages}-message day`);
      const phone = `+1555020${String(index).padStart(4, "0")}`;
      fake.addPerson({ name: `Busy customer ${index}`, phones: [{ value: phone, label: "mobile", primary: true }] });
      results.push(await measureDay(app.services, fake, { workspaceId, accountId, phone, messages, dayIndex: index }));
    }
    const [version] = (await database.pool?.query("select version() as version"))?.rows ?? [];
    return { days: results, postgres: String(version?.version ?? "").replace(/ on (x86_64|aarch64).*$/, "") };
  } finally {
    await app.close();
    await fake.close();
    await database.dispose();
  }
}

type Fake = Awaited<ReturnType<typeof startFakePipedrive>>;

async function measureDay(
  services: Services,
  fake: Fake,
  input: { workspaceId: string; accountId: string; phone: string; messages: number; dayIndex: number },
): Promise<CrmLoggingDay> {
  // A past day per size, so no two sizes share a chat-day and none crosses midnight.
  const day = new Date(Date.UTC(2026, 10, 1 + input.dayIndex)).toISOString().slice(0, 10);
  const dayStart = new Date(`${day}T08:00:00.000Z`);
  const runs: { bytes: number; rows: number; statements: number; ms: number }[] = [];
  const db = services.database.db;
  let chatId = "";
  let retriedRuns = 0;
  for (let index = 1; index <= input.messages; index++) {
    const ingested = await ingestInboundMessage(db, {
      workspaceId: input.workspaceId,
      accountId: input.accountId,
      from: { phone: input.phone, name: "Busy customer" },
      providerMessageId: `bench-crm-${input.dayIndex}-${index}`,
      text: messageText(index),
      receivedAt: new Date(dayStart.getTime() + index * 20_000),
    });
    chatId = ingested.chatId;
    // Pipedrive's burst limit (80 requests per 2 s per token, enforced by the fake) refuses a run
    // now and then at this pace: wait as the worker would and run again; the completed run counts.
    let requestsBefore = fake.requests.length;
    let started = performance.now();
    let captured: { result: Awaited<ReturnType<typeof writeChatDayLog>>; queries: CapturedQuery[] } | null = null;
    while (!captured) {
      requestsBefore = fake.requests.length;
      started = performance.now();
      try {
        captured = await captureQueries(() => writeChatDayLog(services, { workspaceId: input.workspaceId, chatId, day }));
      } catch (error) {
        if (!(error instanceof PipedriveRateLimited)) throw error;
        retriedRuns++;
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
      }
    }
    const { result, queries } = captured;
    const ms = performance.now() - started;
    if (result.kind !== "done") throw new Error(`logging run ${index} ended ${result.kind}`);
    const sent = fake.requests.slice(requestsBefore).filter((request) => request.path.startsWith("/api/v1/notes"));
    runs.push({
      bytes: sent.reduce((total, request) => total + JSON.stringify(request.body ?? null).length, 0),
      rows: queries.reduce((total, query) => total + query.rows, 0),
      statements: queries.length,
      ms,
    });
  }
  const last = runs.at(-1) ?? { bytes: 0, rows: 0, statements: 0, ms: 0 };
  const mean = (pick: (run: (typeof runs)[number]) => number) => runs.reduce((total, run) => total + pick(run), 0) / runs.length;
  return {
    messages: input.messages,
    notes: fake.notes.filter((note) => note.content.includes(`${day} (UTC)`)).length,
    bytesTotal: runs.reduce((total, run) => total + run.bytes, 0),
    bytesPerMessage: mean((run) => run.bytes),
    bytesLastMessage: last.bytes,
    rowsPerMessage: mean((run) => run.rows),
    rowsLastMessage: last.rows,
    statementsPerMessage: mean((run) => run.statements),
    msPerMessage: mean((run) => run.ms),
    msLastMessage: last.ms,
    retriedRuns,
  };
}

/** A customer's message of 60–140 characters (deterministic). */
function messageText(index: number): string {
  const filler = "the kitchen fitting, the delivery window and whether the invoice covers the worktop ";
  return `Message ${index}: ${filler.slice(0, 40 + ((index * 37) % 80))}`.trim();
}

async function seedAdmin(database: Awaited<ReturnType<typeof openBenchDatabase>>) {
  const workspaceId = newId("ws");
  await database.db.insert(workspaces).values({ id: workspaceId, name: "CRM logging bench", joinCode: `join-${newId("j")}` });
  const userId = newId("usr");
  await database.db.insert(users).values({ id: userId, email: "crm-bench@example.test", name: "Bench admin", passwordHash: "not-used" });
  const memberId = await addMember(database.db, { workspaceId, userId, roleId: "owner" });
  const { token } = await issueToken(database.db, { workspaceId, memberId, kind: "session" });
  return { workspaceId, memberId, token };
}

async function call(baseUrl: string, token: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Connect → the link through Switchboard (its cookie) → Pipedrive's consent → the callback, as a browser would. */
async function connectWorkspace(baseUrl: string, token: string, fake: Fake): Promise<void> {
  const started = await call(baseUrl, token, "POST", "/integrations/pipedrive/connect");
  const link = new URL(started.authorizeUrl as string);
  const opened = await fetch(`${baseUrl.replace(/\/api\/v1$/, "")}${link.pathname}${link.search}`, { redirect: "manual" });
  await opened.arrayBuffer();
  const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const state = new URL(opened.headers.get("location") ?? "").searchParams.get("state") ?? "";
  const query = new URLSearchParams({ code: fake.issueAuthorizationCode(), state });
  const finished = await fetch(`${baseUrl}/integrations/pipedrive/callback?${query}`, { redirect: "manual", headers: { cookie } });
  await finished.arrayBuffer();
  const outcome = new URLSearchParams((finished.headers.get("location") ?? "").split("?")[1] ?? "");
  if (finished.status !== 302 && finished.status !== 303) throw new Error(`the callback answered ${finished.status}`);
  if (outcome.get("error")) throw new Error(`the callback refused: ${outcome.toString()}`);
}

/** A WhatsApp account row (messages arrive through ingestInboundMessage; nothing is sent). */
async function seedAccount(database: Awaited<ReturnType<typeof openBenchDatabase>>, workspaceId: string, memberId: string): Promise<string> {
  const id = newId("wa");
  await database.db
    .insert(whatsappAccounts)
    .values({ workspaceId, id, provider: "sandbox", phoneNumber: "+15550109999", displayName: "Bench line", connectedBy: memberId });
  return id;
}

/** The section for RESULTS.md. */
export function renderCrmLoggingSection(result: CrmLoggingBenchmark): string {
  const number = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const rows = result.days.map(
    (day) =>
      `| ${day.messages} | ${day.notes} | ${number(day.bytesTotal)} | ${number(day.bytesPerMessage)} | ${number(day.bytesLastMessage)} | ${number(day.rowsPerMessage, 1)} | ${number(day.rowsLastMessage)} | ${number(day.statementsPerMessage, 1)} | ${number(day.msPerMessage, 1)} | ${number(day.msLastMessage, 1)} |`,
  );
  const first = result.days[0];
  const lastDay = result.days.at(-1);
  const flat = first && lastDay ? Math.max(lastDay.bytesPerMessage / first.bytesPerMessage, lastDay.rowsPerMessage / first.rowsPerMessage) <= 1.5 : false;
  return [
    "## CRM logging: cost per message as a chat-day grows",
    "",
    `One chat, one UTC day, one logging run after every message (writeChatDayLog, the worker stopped), notes mode, against the strict fake Pipedrive; ${result.postgres}. Bytes are the JSON bodies sent to Pipedrive; rows are those the writer's statements returned. A run refused by Pipedrive's burst limit (80 requests per 2 s per token, which the fake enforces) waits its Retry-After and runs again, as the worker would; only the run that completes is counted (retried runs: ${result.days.map((day) => `${day.messages}-message day ${day.retriedRuns}`).join(", ")}).`,
    "",
    "| messages in the day | notes (parts) | bytes sent, day | bytes / message | bytes, last message | rows read / message | rows, last message | statements / message | ms / message | ms, last message |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    `Target: bytes and rows per message flat in the day's size (the largest day within 1.5× of the smallest) — ${flat ? "PASS" : "MISS"}.`,
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runCrmLoggingBenchmark({ log: (line) => console.error(line) }).then(
    (result) => {
      console.log(renderCrmLoggingSection(result));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
