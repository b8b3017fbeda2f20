import { and, count, eq } from "drizzle-orm";
import { decryptSecret } from "../../../server/crypto/secrets";
import { chats, contacts, messages, whatsappAccounts } from "../../../server/db/schema";
import { signWebhookBody } from "../../../server/whatsapp/webhook-signature";
import { deliverSignedWebhook, type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { inboundTextWebhook, newWamid, statusWebhook } from "../../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// The Cloud API path end to end over real HTTP: Meta's webhooks into our server, our replies
// out through the real Graph client to a fake Graph API (whatsapp.md §2-6).
const appSecret = "our-meta-app-secret";
const verifyToken = "our-verify-token-123";
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-0123456789";
const customer = { phone: "+16505551234", waId: "16505551234", name: "Sheena Nelson" };
const dayMs = 24 * 60 * 60 * 1000;

let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let account: { id: string; phoneNumberId: string };
let accountSequence = 0;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  // The templates these tests send, as the business set them up in WhatsApp Manager (approved).
  fake.registerTemplate("102290129340398", { name: "order_update_v1", language: "en_US", body: "Hi {{1}}, your order {{2}} has shipped." });
  fake.registerTemplate("102290129340398", { name: "follow_up", language: "en", body: "Are you still interested?" });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: verifyToken });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  const connected = await connectCloudAccount(team.agent.token);
  expect(connected.response.status).toBe(201);
  account = { id: connected.response.body.account.id, phoneNumberId: connected.phoneNumberId };
  fake.reset();
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** Connects a Cloud API account with a phone_number_id no other test uses (routes are global). */
async function connectCloudAccount(token: string, options: { appSecret?: string } = {}) {
  accountSequence++;
  const phoneNumberId = String(106540352240000 + accountSequence);
  // Meta's side: the number is in the WABA our token manages (connecting checks it there).
  fake.registerPhoneNumber({ wabaId: "102290129340398", phoneNumberId, displayPhoneNumber: `+1 555-078-${String(3800 + accountSequence)}` });
  const cloud = { phoneNumberId, wabaId: "102290129340398", accessToken, ...(options.appSecret ? { appSecret: options.appSecret } : {}) };
  const response = await server.api("POST", "/whatsapp-accounts", {
    token,
    body: { provider: "cloud", phoneNumber: `+1 555 078 ${String(3800 + accountSequence)}`, displayName: "Cloud line", cloud },
  });
  return { response, phoneNumberId };
}

const webhookUrl = () => `${server.url}/api/v1/inbound/whatsapp`;

/** POSTs bytes to our webhook endpoint with exactly the headers given. */
async function postWebhook(body: string, headers: Record<string, string>) {
  const response = await fetch(webhookUrl(), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, text: await response.text() };
}

/** The customer writes now: Meta's signed inbound webhook for the test's account. */
async function customerWrites(body: string, from: { phone?: string; bsuid?: string } = { phone: customer.waId }) {
  const timestamp = Math.floor(Date.now() / 1000);
  const wamid = newWamid();
  const payload = inboundTextWebhook({ phoneNumberId: account.phoneNumberId, from, body, name: customer.name, wamid, timestamp });
  const delivery = await fake.deliverWebhook(webhookUrl(), appSecret, payload);
  expect(delivery).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });
  return { wamid, timestamp, chatId: (await chatWith(from))?.id as string };
}

async function chatWith(from: { phone?: string; bsuid?: string }) {
  const list = await server.api("GET", "/chats", { token: team.agent.token });
  const phone = from.phone ? `+${from.phone.replace(/^\+/, "")}` : null;
  return (list.body.data as { id: string; contact: { phone: string | null } }[]).find((chat) => chat.contact.phone === phone);
}

const history = async (chatId: string, token = team.agent.token) => (await server.api("GET", `/chats/${chatId}/messages`, { token })).body.data;
const reply = (chatId: string, body: unknown, token = team.agent.token) => server.api("POST", `/chats/${chatId}/messages`, { token, body });
const status = (wamid: string, value: string, errors?: { code: number; title: string; details?: string }[]) =>
  fake.deliverWebhook(
    webhookUrl(),
    appSecret,
    statusWebhook({ phoneNumberId: account.phoneNumberId, wamid, status: value, recipient: { phone: customer.waId }, ...(errors ? { errors } : {}) }),
  );

