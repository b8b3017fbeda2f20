import { and, asc, eq } from "drizzle-orm";
import type { DatabaseHandle } from "../../../server/db/client";
import { campaignRecipients } from "../../../server/db/schema";
import type { TestServer } from "../../support/server";

/** What the helpers need of a server: its API (an in-process test server, or a spawned one). */
type Api = Pick<TestServer, "api">;

import { eventually } from "../../support/sse";

// Helpers shared by the campaign suites: launch through the API, wait for the dispatcher,
// read what was sent and when.

export async function connectSandbox(server: Api, token: string, phoneNumber: string) {
  const connected = await server.api("POST", "/whatsapp-accounts", { token, body: { provider: "sandbox", phoneNumber, displayName: "Line" } });
  if (connected.status !== 201) throw new Error(`connect: ${connected.status} ${connected.text}`);
  return connected.body.account.id as string;
}

/**
 * A campaign template, mapped by default to the sandbox's approved `order_update` (two parameters,
 * as the default body has): campaigns go out only as WhatsApp-approved templates.
 */
export async function createTemplate(server: Api, token: string, body = "Hi {{name}}, your order {{order}} is ready.", extra: Record<string, unknown> = {}) {
  const mapping = { metaTemplateName: "order_update", metaLanguage: "en_US" };
  const created = await server.api("POST", "/templates", {
    token,
    body: { name: `Template ${Math.random().toString(36).slice(2, 7)}`, body, ...mapping, ...extra },
  });
  if (created.status !== 201) throw new Error(`template: ${created.status} ${created.text}`);
  return created.body.template.id as string;
}

/** `count` distinct recipients with the variables the default template needs. */
export function recipients(count: number, prefix = "+1555200") {
  return Array.from({ length: count }, (_, index) => ({
    phone: `${prefix}${String(index).padStart(4, "0")}`,
    name: `Customer ${index}`,
    variables: { order: `#${1000 + index}` },
  }));
}

export async function launch(server: Api, token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return server.api("POST", "/campaigns", { token, body, headers });
}

export async function campaignOf(server: Api, token: string, campaignId: string) {
  return (await server.api("GET", `/campaigns/${campaignId}`, { token })).body;
}

/** Waits until the campaign reaches `status` (default completed). */
export async function waitForCampaign(server: Api, token: string, campaignId: string, status = "completed", timeoutMs = 20_000) {
  return eventually(async () => {
    const campaign = await campaignOf(server, token, campaignId);
    expect(campaign.status).toBe(status);
    return campaign;
  }, timeoutMs);
}

export async function recipientRows(server: { database: Pick<DatabaseHandle, "db"> }, workspaceId: string, campaignId: string) {
  return server.database.db
    .select()
    .from(campaignRecipients)
    .where(and(eq(campaignRecipients.workspaceId, workspaceId), eq(campaignRecipients.campaignId, campaignId)))
    .orderBy(asc(campaignRecipients.seq));
}

/** The most sends that fall in any one-second window [t, t + 1 s). */
export function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Sends per second from the first to the last send. */
export function averageRate(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const span = ((sorted[sorted.length - 1] ?? 0) - (sorted[0] ?? 0)) / 1000;
  return span > 0 ? (sorted.length - 1) / span : Number.POSITIVE_INFINITY;
}
