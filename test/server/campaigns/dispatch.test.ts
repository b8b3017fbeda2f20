import { and, eq } from "drizzle-orm";
import { type CampaignDispatcher, startCampaignDispatcher } from "../../../server/campaigns/dispatcher";
import { messages, sendPacing } from "../../../server/db/schema";
import type { SendTemplateInput } from "../../../server/whatsapp/cloud-client";
import { slotTiming, tryAcquireSendSlot, waitForSendSlot } from "../../../server/whatsapp/pacing";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { statusWebhook } from "../../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";
import { averageRate, busiestSecond, campaignOf, connectSandbox, createTemplate, launch, recipientRows, recipients, waitForCampaign } from "./support";

// The dispatcher under control: the test server runs none, each test starts (and stops) its own.
const appSecret = "campaign-tests-app-secret";
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-dispatch";
const rate = 20;
let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let dispatchers: CampaignDispatcher[] = [];
let providerCalls: { to: string; at: number }[] = [];
let onProviderCall: ((input: SendTemplateInput, index: number) => Promise<void>) | null = null;
let phoneSequence = 0;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  // The campaign's Meta template, approved in the WABA: two body parameters ({{name}}, {{order}} in order).
  fake.registerTemplate("102290129340398", { name: "order_ready", language: "en_US", body: "Hi {{1}}, your order {{2}} is ready." });
  server = await startTestServer({
    CAMPAIGN_DISPATCHER: "off",
    GRAPH_API_BASE_URL: fake.url,
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_SEND_RATE: String(rate),
  });
  // Every Graph send is timed where it leaves our process (what Meta's throughput counts).
  const sendTemplate = server.services.cloud.sendTemplate.bind(server.services.cloud);
  server.services.cloud.sendTemplate = async (input) => {
    providerCalls.push({ to: input.to, at: Date.now() });
    await onProviderCall?.(input, providerCalls.length);
    return sendTemplate(input);
  };
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  fake.reset();
  providerCalls = [];
  onProviderCall = null;
});
afterEach(async () => {
  for (const dispatcher of dispatchers) await dispatcher.stop();
  dispatchers = [];
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const dispatch = (options: Parameters<typeof startCampaignDispatcher>[1] = {}) => {
  const dispatcher = startCampaignDispatcher(server.services, { pollIntervalMs: 200, unknownOutcomeAfterMs: 1500, ...options });
  dispatchers.push(dispatcher);
  return dispatcher;
};

async function cloudCampaign(count: number) {
  const phoneNumberId = String(306540352240000 + ++phoneSequence);
  const phoneNumber = `+1555079${String(phoneSequence).padStart(4, "0")}`;
  // Meta's side: the number is in the WABA our token manages (connecting checks it there).
  fake.registerPhoneNumber({ wabaId: "102290129340398", phoneNumberId, displayPhoneNumber: phoneNumber });
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: {
      provider: "cloud",
      phoneNumber,
      cloud: { phoneNumberId, wabaId: "102290129340398", accessToken },
    },
  });
  const templateId = await createTemplate(server, team.agent.token, "Hi {{name}}, your order {{order}} is ready.", {
    metaTemplateName: "order_ready",
    metaLanguage: "en_US",
  });
  const launched = await launch(server, team.agent.token, { accountId: connected.body.account.id, templateId, recipients: recipients(count) });
  expect(launched.status, launched.text).toBe(202);
  return { campaignId: launched.body.campaign.id as string, accountId: connected.body.account.id as string, phoneNumberId };
}

/** How many times the fake Graph API accepted a message for each recipient (E.164). */
const acceptedPerRecipient = () => {
  const counts = new Map<string, number>();
  for (const sent of fake.sentMessages) counts.set(`+${sent.body.to}`, (counts.get(`+${sent.body.to}`) ?? 0) + 1);
  return counts;
};

// A crash (kill -9 of a real server process) and its recovery: crash.test.ts, on both engines.
describe("stop and resume", () => {
  it("a dispatcher stopped gracefully finishes its sends and leaves nothing in flight", async () => {
    const { campaignId } = await cloudCampaign(20);
    const first = dispatch();
    await eventually(() => expect(providerCalls.length).toBeGreaterThanOrEqual(5), 20_000);
    await first.stop();
    const rows = await recipientRows(server, team.workspace.id, campaignId);
    expect(rows.filter((row) => row.status === "sending")).toEqual([]);
    expect(rows.filter((row) => row.status === "sent").length).toBe(providerCalls.length);
    dispatch();
    await waitForCampaign(server, team.agent.token, campaignId, "completed", 30_000);
    expect([...acceptedPerRecipient().values()]).toEqual(Array(20).fill(1));
  });
});