/** How many contacts, chats and messages the test's workspace holds. */
async function storedCounts() {
  const db = server.database.db;
  const workspaceId = team.workspace.id;
  const [contactCount] = await db.select({ n: count() }).from(contacts).where(eq(contacts.workspaceId, workspaceId));
  const [chatCount] = await db.select({ n: count() }).from(chats).where(eq(chats.workspaceId, workspaceId));
  const [messageCount] = await db.select({ n: count() }).from(messages).where(eq(messages.workspaceId, workspaceId));
  return { contacts: contactCount?.n, chats: chatCount?.n, messages: messageCount?.n };
}

async function storedMessage(messageId: string) {
  const [row] = await server.database.db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.id, messageId)));
  return row;
}

describe("verification handshake", () => {
  const handshake = (query: Record<string, string>) => fetch(`${webhookUrl()}?${new URLSearchParams(query)}`);

  it("echoes hub.challenge as text/plain for the right verify token", async () => {
    const ok = await handshake({ "hub.mode": "subscribe", "hub.verify_token": verifyToken, "hub.challenge": "1158201444" });
    expect([ok.status, ok.headers.get("content-type"), await ok.text()]).toEqual([200, "text/plain; charset=utf-8", "1158201444"]);
  });

  it.each([
    ["a wrong token", { "hub.mode": "subscribe", "hub.verify_token": "not-the-token", "hub.challenge": "1158201444" }],
    ["a wrong mode", { "hub.mode": "unsubscribe", "hub.verify_token": verifyToken, "hub.challenge": "1158201444" }],
    ["no token", { "hub.mode": "subscribe", "hub.challenge": "1158201444" }],
  ])("refuses %s with 403", async (_case, query) => {
    const refused = await handshake(query);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain("1158201444");
  });
});

describe("connecting a Cloud API account", () => {
  it("an Agent connects it (201); the access token never leaves the server and is stored encrypted", async () => {
    const { response, phoneNumberId } = await connectCloudAccount(team.agent.token, { appSecret: "the-account-own-secret" });
    expect(response.status).toBe(201);
    expect(response.body.account).toEqual({
      id: expect.any(String),
      phoneNumber: expect.stringMatching(/^\+1555078\d{4}$/),
      displayName: "Cloud line",
      provider: "cloud",
      connectedBy: team.agent.id,
      status: "connected",
      statusReason: null,
      canStartChats: true,
      canRunCampaigns: true,
      canDisconnect: true,
    });
    const listed = await server.api("GET", "/whatsapp-accounts", { token: team.agent.token });
    expect(listed.body.data.map((row: { id: string }) => row.id)).toEqual([account.id, response.body.account.id]);
    const asOwner = await server.api("GET", "/whatsapp-accounts", { token: team.owner.token });
    for (const answer of [response.text, listed.text, asOwner.text]) {
      expect(answer).not.toContain(accessToken);
      expect(answer).not.toContain("the-account-own-secret");
      expect(answer).not.toMatch(/accessToken|appSecret|Encrypted/);
    }

    const [row] = await server.database.db.select().from(whatsappAccounts).where(eq(whatsappAccounts.id, response.body.account.id));
    expect(row).toMatchObject({ cloudPhoneNumberId: phoneNumberId, cloudWabaId: "102290129340398", connectedBy: team.agent.id });
    const stored = row?.accessTokenEncrypted ?? "";
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(accessToken);
    expect(stored).not.toContain(Buffer.from(accessToken).toString("base64url"));
    expect(row?.appSecretEncrypted).not.toContain("the-account-own-secret");
    // It is the token, encrypted under the server's key (not a hash or a placeholder).
    expect(decryptSecret(server.services.config.encryptionKey, stored)).toBe(accessToken);
  });

  it("a phone_number_id already connected is a 409; a Collaborator may not connect (403)", async () => {
    const twice = await server.api("POST", "/whatsapp-accounts", {
      token: team.admin.token,
      body: { provider: "cloud", phoneNumber: "+15550783999", cloud: { phoneNumberId: account.phoneNumberId, wabaId: "102290129340398", accessToken } },
    });
    expect([twice.status, twice.body.code]).toEqual([409, "conflict"]);
    const denied = await connectCloudAccount(team.collaborator.token);
    expect(denied.response.body).toMatchObject({ status: 403, permission: "whatsapp.connect" });
  });
});

