import { signWebhookBody } from "../../server/whatsapp/webhook-signature";
import { inboundTextWebhook } from "../fakes/whatsapp-webhooks";
import { benchAppSecret, startInProcessApp } from "./app-host";
import { type CpuBucket, profileCpu } from "./cpu-profile";
import type { BenchDatabase } from "./engines";
import { httpClient } from "./http-client";
import { ingestPhoneNumberId, registerCloudAccount } from "./ingest";
import { captureQueries } from "./query-capture";
import { summarize } from "./stats";

export type StatementCost = { statement: string; perMessage: number; meanMilliseconds: number };
export type PathProfile = {
  label: string;
  messages: number;
  queriesPerMessage: number;
  requestP50: number;
  databaseShare: number;
  statements: StatementCost[];
  /** Statements seen during the run but not once per webhook (other work of the process). */
  background: StatementCost[];
};
export type IngestProfile = { paths: PathProfile[]; webhooks: number; cpu: CpuBucket[] };

/**
 * What one inbound webhook costs, one request at a time through the in-process app: how many
 * round trips, which statements, and how much of the request is spent waiting on them. Run for
 * a first message (new contact and chat) and for a follow-up (both exist).
 */
export async function profileIngest(database: BenchDatabase, workspaceId: string, samples: number): Promise<IngestProfile> {
  await registerCloudAccount(database, workspaceId);
  const app = await startInProcessApp(database);
  const client = httpClient(app.url, 1);
  const tag = Date.now().toString(36);
  try {
    const { result: paths, buckets } = await profileCpu(() => profilePaths(client, tag, samples));
    return { paths, webhooks: samples * 2, cpu: buckets };
  } finally {
    client.close();
    await app.close();
  }
}

async function profilePaths(client: ReturnType<typeof httpClient>, tag: string, samples: number): Promise<PathProfile[]> {
  const profiles: PathProfile[] = [];
  for (const [label, round] of [
    ["first message (new contact + chat)", 0],
    ["follow-up (contact and chat exist)", 1],
  ] as const) {
    const latencies: number[] = [];
    const captured: { text: string; milliseconds: number }[] = [];
    for (let index = 0; index < samples; index++) {
      const contact = 7_000_000 + index;
      const payload = inboundTextWebhook({
        phoneNumberId: ingestPhoneNumberId,
        from: { phone: `1555${contact}` },
        body: `Profile ${round}.${index}`,
        wamid: `wamid.profile.${tag}.${round}.${index}`,
        timestamp: Math.floor(Date.now() / 1000),
      });
      const body = Buffer.from(JSON.stringify(payload));
      const headers = { "content-type": "application/json", "x-hub-signature-256": signWebhookBody(benchAppSecret, body) };
      const started = performance.now();
      const { result, queries } = await captureQueries(() => client.post("/inbound/whatsapp", headers, body));
      latencies.push(performance.now() - started);
      if (result.status !== 200) throw new Error(`profile webhook answered ${result.status}: ${result.text}`);
      captured.push(...queries);
    }
    const byStatement = new Map<string, number[]>();
    for (const query of captured) {
      const key = statementKey(query.text);
      byStatement.set(key, [...(byStatement.get(key) ?? []), query.milliseconds]);
    }
    const costs = [...byStatement.entries()].map(([statement, times]) => ({
      statement,
      perMessage: times.length / samples,
      meanMilliseconds: times.reduce((sum, value) => sum + value, 0) / times.length,
      totalMilliseconds: times.reduce((sum, value) => sum + value, 0),
    }));
    // Timers of the process (e.g. background workers) also query while a request runs; what
    // happens less than once per two webhooks is not the webhook's own work.
    const perWebhook = costs.filter((cost) => cost.perMessage >= 0.5);
    const background = costs.filter((cost) => cost.perMessage < 0.5);
    const totalLatency = latencies.reduce((sum, value) => sum + value, 0);
    const strip = ({ totalMilliseconds: _total, ...cost }: (typeof costs)[number]) => cost;
    profiles.push({
      label,
      messages: samples,
      queriesPerMessage: perWebhook.reduce((sum, cost) => sum + cost.perMessage, 0),
      requestP50: summarize(latencies).p50,
      databaseShare: perWebhook.reduce((sum, cost) => sum + cost.totalMilliseconds, 0) / totalLatency,
      statements: perWebhook.map(strip),
      background: background.map(strip),
    });
  }
  return profiles;
}

/** A short, readable name for a statement: its verb and tables, without parameters. */
function statementKey(text: string): string {
  const compact = text.replace(/\s+/g, " ").trim();
  const verb = compact.split(" ")[0]?.toLowerCase() ?? "";
  const tables = [...compact.matchAll(/(?:from|into|update|join) "?([a-z_]+)"?/gi)].map((match) => match[1]);
  if (verb === "select" && compact.includes("pg_notify")) return "select pg_notify(…)";
  if (["begin", "commit", "rollback"].includes(verb)) return verb;
  const conflict = /on conflict do nothing/i.test(compact) ? " … on conflict do nothing" : "";
  return `${verb} ${[...new Set(tables)].join(", ")}${conflict}`.trim();
}