describe("rate compliance", () => {
  it(`sandbox: two dispatchers share one number's ${rate}/s; no one-second window holds more`, async () => {
    const accountId = await connectSandbox(server, team.agent.token, "+15550108000");
    const templateId = await createTemplate(server, team.agent.token);
    const launched = await launch(server, team.agent.token, { accountId, templateId, recipients: recipients(60) });
    dispatch();
    dispatch();
    await waitForCampaign(server, team.agent.token, launched.body.campaign.id, "completed", 30_000);
    const sentAt = (await recipientRows(server, team.workspace.id, launched.body.campaign.id)).map((row) => row.sentAt?.getTime() ?? 0);
    expect(sentAt.every((time) => time > 0)).toBe(true);
    expect(busiestSecond(sentAt)).toBeLessThanOrEqual(rate);
    expect(averageRate(sentAt)).toBeLessThanOrEqual(rate);
    // How close to the rate the number is kept busy is a benchmark's question (test/bench), not a timed test's.
  });

  it("fake Graph API: paced where requests leave; 130429 backs the whole number off and refused recipients are retried", async () => {
    const { campaignId } = await cloudCampaign(40);
    let refusedAt = 0;
    onProviderCall = async (_input, index) => {
      if (index === 10) {
        fake.failNext({ code: 130429 });
        fake.failNext({ code: 130429 });
        refusedAt = Date.now();
      }
    };
    dispatch();
    await waitForCampaign(server, team.agent.token, campaignId, "completed", 30_000);
    const rows = await recipientRows(server, team.workspace.id, campaignId);
    expect(rows.map((row) => row.status)).toEqual(Array(40).fill("sent"));
    expect([...acceptedPerRecipient().values()]).toEqual(Array(40).fill(1));
    // Two refused calls, each put back in the queue and tried again (once or twice for one recipient).
    expect(rows.reduce((sum, row) => sum + row.attempts, 0)).toBe(42);
    expect(providerCalls).toHaveLength(42);
    const times = providerCalls.map((call) => call.at);
    expect(busiestSecond(times)).toBeLessThanOrEqual(rate);
    // After the refusals the number was quiet for the back-off (250 ms, then 500 ms).
    const after = times.filter((time) => time > refusedAt);
    const longestPause = Math.max(...after.slice(1).map((time, index) => time - (after[index] as number)));
    expect(longestPause).toBeGreaterThanOrEqual(450);
  });
});

describe("provider statuses and errors during a campaign", () => {
  it("statuses move recipients forward (never back); Meta's errors reach the report; 131026 fails without retry", async () => {
    const { campaignId, phoneNumberId } = await cloudCampaign(3);
    fake.failFor("+15552000002", { code: 131026 });
    dispatch();
    await waitForCampaign(server, team.agent.token, campaignId, "completed", 20_000);
    const rows = await recipientRows(server, team.workspace.id, campaignId);
    expect(rows.map((row) => [row.status, row.error])).toEqual([
      ["sent", null],
      ["sent", null],
      ["failed", "131026: (#131026) Message Undeliverable"],
    ]);
    const status = (wamid: string, value: string, at: number, errors?: { code: number; title: string; details?: string }[]) =>
      fake.deliverWebhook(
        `${server.url}/api/v1/inbound/whatsapp`,
        appSecret,
        statusWebhook({ phoneNumberId, wamid, status: value, recipient: { phone: "x" }, timestamp: at, ...(errors ? { errors } : {}) }),
      );
    const now = Math.floor(Date.now() / 1000);
    await status(rows[0]?.providerMessageId as string, "delivered", now);
    await status(rows[0]?.providerMessageId as string, "read", now + 5);
    await status(rows[0]?.providerMessageId as string, "delivered", now + 9);
    await status(rows[1]?.providerMessageId as string, "failed", now, [
      { code: 131049, title: "Not delivered to maintain healthy ecosystem engagement", details: "Per-user marketing limit" },
    ]);
    const campaign = await campaignOf(server, team.agent.token, campaignId);
    expect(campaign.counts).toEqual({ queued: 0, sent: 0, delivered: 0, read: 1, failed: 2, skipped: 0 });
    const after = await recipientRows(server, team.workspace.id, campaignId);
    expect(after[0]).toMatchObject({ status: "read", deliveredAt: new Date(now * 1000), readAt: new Date((now + 5) * 1000) });
    expect(after[1]).toMatchObject({ status: "failed", error: "131049: Per-user marketing limit" });
    // The chat's message follows the same statuses.
    const [message] = await server.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.id, after[0]?.messageId as string)));
    expect(message).toMatchObject({ status: "read", templateName: "order_ready", text: "Hi Customer 0, your order #1000 is ready." });
    // Recipients go out concurrently: find the request that carried the first recipient's message.
    const firstSent = fake.sentMessages.find((sent) => (sent.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data === after[0]?.messageId);
    expect(firstSent?.body).toMatchObject({
      type: "template",
      template: {
        name: "order_ready",
        language: { code: "en_US" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Customer 0" },
              { type: "text", text: "#1000" },
            ],
          },
        ],
      },
      biz_opaque_callback_data: after[0]?.messageId,
    });
  });

  it("Meta rejecting the token (190) disconnects the account and pauses the campaign, saying why; nothing is lost", async () => {
    const { campaignId } = await cloudCampaign(10);
    onProviderCall = async (_input, index) => {
      if (index === 4) fake.expireToken();
    };
    dispatch();
    const paused = await waitForCampaign(server, team.agent.token, campaignId, "paused", 20_000);
    expect(paused.statusReason).toMatch(/disconnected/);
    const rows = await recipientRows(server, team.workspace.id, campaignId);
    expect(rows.filter((row) => row.status === "failed")).toEqual([]);
    expect(rows.filter((row) => row.status === "sent")).toHaveLength(3);
    expect((await server.api("POST", `/campaigns/${campaignId}/resume`, { token: team.agent.token })).status).toBe(409);
  });
});