describe("inbound webhooks", () => {
  it("a signed text message creates the contact, the chat (window = message time + 24 h) and the message; a redelivery creates nothing", async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const payload = inboundTextWebhook({
      phoneNumberId: account.phoneNumberId,
      from: { phone: customer.waId },
      body: "Olá ✓ does it come in blue?",
      name: customer.name,
      wamid: "wamid.first-inbound",
      timestamp,
    });
    // Pretty-printed bytes: only a signature over the exact bytes received verifies.
    const bytes = JSON.stringify(payload, null, 2);
    expect(await deliverSignedWebhook(webhookUrl(), appSecret, bytes)).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });

    const list = await server.api("GET", "/chats", { token: team.agent.token });
    expect(list.body.data).toEqual([
      expect.objectContaining({
        accountId: account.id,
        contact: { id: expect.any(String), phone: customer.phone, name: customer.name },
        responsibleId: null,
        lastMessageAt: new Date(timestamp * 1000).toISOString(),
        lastMessagePreview: "Olá ✓ does it come in blue?",
        windowOpenUntil: new Date(timestamp * 1000 + dayMs).toISOString(),
      }),
    ]);
    const chatId = list.body.data[0].id;
    expect(await history(chatId)).toEqual([
      expect.objectContaining({
        direction: "in",
        text: "Olá ✓ does it come in blue?",
        status: "received",
        authorId: null,
        createdAt: new Date(timestamp * 1000).toISOString(),
      }),
    ]);
    expect(await storedCounts()).toEqual({ contacts: 1, chats: 1, messages: 1 });

    expect((await deliverSignedWebhook(webhookUrl(), appSecret, bytes)).status).toBe(200);
    expect(await storedCounts()).toEqual({ contacts: 1, chats: 1, messages: 1 });
    expect((await history(chatId)).length).toBe(1);
  });

  it("a message with only a business-scoped user id (no phone) makes a chat whose contact has no phone", async () => {
    await customerWrites("Hi from a username", { phone: customer.waId });
    await customerWrites("I have no phone number", { bsuid: "US.13491208655302741918" });
    const list = await server.api("GET", "/chats", { token: team.agent.token });
    expect(list.body.data.map((chat: { contact: { phone: string | null; name: string | null } }) => chat.contact)).toEqual(
      expect.arrayContaining([expect.objectContaining({ phone: null, name: customer.name }), expect.objectContaining({ phone: customer.phone })]),
    );
    expect(list.body.data).toHaveLength(2);
    const bsuidChat = list.body.data.find((chat: { contact: { phone: string | null } }) => chat.contact.phone === null);
    expect((await history(bsuidChat.id)).map((message: { text: string }) => message.text)).toEqual(["I have no phone number"]);
    const [contact] = await server.database.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, team.workspace.id), eq(contacts.id, bsuidChat.contact.id)));
    expect(contact).toMatchObject({ phone: null, bsuid: "US.13491208655302741918" });
  });

  it("refuses a wrong signature, a missing header or a tampered body (401) and stores nothing", async () => {
    const payload = inboundTextWebhook({
      phoneNumberId: account.phoneNumberId,
      from: { phone: customer.waId },
      body: "Hello",
      timestamp: Math.floor(Date.now() / 1000),
    });
    const bytes = JSON.stringify(payload);
    const attempts = [
      await deliverSignedWebhook(webhookUrl(), "an-attackers-secret", bytes),
      await postWebhook(bytes, {}),
      await postWebhook(bytes, { "x-hub-signature-256": "sha256=" }),
      await postWebhook(bytes.replace("Hello", "Hellx"), { "x-hub-signature-256": signWebhookBody(appSecret, bytes) }),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(401);
      expect(JSON.parse(attempt.text)).toMatchObject({ status: 401, code: "unauthenticated" });
    }
    expect(await storedCounts()).toEqual({ contacts: 0, chats: 0, messages: 0 });
    expect((await server.api("GET", "/chats", { token: team.agent.token })).body.data).toEqual([]);
  });

  it("an account with its own app secret is verified with that secret only (our app's signature vouches for none of its messages)", async () => {
    const own = await connectCloudAccount(team.agent.token, { appSecret: "the-account-own-secret" });
    const payload = inboundTextWebhook({
      phoneNumberId: own.phoneNumberId,
      from: { phone: customer.waId },
      body: "Hi",
      timestamp: Math.floor(Date.now() / 1000),
    });
    // Our app's secret is a valid signature, so Meta gets its 200, but the entry is not this account's to vouch for.
    expect(await deliverSignedWebhook(webhookUrl(), appSecret, payload)).toEqual({ status: 200, text: JSON.stringify({ received: 0 }) });
    expect(await storedCounts()).toEqual({ contacts: 0, chats: 0, messages: 0 });
    expect((await deliverSignedWebhook(webhookUrl(), "an-attackers-secret", payload)).status).toBe(401);
    expect((await deliverSignedWebhook(webhookUrl(), "the-account-own-secret", payload)).status).toBe(200);
    const list = await server.api("GET", "/chats", { token: team.agent.token });
    expect(list.body.data.map((chat: { accountId: string }) => chat.accountId)).toEqual([own.response.body.account.id]);
  });

  it("a signed webhook for a phone_number_id nobody connected is acknowledged and ignored", async () => {
    const payload = inboundTextWebhook({
      phoneNumberId: "999999999999999",
      from: { phone: customer.waId },
      body: "Hi",
      timestamp: Math.floor(Date.now() / 1000),
    });
    expect(await deliverSignedWebhook(webhookUrl(), appSecret, payload)).toEqual({ status: 200, text: JSON.stringify({ received: 0 }) });
    expect(await storedCounts()).toEqual({ contacts: 0, chats: 0, messages: 0 });
  });
});

