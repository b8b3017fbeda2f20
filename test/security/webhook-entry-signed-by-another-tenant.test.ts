import { vi } from "vitest";
import { deliverSignedWebhook, type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { inboundTextWebhook } from "../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "../support/server";
import { eventually, openEventStream } from "../support/sse";
import { insertTeamDirectly, type Team } from "../support/team";

// Meta signs a webhook with the app secret of the app the WABA is subscribed to. A workspace that
// connects its number with its own app's secret holds a signing key, and must not be able to sign
// entries for numbers other workspaces connected: each entry counts only under its own account's key.
const serverAppSecret = "the-servers-meta-app-secret";
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-entries";
const aOwnSecret = "workspace-a-own-app-secret";
let fake: FakeGraphApi;
let server: TestServer;
let numberSequence = 0;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: serverAppSecret });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});
afterEach(() => vi.restoreAllMocks());

const webhookUrl = () => `${server.url}/api/v1/inbound/whatsapp`;

/** The workspace's Agent connects a Cloud API number (registered at Meta under the workspace's WABA). */
async function connectNumber(team: Team, appSecret?: string) {
  numberSequence++;
  const phoneNumberId = String(506540352240000 + numberSequence);
  const wabaId = String(502290129340000 + numberSequence);
  const phoneNumber = `+1555079${String(1000 + numberSequence)}`;
  fake.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: phoneNumber });
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: { provider: "cloud", phoneNumber, cloud: { phoneNumberId, wabaId, accessToken, ...(appSecret ? { appSecret } : {}) } },
  });
  expect(connected.status).toBe(201);
  return { phoneNumberId, accountId: connected.body.account.id as string };
}

/** What reaches a workspace: its inbox, its members' live stream, its outgoing webhooks. */
async function watch(team: Team) {
  const webhook = await server.api("POST", "/webhooks", { token: team.owner.token, body: { url: "http://127.0.0.1:9/hook", events: ["message.created"] } });
  expect(webhook.status).toBe(201);
  const stream = await openEventStream(`${server.url}/api/v1/events`, team.owner.token);
  return {
    stream,
    chatTexts: async () =>
      ((await server.api("GET", "/chats", { token: team.owner.token })).body.data as { lastMessagePreview: string }[]).map((chat) => chat.lastMessagePreview),
    webhookDeliveries: async () => (await server.api("GET", `/webhooks/${webhook.body.webhook.id}/deliveries`, { token: team.owner.token })).body.data,
  };
}

/** One POST with an entry per number, as Meta batches them. */
function payloadFor(messages: { phoneNumberId: string; text: string }[]) {
  const entries = messages.flatMap(({ phoneNumberId, text }) => inboundTextWebhook({ phoneNumberId, from: { phone: "16505551234" }, body: text }).entry);
  return { object: "whatsapp_business_account", entry: entries };
}

describe.each([
  { victim: "uses the server's app secret", victimSecret: undefined },
  { victim: "has its own app secret", victimSecret: "workspace-b-own-app-secret" },
])("a workspace signs a webhook entry for another workspace's number with its own app secret (the victim $victim)", ({ victimSecret }) => {
  it("the other workspace's entry reaches neither its inbox, nor its live stream, nor its webhooks; the signer's own entry is stored", async () => {
    const attacker = await insertTeamDirectly(server.database.db);
    const victim = await insertTeamDirectly(server.database.db);
    const attackerNumber = await connectNumber(attacker, aOwnSecret);
    const victimNumber = await connectNumber(victim, victimSecret);
    const attackerSide = await watch(attacker);
    const victimSide = await watch(victim);
    const warn = vi.spyOn(server.services.logger, "warn");

    const payload = payloadFor([
      { phoneNumberId: attackerNumber.phoneNumberId, text: "A message on my own number" },
      { phoneNumberId: victimNumber.phoneNumberId, text: "Injected into your inbox: click https://evil.example" },
    ]);
    const delivered = await deliverSignedWebhook(webhookUrl(), aOwnSecret, payload);
    expect(delivered).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });

    expect(await attackerSide.chatTexts()).toEqual(["A message on my own number"]);
    await eventually(() => expect(attackerSide.stream.events.map((event) => event.type)).toContain("message.created"));
    expect(await attackerSide.webhookDeliveries()).toHaveLength(1);

    expect(await victimSide.chatTexts()).toEqual([]);
    expect(victimSide.stream.events).toEqual([]);
    expect(await victimSide.webhookDeliveries()).toEqual([]);

    // The dropped entry is logged by its phone_number_id, never by what it said.
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ phoneNumberId: victimNumber.phoneNumberId }), expect.any(String));
    expect(JSON.stringify(warn.mock.calls)).not.toContain("Injected");
    await attackerSide.stream.close();
    await victimSide.stream.close();
  });
});

describe("a webhook signed with the server's app secret speaks for an account that has its own app secret", () => {
  it("that account's entry is dropped (only its own secret is its key); the entry of an account on the server's secret is stored", async () => {
    const ownApp = await insertTeamDirectly(server.database.db);
    const ourApp = await insertTeamDirectly(server.database.db);
    const ownAppNumber = await connectNumber(ownApp, aOwnSecret);
    const ourAppNumber = await connectNumber(ourApp);
    const payload = payloadFor([
      { phoneNumberId: ownAppNumber.phoneNumberId, text: "Signed with the wrong app's secret" },
      { phoneNumberId: ourAppNumber.phoneNumberId, text: "Signed with our app's secret" },
    ]);
    expect(await deliverSignedWebhook(webhookUrl(), serverAppSecret, payload)).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });
    const texts = async (team: Team) =>
      ((await server.api("GET", "/chats", { token: team.owner.token })).body.data as { lastMessagePreview: string }[]).map((chat) => chat.lastMessagePreview);
    expect(await texts(ownApp)).toEqual([]);
    expect(await texts(ourApp)).toEqual(["Signed with our app's secret"]);

    // The same entry under the account's own secret is accepted.
    expect((await deliverSignedWebhook(webhookUrl(), aOwnSecret, payload)).status).toBe(200);
    expect(await texts(ownApp)).toEqual(["Signed with the wrong app's secret"]);
  });
});

describe("an unsigned caller makes the webhook parse its body", () => {
  it("a body that is not JSON, without a valid signature, is a 401 (the signature is checked before any parsing)", async () => {
    const response = await fetch(webhookUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
      body: '{"entry": [ not json',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 401, code: "unauthenticated" });
  });
});