describe("interactive messages go first", () => {
  it("a waiting member's send takes the next slot, however eagerly a campaign polls for it", async () => {
    const workspaceId = team.workspace.id;
    const accountId = await connectSandbox(server, team.agent.token, "+15550108100");
    const db = server.database.db;
    const slowRate = 2;
    const spacingMs = slotTiming(slowRate).spacingMicros / 1000;
    // A campaign sender polling every millisecond: without priority it takes every slot first.
    const bulkSlots: number[] = [];
    let polling = true;
    const bulk = (async () => {
      while (polling) {
        const attempt = await tryAcquireSendSlot(db, workspaceId, accountId, slowRate, "bulk");
        if ("acquiredAt" in attempt) bulkSlots.push(attempt.acquiredAt.getTime());
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await eventually(() => expect(bulkSlots.length).toBeGreaterThanOrEqual(2), 5000);
    const askedAt = Date.now();
    const interactiveSlot = (await waitForSendSlot(db, workspaceId, accountId, slowRate, "interactive")).getTime();
    // The sender keeps polling until it takes the slot after the interactive one.
    await eventually(() => expect(bulkSlots.some((slot) => slot > interactiveSlot)).toBe(true), 5000);
    polling = false;
    await bulk;
    expect(interactiveSlot - askedAt).toBeLessThan(spacingMs + 100);
    expect(bulkSlots.filter((slot) => slot > askedAt && slot < interactiveSlot)).toEqual([]);
    // The next bulk slot came a full spacing later: the rate held for both together.
    const nextBulk = bulkSlots.find((slot) => slot > interactiveSlot);
    expect(nextBulk).toBeDefined();
    expect((nextBulk ?? interactiveSlot) - interactiveSlot).toBeGreaterThanOrEqual(0.75 * spacingMs);
    const [pacing] = await db
      .select()
      .from(sendPacing)
      .where(and(eq(sendPacing.workspaceId, workspaceId), eq(sendPacing.accountId, accountId)));
    expect(pacing?.interactiveUntil?.getTime()).toBeGreaterThanOrEqual(interactiveSlot);
  });

  it("during a campaign, a rep's reply takes the next slot, ahead of the campaign's waiting sends", async () => {
    // A slow number (2/s) and six campaign lanes all waiting for its slots: without priority the
    // reply would, on average, wait behind several of them.
    const slow = await startTestServer({ CAMPAIGN_DISPATCHER: "off", WHATSAPP_SEND_RATE: "2" });
    try {
      const slowTeam = await insertTeamDirectly(slow.database.db);
      const token = slowTeam.agent.token;
      const accountId = await connectSandbox(slow, token, "+15550108200");
      const templateId = await createTemplate(slow, token);
      const inbound = await slow.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token, body: { from: "+15559990001", text: "Hello?" } });
      const launched = await launch(slow, token, { accountId, templateId, recipients: recipients(50) });
      const campaignId = launched.body.campaign.id;
      const dispatcher = startCampaignDispatcher(slow.services, { pollIntervalMs: 200, lanesPerAccount: 6 });
      await eventually(async () => expect((await campaignOf(slow, token, campaignId)).counts.queued).toBeLessThanOrEqual(48), 20_000);
      const spacingMs = slotTiming(2).spacingMicros / 1000;
      for (let attempt = 0; attempt < 3; attempt++) {
        const requestedAt = Date.now();
        const reply = await slow.api("POST", `/chats/${inbound.body.chatId}/messages`, { token, body: { text: `Reply ${attempt}` } });
        expect(reply.status).toBe(201);
        const replySlot = new Date(reply.body.message.sentAt).getTime();
        expect(replySlot - requestedAt).toBeLessThan(2 * spacingMs);
        const campaignSlots = (await recipientRows(slow, slowTeam.workspace.id, campaignId)).flatMap((row) => (row.sentAt ? [row.sentAt.getTime()] : []));
        // At most the slot already due while the request was on its way went to the campaign.
        expect(campaignSlots.filter((slot) => slot > requestedAt && slot < replySlot).length).toBeLessThanOrEqual(1);
      }
      await slow.api("POST", `/campaigns/${campaignId}/cancel`, { token });
      await dispatcher.stop();
    } finally {
      await slow.close();
    }
  }, 60_000);
});