describe("replies and delivery statuses", () => {
  it("a reply inside the window goes to Meta once with our token; statuses move it forward, never back", async () => {
    const { chatId } = await customerWrites("Is the blue one in stock?");
    const sent = await reply(chatId, { text: "Yes, two left." });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ direction: "out", text: "Yes, two left.", status: "sent", authorId: team.agent.id, error: null });

    expect(fake.requests).toEqual([
      { method: "POST", path: `/v25.0/${account.phoneNumberId}/messages`, query: {}, authorization: `Bearer ${accessToken}`, body: expect.any(Object) },
    ]);
    expect(fake.sentMessages).toEqual([
      {
        phoneNumberId: account.phoneNumberId,
        wamid: expect.stringMatching(/^wamid\./),
        body: {
          messaging_product: "whatsapp",
          recipient_type: "individual",
          to: customer.waId,
          type: "text",
          text: { preview_url: false, body: "Yes, two left." },
          biz_opaque_callback_data: sent.body.message.id,
        },
      },
    ]);
    const wamid = fake.sentMessages[0]?.wamid as string;
    expect(await storedMessage(sent.body.message.id)).toMatchObject({ status: "sent", providerMessageId: wamid });

    const statusOf = async () => (await history(chatId)).find((message: { id: string }) => message.id === sent.body.message.id).status;
    expect((await status(wamid, "delivered")).status).toBe(200);
    expect(await statusOf()).toBe("delivered");
    expect((await status(wamid, "read")).status).toBe(200);
    expect(await statusOf()).toBe("read");
    for (const late of ["sent", "delivered", "failed"]) {
      expect((await status(wamid, late)).status).toBe(200);
      expect(await statusOf()).toBe("read");
    }

    const second = await reply(chatId, { text: "Shall I reserve one?" });
    const secondWamid = fake.sentMessages[1]?.wamid as string;
    expect(secondWamid).toMatch(/^wamid\./);
    const failed = await status(secondWamid, "failed", [
      { code: 131026, title: "Message undeliverable", details: "The recipient has not accepted the new Terms of Service." },
    ]);
    expect(failed.status).toBe(200);
    const [newest, first] = await history(chatId);
    expect(newest).toMatchObject({
      id: second.body.message.id,
      status: "failed",
      error: { code: "131026", detail: "The recipient has not accepted the new Terms of Service." },
    });
    expect(first).toMatchObject({ id: sent.body.message.id, status: "read", error: null });
  });

  it("free text outside the window is a 422 that reaches nobody; a template is sent", async () => {
    const refused = await server.api("POST", "/chats", {
      token: team.agent.token,
      body: { accountId: account.id, phone: "+44 20 7946 0958", text: "Hello, new customer" },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ status: 422, code: "unprocessable", detail: expect.stringMatching(/template/) });
    expect(fake.requests).toEqual([]);
    // A refused start leaves no empty chat behind (nor a contact, nor a chat.start entry).
    expect(await storedCounts()).toEqual({ contacts: 0, chats: 0, messages: 0 });
    expect((await server.api("GET", "/audit-log?action=chat.start", { token: team.owner.token })).body.data).toEqual([]);

    const template = { name: "order_update_v1", languageCode: "en_US", bodyParameters: ["Ana", "#12345"] };
    const started = await server.api("POST", "/chats", { token: team.agent.token, body: { accountId: account.id, phone: "+44 20 7946 0958", template } });
    expect(started.status).toBe(201);
    expect(started.body.chat).toMatchObject({ contact: { phone: "+442079460958" }, windowOpenUntil: null });
    expect(started.body.message).toMatchObject({
      direction: "out",
      status: "sent",
      templateName: "order_update_v1",
      text: "[template order_update_v1] Ana · #12345",
    });
    expect(fake.sentMessages.map((sent) => sent.body)).toEqual([
      {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: "442079460958",
        type: "template",
        template: {
          name: "order_update_v1",
          language: { code: "en_US" },
          components: [
            {
              type: "body",
              parameters: [
                { type: "text", text: "Ana" },
                { type: "text", text: "#12345" },
              ],
            },
          ],
        },
        biz_opaque_callback_data: started.body.message.id,
      },
    ]);

    // Our own template opens no window; nor does an old customer message once 24 h have passed.
    expect((await reply(started.body.chat.id, { text: "Did you get it?" })).status).toBe(422);
    const { chatId } = await customerWrites("Hi");
    // Starting a chat with someone whose window is open may use free text, and finds their chat.
    const restarted = await server.api("POST", "/chats", {
      token: team.agent.token,
      body: { accountId: account.id, phone: customer.phone, text: "Welcome back" },
    });
    expect([restarted.status, restarted.body.chat?.id, restarted.body.message?.status]).toEqual([201, chatId, "sent"]);
    await server.database.db
      .update(chats)
      .set({ windowOpenUntil: new Date(Date.now() - 60_000) })
      .where(and(eq(chats.workspaceId, team.workspace.id), eq(chats.id, chatId)));
    fake.reset();
    const closed = await reply(chatId, { text: "Sorry for the wait" });
    expect([closed.status, closed.body.code]).toEqual([422, "unprocessable"]);
    expect(fake.requests).toEqual([]);
    expect((await history(chatId)).map((message: { text: string }) => message.text)).toEqual(["Welcome back", "Hi"]);
    expect((await reply(chatId, { template: { name: "follow_up", languageCode: "en" } })).status).toBe(201);
    expect(fake.sentMessages.map((sent) => sent.body)).toEqual([
      expect.objectContaining({ to: customer.waId, type: "template", template: { name: "follow_up", language: { code: "en" } } }),
    ]);
  });
});

