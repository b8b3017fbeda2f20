// The campaign benchmark: a 10,000-recipient campaign on the sandbox provider at a configured
// 80 messages/s, sent by the production entry point (server/main.ts) as its own process against
// PostgreSQL — once uninterrupted, once with a `kill -9` of that process halfway and a restart.
//
//   tsx test/bench/campaign.ts          prints the Markdown section
//   runCampaignBenchmark()              returns the figures (for test/bench/run.ts)
//
// Rate figures come from the pacing slots stored as each recipient's sent_at (database clock)
// and from the dispatcher's "campaign send" log lines, written just before each provider call
// (send attempts: a recipient sent twice would show two). BENCH_DATABASE_URL as for the inbox
// benchmark; BENCH_CAMPAIGN_RECIPIENTS and BENCH_CAMPAIGN_RATE override 10,000 and 80.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq, sql } from "drizzle-orm";
import pg from "pg";
import { type DatabaseHandle, openDatabase } from "../../server/db/client";
import { campaignRecipients, campaigns, users, workspaces } from "../../server/db/schema";
import { issueToken } from "../../server/identity/tokens";
import { newId } from "../../server/ids";
import { addMember } from "../../server/team/membership";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const adminDatabaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const unknownOutcomeAfterMs = 5_000;

export type CampaignRunFigures = {
  label: string;
  recipients: number;
  sent: number;
  /** Failed as "outcome unknown" after the kill: in flight when the process died, never re-sent. */
  unknown: number;
  /** Recipients with more than one send attempt in the log, or more than one provider id. */
  duplicates: number;
  /** Sent per second from the first slot to the last, including any outage. */
  averageRate: number;
  /** Sent per second while a process was sending (the outage left out). */
  sendingRate: number;
  /** Sent per second over the slowest tenth of the recipients (the outage left out): steadiness. */
  slowestTenthRate: number;
  /** The most slots (sent_at) in any one-second window [t, t + 1 s). */
  busiestSecondSlots: number;
  /** The most send attempts (log times, as the provider sees them) in any one-second window. */
  busiestSecondAttempts: number;
  wallSeconds: number;
  /** CPU time of the server process(es), in ms per recipient sent (from /proc). */
  serverCpuMsPerRecipient: number | null;
  /** Kill run only: sent before the kill, and the gap between the last slot before it and the first after. */
  killedAfter?: number;
  outageSeconds?: number;
};

export type CampaignBenchmark = { rate: number; recipients: number; processes: number; runs: CampaignRunFigures[]; loadAverage: string; postgres: string };

/** Runs both campaigns and returns their figures. */
export async function runCampaignBenchmark(
  options: { recipients?: number; rate?: number; processes?: number; runs?: ("uninterrupted" | "kill")[]; log?: (line: string) => void } = {},
): Promise<CampaignBenchmark> {
  const recipients = options.recipients ?? Number(process.env.BENCH_CAMPAIGN_RECIPIENTS ?? 10_000);
  const rate = options.rate ?? Number(process.env.BENCH_CAMPAIGN_RATE ?? 80);
  const processes = options.processes ?? Number(process.env.BENCH_CAMPAIGN_PROCESSES ?? 1);
  const log = options.log ?? ((line: string) => console.error(`[campaign bench] ${line}`));
  const [version] = await adminQuery("select version() as version");
  const runs: CampaignRunFigures[] = [];
  for (const kill of (options.runs ?? ["uninterrupted", "kill"]).map((run) => run === "kill")) {
    const label = kill ? "kill -9 halfway, restart" : "uninterrupted";
    log(`${label}: ${recipients} recipients at ${rate}/s, ${processes} server process(es)`);
    runs.push(await runOnce({ recipients, rate, processes, kill, label, log }));
  }
  return {
    rate,
    recipients,
    processes,
    runs,
    loadAverage: os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(", "),
    postgres: String(version?.version ?? "").replace(/ on x86_64.*$/, ""),
  };
}