describe("Graph errors through our API", () => {
  it("131047 (re-engagement) is our 422 and the message is stored failed", async () => {
    const { chatId } = await customerWrites("Hi");
    fake.failNext({ code: 131047 });
    const refused = await reply(chatId, { text: "Hello again" });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "unprocessable", detail: expect.stringMatching(/template/) });
    expect(fake.requests).toHaveLength(1);
    const [stored] = await history(chatId);
    expect(stored).toMatchObject({
      direction: "out",
      text: "Hello again",
      status: "failed",
      error: { code: "131047", detail: expect.stringMatching(/24 hours/) },
    });
  });

  it("130429 (rate limit) once is retried: 201 sent after two requests", async () => {
    const { chatId } = await customerWrites("Hi");
    fake.failNext({ code: 130429 });
    const sent = await reply(chatId, { text: "Retried reply" });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ status: "sent", error: null });
    expect(fake.requests).toHaveLength(2);
    expect(fake.sentMessages).toHaveLength(1);
    expect(await storedMessage(sent.body.message.id)).toMatchObject({ providerMessageId: fake.sentMessages[0]?.wamid });
  });

  it("131026 (undeliverable) is a 201 with the message failed and Meta's code", async () => {
    const { chatId } = await customerWrites("Hi");
    fake.failFor(customer.phone, { code: 131026 });
    const sent = await reply(chatId, { text: "Can you read this?" });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ status: "failed", error: { code: "131026", detail: expect.any(String) } });
    expect((await history(chatId))[0]).toMatchObject({ id: sent.body.message.id, status: "failed", error: { code: "131026" } });
  });

  it("190 (token expired) is a 409, disconnects the account visibly, and later sends never reach Meta", async () => {
    const { chatId } = await customerWrites("Hi");
    fake.expireToken();
    const refused = await reply(chatId, { text: "Hello?" });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: "conflict", detail: expect.stringMatching(/disconnected/) });
    expect(fake.requests).toHaveLength(1);
    expect((await history(chatId))[0]).toMatchObject({ text: "Hello?", status: "failed", error: { code: "190" } });

    const listed = await server.api("GET", "/whatsapp-accounts", { token: team.agent.token });
    expect(listed.body.data.find((row: { id: string }) => row.id === account.id)).toMatchObject({
      status: "disconnected",
      statusReason: expect.stringMatching(/\S/),
      canStartChats: false,
      canRunCampaigns: false,
    });

    // Meta would accept the token again now: any refusal from here on is our own.
    fake.reset();
    const again = await reply(chatId, { text: "Still there?" });
    expect([again.status, again.body.code]).toEqual([409, "conflict"]);
    expect((await reply(chatId, { template: { name: "follow_up", languageCode: "en" } })).status).toBe(409);
    expect(fake.requests).toEqual([]);
  });
});

describe("who may see and answer a Cloud API chat", () => {
  it("a Collaborator gets 404 until the Agent makes them responsible; then they see it and reply", async () => {
    const { chatId } = await customerWrites("Hi, anyone there?");
    expect((await server.api("GET", `/chats/${chatId}`, { token: team.collaborator.token })).status).toBe(404);
    expect((await server.api("GET", `/chats/${chatId}/messages`, { token: team.collaborator.token })).status).toBe(404);
    expect((await reply(chatId, { text: "Not mine yet" }, team.collaborator.token)).status).toBe(404);
    expect((await server.api("GET", "/chats", { token: team.collaborator.token })).body.data).toEqual([]);
    expect(fake.requests).toEqual([]);

    const assigned = await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.agent.token, body: { memberId: team.collaborator.id } });
    expect([assigned.status, assigned.body.chat.responsibleId]).toEqual([200, team.collaborator.id]);

    const seen = await server.api("GET", `/chats/${chatId}`, { token: team.collaborator.token });
    expect(seen.body).toMatchObject({ id: chatId, contact: { phone: customer.phone }, abilities: { reply: true, assign: false } });
    expect((await server.api("GET", "/chats", { token: team.collaborator.token })).body.data.map((chat: { id: string }) => chat.id)).toEqual([chatId]);
    const answered = await reply(chatId, { text: "I can help" }, team.collaborator.token);
    expect(answered.status).toBe(201);
    expect(answered.body.message).toMatchObject({ status: "sent", authorId: team.collaborator.id });
    expect(fake.sentMessages.map((sent) => [sent.body.to, sent.body.type])).toEqual([[customer.waId, "text"]]);
    expect(fake.requests[0]?.authorization).toBe(`Bearer ${accessToken}`);
  });
});