async function runOnce(input: {
  recipients: number;
  rate: number;
  processes: number;
  kill: boolean;
  label: string;
  log: (line: string) => void;
}): Promise<CampaignRunFigures> {
  const name = `switchboard_bench_campaign_${input.kill ? "kill" : "run"}`;
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${name}`);
  const databaseUrl = withDatabase(adminDatabaseUrl, name);
  const database = await openDatabase({ databaseUrl, poolSize: 2 });
  const attempts: { key: string; at: number }[] = [];
  let children: ChildProcess[] = [];
  const stopAll = async (signal: NodeJS.Signals) => {
    const cpuMs = children.reduce((sum, child) => sum + processCpuMs(child.pid), 0);
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve(null);
            child.once("exit", resolve);
            child.kill(signal);
          }),
      ),
    );
    children = [];
    return cpuMs;
  };
  try {
    const { token } = await seedOwner(database);
    const ports = await Promise.all(Array.from({ length: input.processes }, () => freePort()));
    const api = apiClient(`http://127.0.0.1:${ports[0]}/api/v1`, token);
    const startAll = async () => {
      children = await Promise.all(
        ports.map((port) => startServer({ port, databaseUrl, rate: input.rate, onAttempt: (key, at) => attempts.push({ key, at }) })),
      );
    };
    await startAll();
    const account = await api("POST", "/whatsapp-accounts", { provider: "sandbox", phoneNumber: "+15550190000", displayName: "Bench line" });
    const template = await api("POST", "/templates", {
      name: "Bench",
      body: "Hi {{name}}, your order {{order}} is ready.",
      metaTemplateName: "order_update",
      metaLanguage: "en_US",
    });
    const list = Array.from({ length: input.recipients }, (_, index) => ({
      phone: `+1555${String(3_000_000 + index)}`,
      name: `Customer ${index}`,
      variables: { order: `#${index}` },
    }));
    const startedAt = Date.now();
    const launched = await api("POST", "/campaigns", { accountId: account.account.id, templateId: template.template.id, recipients: list });
    const campaignId = launched.campaign.id as string;
    let killedAfter: number | undefined;
    let serverCpuMs = 0;
    if (input.kill) {
      await until(async () => (await sentCount(database, campaignId)) >= input.recipients / 2, 600_000);
      serverCpuMs += await stopAll("SIGKILL");
      killedAfter = await sentCount(database, campaignId);
      input.log(`killed (SIGKILL) after ${killedAfter} sent; restarting`);
      await startAll();
    }
    await until(async () => (await campaignStatus(database, campaignId)) === "completed", 900_000);
    const wallSeconds = (Date.now() - startedAt) / 1000;
    serverCpuMs += await stopAll("SIGTERM");
    const figures = await measure(database, campaignId, attempts, killedAfter);
    return {
      label: input.label,
      recipients: input.recipients,
      ...figures,
      wallSeconds,
      serverCpuMsPerRecipient: serverCpuMs > 0 ? serverCpuMs / figures.sent : null,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await database.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function measure(database: DatabaseHandle, campaignId: string, attempts: { key: string; at: number }[], killedAfter: number | undefined) {
  const rows = await database.db
    .select({ seq: campaignRecipients.seq, status: campaignRecipients.status, sentAt: campaignRecipients.sentAt, error: campaignRecipients.error })
    .from(campaignRecipients)
    .where(eq(campaignRecipients.campaignId, campaignId));
  const slots = rows.flatMap((row) => (row.sentAt ? [row.sentAt.getTime()] : [])).sort((a, b) => a - b);
  const perRecipient = new Map<string, number>();
  for (const attempt of attempts.filter((entry) => entry.key.startsWith(`${campaignId}:`)))
    perRecipient.set(attempt.key, (perRecipient.get(attempt.key) ?? 0) + 1);
  const gaps = slots.slice(1).map((slot, index) => slot - (slots[index] as number));
  const outageMs = killedAfter === undefined ? 0 : Math.max(0, ...gaps);
  const spanSeconds = ((slots.at(-1) ?? 0) - (slots[0] ?? 0)) / 1000;
  return {
    sent: slots.length,
    unknown: rows.filter((row) => row.status === "failed" && row.error?.startsWith("outcome unknown")).length,
    duplicates: [...perRecipient.values()].filter((count) => count > 1).length,
    averageRate: (slots.length - 1) / spanSeconds,
    sendingRate: (slots.length - (killedAfter === undefined ? 1 : 2)) / (spanSeconds - outageMs / 1000),
    slowestTenthRate: slowestTenthRate(gaps.map((gap) => (killedAfter !== undefined && gap === outageMs ? 0 : gap))),
    busiestSecondSlots: busiestSecond(slots),
    busiestSecondAttempts: busiestSecond(attempts.map((attempt) => attempt.at)),
    ...(killedAfter === undefined ? {} : { killedAfter, outageSeconds: outageMs / 1000 }),
  };
}

/** User + system CPU time a process has used so far, in ms (0 where /proc is missing). */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The most times in any window [t, t + 1 s). */
export function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** The rate over the slowest tenth of a run, given the gaps between consecutive slots (ms). */
export function slowestTenthRate(gaps: number[]): number {
  const tenth = Math.floor(gaps.length / 10);
  let slowest = Number.POSITIVE_INFINITY;
  for (let start = 0; tenth > 0 && start + tenth <= gaps.length; start += tenth) {
    const spanMs = gaps.slice(start, start + tenth).reduce((sum, gap) => sum + gap, 0);
    slowest = Math.min(slowest, (tenth / spanMs) * 1000);
  }
  return slowest;
}

/** The Markdown section for RESULTS.md. */
export function renderCampaignSection(result: CampaignBenchmark): string {
  const percent = (value: number) => `${value >= result.rate ? "+" : ""}${(((value - result.rate) / result.rate) * 100).toFixed(1)} %`;
  const verdict = (run: CampaignRunFigures) =>
    Math.abs(run.sendingRate - result.rate) <= result.rate * 0.05 &&
    run.busiestSecondSlots <= result.rate &&
    run.busiestSecondAttempts <= result.rate &&
    run.duplicates === 0
      ? "PASS"
      : "MISS";
  const rows = result.runs.map((run) =>
    [
      run.label,
      `${run.sent.toLocaleString("en")} / ${run.recipients.toLocaleString("en")}`,
      run.unknown,
      run.duplicates,
      `${run.sendingRate.toFixed(2)} (${percent(run.sendingRate)})`,
      run.averageRate.toFixed(2),
      run.slowestTenthRate.toFixed(2),
      run.busiestSecondSlots,
      run.busiestSecondAttempts,
      run.killedAfter === undefined ? "—" : `${run.killedAfter.toLocaleString("en")} sent, ${run.outageSeconds?.toFixed(1)} s gap`,
      `${run.wallSeconds.toFixed(1)} s`,
      run.serverCpuMsPerRecipient === null ? "—" : run.serverCpuMsPerRecipient.toFixed(1),
      verdict(run),
    ].join(" | "),
  );
  return [
    "## Campaign dispatch (sandbox, PostgreSQL)",
    "",
    `${result.recipients.toLocaleString("en")} recipients from one sandbox number at a configured ${result.rate} messages/s (\`WHATSAPP_SEND_RATE\`), launched through \`POST /campaigns\` and sent by ${result.processes === 1 ? "`server/main.ts` running as its own process" : `${result.processes} \`server/main.ts\` processes sharing the number's schedule`} (production mode) against ${result.postgres}. The second run sends \`SIGKILL\` to ${result.processes === 1 ? "that process" : "every one of them"} once half the recipients are sent and starts ${result.processes === 1 ? "a new one" : "them again"}; recipients it left in flight are failed as "outcome unknown" after ${unknownOutcomeAfterMs / 1000} s and never re-sent.`,
    "",
    "Targets: average rate within 5 % of the configured rate while sending, never above it in any one-second window, zero duplicates. *Slots* are the pacing slots stored as each recipient's `sent_at` (database clock); *attempts* are the dispatcher's `campaign send` log lines, written just before each provider call (a recipient sent twice would appear twice). *Sending rate* leaves out the outage between the kill and the restart; *overall* includes it. *Slowest tenth* is the rate over the tenth of the recipients sent slowest: a dispatcher that slows down as the campaign goes on (a query that walks the rows already sent) shows there. *Server CPU* is the server process's own CPU time (user + system, from /proc) per recipient: sending, recording each message in its chat, the sandbox's two receipts (delivered, read) and the events they emit — one Node process has at most 1,000 ms of it a second.",
    "",
    "| run | sent | unknown outcome | duplicates | sending rate, msg/s | overall, msg/s | slowest tenth, msg/s | busiest second (slots) | busiest second (attempts) | kill | wall time | server CPU ms/recipient | target |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ...rows.map((row) => `| ${row} |`),
    "",
    `Load average when it finished: ${result.loadAverage}.`,
    "",
  ].join("\n");
}

/** BENCH_CPU_PROFILE_DIR=dir: each server process writes a V8 CPU profile there when it exits normally. */
function cpuProfileFlags(): string[] {
  const directory = process.env.BENCH_CPU_PROFILE_DIR;
  return directory ? ["--cpu-prof", `--cpu-prof-dir=${directory}`] : [];
}

async function startServer(input: { port: number; databaseUrl: string; rate: number; onAttempt(key: string, at: number): void }): Promise<ChildProcess> {
  // `node --import tsx`: one process, so SIGKILL reaches the server itself.
  const child = spawn(process.execPath, [...cpuProfileFlags(), "--import", "tsx", "server/main.ts"], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      NODE_ENV: "production",
      SANDBOX_PROVIDER: "on",
      PORT: String(input.port),
      PUBLIC_URL: `http://127.0.0.1:${input.port}`,
      DATABASE_URL: input.databaseUrl,
      DATA_DIR: os.tmpdir(),
      ENCRYPTION_KEY: Buffer.alloc(32, 13).toString("base64"),
      DEMO: "off",
      LOG_LEVEL: "debug",
      WHATSAPP_SEND_RATE: String(input.rate),
      CAMPAIGN_UNKNOWN_OUTCOME_AFTER_MS: String(unknownOutcomeAfterMs),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let pending = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) {
        output += `${line}\n`;
        continue;
      }
      // Only the send attempts are needed: parsing every line would take CPU from the server.
      if (!line.includes('"campaign send"')) continue;
      const entry = JSON.parse(line) as { msg?: string; time?: number; campaignId?: string; seq?: number };
      if (entry.msg === "campaign send" && entry.time) input.onAttempt(`${entry.campaignId}:${entry.seq}`, entry.time);
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const check = setInterval(() => {
      if (output.includes("Switchboard: ")) {
        clearTimeout(timer);
        clearInterval(check);
        resolve();
      }
    }, 50);
    child.once("exit", (code) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners("exit");
  return child;
}

async function seedOwner(database: DatabaseHandle): Promise<{ token: string }> {
  const workspaceId = newId("ws");
  await database.db.insert(workspaces).values({ id: workspaceId, name: "Campaign bench", joinCode: `join-${newId("j")}` });
  const userId = newId("usr");
  await database.db.insert(users).values({ id: userId, email: "bench@example.test", name: "Bench owner", passwordHash: "not-used" });
  const memberId = await addMember(database.db, { workspaceId, userId, roleId: "owner" });
  return issueToken(database.db, { workspaceId, memberId, kind: "session" });
}

function apiClient(baseUrl: string, token: string) {
  return async (method: string, route: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
}

async function sentCount(database: DatabaseHandle, campaignId: string): Promise<number> {
  const [row] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(campaignRecipients)
    .where(and(eq(campaignRecipients.campaignId, campaignId), sql`${campaignRecipients.sentAt} is not null`));
  return Number(row?.n ?? 0);
}

async function campaignStatus(database: DatabaseHandle, campaignId: string): Promise<string | undefined> {
  const [row] = await database.db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId));
  return row?.status;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("campaign benchmark: timed out");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // A benchmark must end by itself.
  setTimeout(() => {
    console.error("campaign bench: exceeded 40 minutes, giving up");
    process.exit(2);
  }, 40 * 60_000).unref();
  const result = await runCampaignBenchmark();
  console.log(renderCampaignSection(result));
}