// The fake Graph API refuses what Meta refuses (test/fakes/graph-api.ts), so these cases fail if
// our server's own rule slips: the request would reach Meta and come back refused.
describe("Meta's rules hold our server to account", () => {
  const hourMs = 60 * 60 * 1000;

  it("24-hour rule: a customer message 25 h old (delivered late) opens no window — our server refuses the text itself and Meta sees nothing; a fresh one opens it", async () => {
    const oldTimestamp = Math.floor((Date.now() - 25 * hourMs) / 1000);
    const late = inboundTextWebhook({ phoneNumberId: account.phoneNumberId, from: { phone: customer.waId }, body: "Sent yesterday", timestamp: oldTimestamp });
    expect((await fake.deliverWebhook(webhookUrl(), appSecret, late)).status).toBe(200);
    const chatId = (await chatWith({ phone: customer.waId }))?.id as string;
    expect(chatId).toEqual(expect.any(String));
    fake.reset();

    const refused = await reply(chatId, { text: "Sorry for the delay" });
    expect([refused.status, refused.body.code]).toEqual([422, "unprocessable"]);
    expect(fake.requests).toEqual([]);
    expect((await history(chatId)).map((message: { text: string }) => message.text)).toEqual(["Sent yesterday"]);

    await customerWrites("Hello? Anyone?");
    const answered = await reply(chatId, { text: "Here now" });
    expect([answered.status, answered.body.message.status, answered.body.message.error]).toEqual([201, "sent", null]);
    expect(fake.sentMessages.map((sent) => [sent.body.type, sent.body.to])).toEqual([["text", customer.waId]]);
  });

  it("a template the business never registered is Meta's 132001: the reply is stored failed with Meta's code and detail", async () => {
    const { chatId } = await customerWrites("Hi");
    const sent = await reply(chatId, { template: { name: "order_update_v2", languageCode: "en_US" } });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({
      status: "failed",
      templateName: "order_update_v2",
      error: { code: "132001", detail: "template name (order_update_v2) does not exist in en_US" },
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.sentMessages).toEqual([]);
  });

  it("an empty template parameter is our 400 before anything is stored (Meta would refuse it: 131008, a text parameter without text)", async () => {
    const { chatId } = await customerWrites("Hi");
    const refused = await reply(chatId, { template: { name: "order_update_v1", languageCode: "en_US", bodyParameters: ["Ana", ""] } });
    expect([refused.status, refused.headers.get("content-type")]).toEqual([400, expect.stringMatching(/^application\/problem\+json/)]);
    expect(fake.requests).toEqual([]);
    expect((await history(chatId)).map((message: { text: string }) => message.text)).toEqual(["Hi"]);
  });

  it("each number sends with its own business's token: a second business's number in another WABA answers only to that token", async () => {
    const theirToken = "EAAGm0PX4ZCpsBAtheir-business-token-9876543210";
    const theirs = { wabaId: "202290129340398", phoneNumberId: String(206540352240000 + ++accountSequence), displayPhoneNumber: "+1 555-079-0200" };
    fake.registerPhoneNumber({ ...theirs, accessTokens: [theirToken] });
    const connected = await server.api("POST", "/whatsapp-accounts", {
      token: team.agent.token,
      body: { provider: "cloud", phoneNumber: "+15550790200", cloud: { phoneNumberId: theirs.phoneNumberId, wabaId: theirs.wabaId, accessToken: theirToken } },
    });
    expect(connected.status).toBe(201);
    const ours = await customerWrites("To the first number");
    const theirPayload = inboundTextWebhook({
      phoneNumberId: theirs.phoneNumberId,
      from: { phone: "16505550199" },
      body: "To the second number",
      timestamp: Math.floor(Date.now() / 1000),
    });
    expect((await fake.deliverWebhook(webhookUrl(), appSecret, theirPayload)).status).toBe(200);
    const theirChatId = (await chatWith({ phone: "16505550199" }))?.id as string;
    fake.reset();

    const first = await reply(ours.chatId, { text: "From the first business" });
    const second = await reply(theirChatId, { text: "From the second business" });
    expect([first.body.message?.status, second.body.message?.status]).toEqual(["sent", "sent"]);
    expect(fake.requests.map((request) => [request.path, request.authorization])).toEqual([
      [`/v25.0/${account.phoneNumberId}/messages`, `Bearer ${accessToken}`],
      [`/v25.0/${theirs.phoneNumberId}/messages`, `Bearer ${theirToken}`],
    ]);
  });
});
