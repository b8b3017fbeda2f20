import { and, count, eq } from "drizzle-orm";
import { messageReactions, messages, webhookDeliveries } from "../../../server/db/schema";
import { createCloudClient } from "../../../server/whatsapp/cloud-client";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import {
  contactsWebhook,
  type InboundInput,
  inboundTextWebhook,
  interactiveReplyWebhook,
  locationWebhook,
  newWamid,
  quickReplyButtonWebhook,
  reactionWebhook,
  statusWebhook,
} from "../../fakes/whatsapp-webhooks";
import { insertMemberDirectly, insertRoleDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

// Replies, reactions and the structured message types over the Cloud API path end to end: Meta's
// webhooks into our server, stored, presented by GET /chats/{id}/messages; members' replies and
// reactions out through the real Graph client to the fake Graph API.
const appSecret = "our-meta-app-secret";
const accessToken = "EAAGm0PX4ZCpsBArich-access-token-0123456789";
const wabaId = "102290129340398";
const customer = { phone: "+16505551234", waId: "16505551234", name: "Sheena Nelson" };

let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let account: { id: string; phoneNumberId: string };
let accountSequence = 0;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: "verify-rich" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  account = await connectCloudAccount(team, team.agent.token);
  fake.reset();
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function connectCloudAccount(of: Team, token: string) {
  accountSequence++;
  const phoneNumberId = String(106540352250000 + accountSequence);
  fake.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: `+1 555-079-${String(3800 + accountSequence)}` });
  const response = await server.api("POST", "/whatsapp-accounts", {
    token,
    body: {
      provider: "cloud",
      phoneNumber: `+1 555 079 ${String(3800 + accountSequence)}`,
      displayName: "Cloud line",
      cloud: { phoneNumberId, wabaId, accessToken },
    },
  });
  expect(response.status, `${of.workspace.id}: ${response.text}`).toBe(201);
  return { id: response.body.account.id as string, phoneNumberId };
}

const webhookUrl = () => `${server.url}/api/v1/inbound/whatsapp`;
const now = () => Math.floor(Date.now() / 1000);
const sender = (overrides: Partial<InboundInput> = {}): InboundInput => ({
  phoneNumberId: account.phoneNumberId,
  from: { phone: customer.waId },
  name: customer.name,
  wamid: newWamid(),
  timestamp: now(),
  ...overrides,
});

async function deliver(payload: unknown) {
  const delivery = await fake.deliverWebhook(webhookUrl(), appSecret, payload);
  expect(delivery.status).toBe(200);
  return JSON.parse(delivery.text) as { received: number };
}

async function customerWrites(body: string, overrides: Partial<InboundInput> = {}) {
  const input = sender(overrides);
  await deliver(inboundTextWebhook({ ...input, body }));
  return { wamid: input.wamid as string, chatId: await chatId() };
}

async function chatId(): Promise<string> {
  const list = await server.api("GET", "/chats", { token: team.agent.token });
  return (list.body.data as { id: string; contact: { phone: string } }[]).find((chat) => chat.contact.phone === customer.phone)?.id as string;
}

type Presented = Record<string, unknown> & { id: string; text: string; reactions: unknown[] };
const history = async (id: string, token = team.agent.token): Promise<Presented[]> => (await server.api("GET", `/chats/${id}/messages`, { token })).body.data;
const newest = async (id: string) => (await history(id))[0] as Presented;
const messageCount = async () => (await server.database.db.select({ n: count() }).from(messages).where(eq(messages.workspaceId, team.workspace.id)))[0]?.n;
const unreadOf = async (id: string) =>
  ((await server.api("GET", "/chats", { token: team.agent.token })).body.data as { id: string; unreadCount: number }[]).find((chat) => chat.id === id)
    ?.unreadCount;
const react = (id: string, messageId: string, emoji: string, token = team.agent.token) =>
  server.api("PUT", `/chats/${id}/messages/${messageId}/reaction`, { token, body: { emoji } });
const unreact = (id: string, messageId: string, token = team.agent.token) => server.api("DELETE", `/chats/${id}/messages/${messageId}/reaction`, { token });

describe("replies", () => {
  it("a customer's reply quoting our message is stored with its id and presented with replyTo; a redelivery changes nothing", async () => {
    const first = await customerWrites("Do you ship to Lisbon?");
    const ours = await server.api("POST", `/chats/${first.chatId}/messages`, { token: team.agent.token, body: { text: "We do, in 2 days." } });
    expect(ours.status).toBe(201);
    const ourWamid = fake.sentMessages.at(-1)?.wamid as string;
    const reply = sender({ replyTo: ourWamid });
    const payload = inboundTextWebhook({ ...reply, body: "Great, ordering now" });
    await deliver(payload);
    await deliver(payload);
    // Meta's timestamps are whole seconds: the reply may sort before our message of the same second.
    const message = (await history(first.chatId)).find((presented) => presented.text === "Great, ordering now");
    expect(message).toMatchObject({
      text: "Great, ordering now",
      replyTo: { id: ours.body.message.id, direction: "out", text: "We do, in 2 days.", mediaKind: null },
      reactions: [],
    });
    expect(await messageCount()).toBe(3);
  });

  it("a reply quoting a message unknown here keeps Meta's wamid and presents replyTo null", async () => {
    const { chatId: id } = await customerWrites("About that", { replyTo: "wamid.from-before-switchboard" });
    const [message] = await history(id);
    expect(message?.replyTo).toBeNull();
    const [stored] = await server.database.db
      .select()
      .from(messages)
      .where(eq(messages.id, message?.id as string));
    expect([stored?.replyToMessageId, stored?.replyToProviderId]).toEqual([null, "wamid.from-before-switchboard"]);
  });

  it("a member replies to a customer's message: Meta gets context.message_id, the history shows what it quotes", async () => {
    const first = await customerWrites("Which size fits me?");
    const [quoted] = await history(first.chatId);
    const sent = await server.api("POST", `/chats/${first.chatId}/messages`, {
      token: team.agent.token,
      body: { text: "The M, I'd say", replyToMessageId: quoted?.id },
    });
    expect(sent.status).toBe(201);
    expect(fake.sentMessages.at(-1)?.body).toMatchObject({ type: "text", context: { message_id: first.wamid } });
    expect(sent.body.message.replyTo).toEqual({ id: quoted?.id, direction: "in", text: "Which size fits me?", mediaKind: null });
    expect((await newest(first.chatId)).replyTo).toEqual(sent.body.message.replyTo);
  });

  it("a reply may only quote a message of the same chat (404), and only text quotes (400)", async () => {
    const first = await customerWrites("Hello");
    const [quoted] = await history(first.chatId);
    const other = await server.api("POST", `/chats/${first.chatId}/messages`, {
      token: team.agent.token,
      body: { text: "x", replyToMessageId: "msg_elsewhere" },
    });
    expect(other.status).toBe(404);
    const template = await server.api("POST", `/chats/${first.chatId}/messages`, {
      token: team.agent.token,
      body: { template: { name: "follow_up", languageCode: "en" }, replyToMessageId: quoted?.id },
    });
    expect(template.status).toBe(400);
    expect(fake.sentMessages).toHaveLength(0);
  });
});

describe("structured messages: webhook → stored → presented", () => {
  it.each([
    {
      type: "location",
      payload: (input: InboundInput) =>
        locationWebhook({ ...input, location: { latitude: 38.7223, longitude: -9.1393, name: "Cafe Central", address: "Rua Augusta 1, Lisboa" } }),
      text: "[location] Cafe Central",
      presented: { location: { latitude: 38.7223, longitude: -9.1393, name: "Cafe Central", address: "Rua Augusta 1, Lisboa" } },
    },
    {
      type: "contacts",
      payload: (input: InboundInput) =>
        contactsWebhook({
          ...input,
          cards: [{ formattedName: "Barbara Johnson", firstName: "Barbara", phones: [{ phone: "+1 (940) 555-1234", waId: "19405551234" }] }],
        }),
      text: "[contact] Barbara Johnson",
      presented: { contacts: [{ name: "Barbara Johnson", phones: ["+1 (940) 555-1234"] }] },
    },
    {
      type: "interactive button_reply",
      payload: (input: InboundInput) =>
        interactiveReplyWebhook({ ...input, replyTo: "wamid.our-buttons", reply: { kind: "button_reply", id: "cancel-button", title: "Cancel" } }),
      text: "Cancel",
      presented: { interactive: { kind: "button_reply", id: "cancel-button", title: "Cancel" }, replyTo: null },
    },
    {
      type: "interactive list_reply",
      payload: (input: InboundInput) =>
        interactiveReplyWebhook({
          ...input,
          reply: { kind: "list_reply", id: "priority_express", title: "Priority Mail Express", description: "Next Day to 2 Days" },
        }),
      text: "Priority Mail Express",
      presented: { interactive: { kind: "list_reply", id: "priority_express", title: "Priority Mail Express" } },
    },
    {
      type: "template quick-reply button",
      payload: (input: InboundInput) => quickReplyButtonWebhook({ ...input, payload: "CONFIRM", text: "Yes, confirm" }),
      text: "Yes, confirm",
      // Meta names the template message tapped (context); not one of ours here, so replyTo is null.
      presented: { interactive: { kind: "button", id: "CONFIRM", title: "Yes, confirm" }, replyTo: null },
    },
  ])("a $type message keeps its data and reads as its text", async ({ payload, text, presented }) => {
    const body = payload(sender());
    expect(await deliver(body)).toEqual({ received: 1 });
    await deliver(body);
    const id = await chatId();
    const messagesOfChat = await history(id);
    expect(messagesOfChat).toHaveLength(1);
    expect(messagesOfChat[0]).toMatchObject({ direction: "in", text, reactions: [], ...presented });
    const chat = (await server.api("GET", `/chats/${id}`, { token: team.agent.token })).body;
    expect(chat.lastMessagePreview).toBe(text);
  });
});

describe("customer reactions", () => {
  it("add, change and remove update the target message; no message is stored and nothing counts as unread; redeliveries change nothing", async () => {
    const first = await customerWrites("Is it in stock?");
    await server.api("PUT", `/chats/${first.chatId}/read`, { token: team.agent.token, body: {} });
    const ours = await server.api("POST", `/chats/${first.chatId}/messages`, { token: team.agent.token, body: { text: "Yes, 3 left" } });
    const ourWamid = fake.sentMessages.at(-1)?.wamid as string;
    const countBefore = await messageCount();
    const thumbs = reactionWebhook({ ...sender({ timestamp: now() }), messageId: ourWamid, emoji: "👍" });
    expect(await deliver(thumbs)).toEqual({ received: 1 });
    const reactionsOf = async () => (await history(first.chatId)).find((message) => message.id === ours.body.message.id)?.reactions;
    expect(await reactionsOf()).toEqual([{ emoji: "👍", by: "customer" }]);
    expect([await messageCount(), await unreadOf(first.chatId)]).toEqual([countBefore, 0]);

    await deliver(reactionWebhook({ ...sender({ timestamp: now() + 1 }), messageId: ourWamid, emoji: "❤️" }));
    expect(await reactionsOf()).toEqual([{ emoji: "❤️", by: "customer" }]);
    // Meta omits `emoji` when the user takes their reaction back.
    await deliver(reactionWebhook({ ...sender({ timestamp: now() + 2 }), messageId: ourWamid, emoji: null }));
    expect(await reactionsOf()).toEqual([]);
    // The first reaction, delivered again late, does not come back.
    await deliver(thumbs);
    expect(await reactionsOf()).toEqual([]);
    expect(await messageCount()).toBe(countBefore);
  });

  it("outgoing webhooks hear message.reaction with the message and its reactions; a later status of that message carries them too", async () => {
    const subscribed = await server.api("POST", "/webhooks", {
      token: team.owner.token,
      body: { url: "http://127.0.0.1:9/hook", events: ["message.reaction", "message.status"] },
    });
    expect(subscribed.status).toBe(201);
    const first = await customerWrites("Is it in stock?");
    const ours = await server.api("POST", `/chats/${first.chatId}/messages`, { token: team.agent.token, body: { text: "Yes" } });
    const ourWamid = fake.sentMessages.at(-1)?.wamid as string;
    await deliver(reactionWebhook({ ...sender(), messageId: ourWamid, emoji: "👍" }));
    await deliver(
      statusWebhook({ phoneNumberId: account.phoneNumberId, wamid: ourWamid, status: "read", recipient: { phone: customer.waId }, timestamp: now() + 5 }),
    );
    const deliveries = await server.database.db
      .select({ event: webhookDeliveries.event, payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.workspaceId, team.workspace.id));
    const messagesOf = (event: string) =>
      deliveries
        .filter((delivery) => delivery.event === event)
        .map((delivery) => (delivery.payload as { data: { message: Record<string, unknown> } }).data.message);
    expect(messagesOf("message.reaction")).toMatchObject([{ id: ours.body.message.id, reactions: [{ emoji: "👍", by: "customer" }] }]);
    // The send's own status (queued → sent) came before the reaction; Meta's "read" after it.
    const read = messagesOf("message.status").find((message) => message.status === "read");
    expect(read).toMatchObject({ id: ours.body.message.id, reactions: [{ emoji: "👍", by: "customer" }] });
  });

  it("members who see the chat hear message.reaction live, with the message's reactions; others hear nothing", async () => {
    const first = await customerWrites("Is it in stock?");
    const agent = await openEventStream(`${server.url}/api/v1/events`, team.agent.token);
    const collaborator = await openEventStream(`${server.url}/api/v1/events`, team.collaborator.token);
    try {
      const [inbound] = await history(first.chatId);
      expect((await react(first.chatId, inbound?.id as string, "🙏")).status).toBe(200);
      const heard = await eventually(() => {
        const event = agent.events.find((candidate) => candidate.type === "message.reaction");
        expect(event).toBeDefined();
        return event;
      });
      expect(heard?.data.message).toMatchObject({ id: inbound?.id, reactions: [{ emoji: "🙏", by: { memberId: team.agent.id } }] });
      expect(collaborator.events.filter((event) => event.type === "message.reaction")).toEqual([]);
    } finally {
      await agent.close();
      await collaborator.close();
    }
  });

  it("a reaction to a message unknown here is acknowledged and ignored", async () => {
    await customerWrites("Hi");
    const countBefore = await messageCount();
    expect(await deliver(reactionWebhook({ ...sender(), messageId: "wamid.unknown", emoji: "👍" }))).toEqual({ received: 1 });
    expect(await messageCount()).toBe(countBefore);
    const [{ n } = { n: -1 }] = await server.database.db
      .select({ n: count() })
      .from(messageReactions)
      .where(eq(messageReactions.workspaceId, team.workspace.id));
    expect(n).toBe(0);
  });
});

describe("member reactions through the Cloud API", () => {
  it("add, change and remove are sent to Meta as reaction messages, stored per member, logged, and shown", async () => {
    const first = await customerWrites("Thanks for the help!");
    const [message] = await history(first.chatId);
    const messageId = message?.id as string;

    const added = await react(first.chatId, messageId, "👍");
    expect(added.status).toBe(200);
    expect(fake.sentMessages.at(-1)?.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: customer.waId,
      type: "reaction",
      reaction: { message_id: first.wamid, emoji: "👍" },
      biz_opaque_callback_data: messageId,
    });
    const byAgent = { memberId: team.agent.id, name: "The agent" };
    expect(added.body.message.reactions).toEqual([{ emoji: "👍", by: byAgent }]);

    expect((await react(first.chatId, messageId, "🙏")).body.message.reactions).toEqual([{ emoji: "🙏", by: byAgent }]);
    expect(fake.sentMessages.at(-1)?.body).toMatchObject({ reaction: { message_id: first.wamid, emoji: "🙏" } });

    // Another member reacts too: one reaction each in Switchboard; WhatsApp shows the business's newest.
    expect((await react(first.chatId, messageId, "🎉", team.owner.token)).status).toBe(200);
    const removed = await unreact(first.chatId, messageId);
    expect(removed.status).toBe(200);
    expect(removed.body.message.reactions).toEqual([{ emoji: "🎉", by: { memberId: team.owner.id, name: "The owner" } }]);
    expect(fake.sentMessages.at(-1)?.body).toMatchObject({ reaction: { message_id: first.wamid, emoji: "🎉" } });
    const ownerRemoved = await unreact(first.chatId, messageId, team.owner.token);
    expect(ownerRemoved.body.message.reactions).toEqual([]);
    // The last one taken back: WhatsApp is sent an empty emoji.
    expect(fake.sentMessages.at(-1)?.body).toMatchObject({ type: "reaction", reaction: { message_id: first.wamid, emoji: "" } });
    expect((await newest(first.chatId)).reactions).toEqual([]);

    const log = await server.api("GET", "/audit-log", { token: team.owner.token });
    const actions = (log.body.data as { action: string; details: { messageId?: string; after?: string | null } }[])
      .filter((entry) => entry.action.startsWith("message.") && entry.details.messageId === messageId)
      .map((entry) => [entry.action, entry.details.after]);
    expect(actions).toEqual([
      ["message.unreact", null],
      ["message.unreact", null],
      ["message.react", "🎉"],
      ["message.react", "🙏"],
      ["message.react", "👍"],
    ]);
  });

  it("WhatsApp lets a business react only to the customer's messages (422), with one emoji (400)", async () => {
    const first = await customerWrites("Hello");
    const ours = await server.api("POST", `/chats/${first.chatId}/messages`, { token: team.agent.token, body: { text: "Hi there" } });
    fake.reset();
    expect((await react(first.chatId, ours.body.message.id, "👍")).status).toBe(422);
    const [inbound] = (await history(first.chatId)).filter((message) => message.direction === "in");
    expect((await react(first.chatId, inbound?.id as string, "ok")).status).toBe(400);
    expect((await react(first.chatId, inbound?.id as string, "👍👍")).status).toBe(400);
    // Nothing to take back: 404, and WhatsApp is told nothing.
    expect((await unreact(first.chatId, inbound?.id as string)).body).toMatchObject({ status: 404, code: "not_found" });
    expect((await react(first.chatId, inbound?.id as string, "👍🏽")).status).toBe(200);
    expect(fake.sentMessages).toHaveLength(1);
  });

  it("a member who sees the chat but may not reply gets 403 naming chats.reply; nothing is sent or stored", async () => {
    const first = await customerWrites("Hello");
    const [message] = await history(first.chatId);
    const viewerRole = await insertRoleDirectly(server.database.db, team.workspace, { "chats.view": "all" });
    const viewer = await insertMemberDirectly(server.database.db, team.workspace, { roleId: viewerRole.id });
    const refused = await react(first.chatId, message?.id as string, "👍", viewer.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "permission_denied", permission: "chats.reply" });
    expect((await unreact(first.chatId, message?.id as string, viewer.token)).body).toMatchObject({ permission: "chats.reply" });
    expect(fake.sentMessages).toHaveLength(0);
  });

  it("a chat the member cannot see is 404, and so is another workspace's chat or message", async () => {
    const first = await customerWrites("Hello");
    const [message] = await history(first.chatId);
    // The collaborator sees only chats assigned to them.
    expect((await react(first.chatId, message?.id as string, "👍", team.collaborator.token)).status).toBe(404);
    const otherTeam = await insertTeamDirectly(server.database.db);
    expect((await react(first.chatId, message?.id as string, "👍", otherTeam.owner.token)).status).toBe(404);
    // Their own chat, our message id: not a message of that chat.
    const ourTeam = team;
    team = otherTeam;
    account = await connectCloudAccount(otherTeam, otherTeam.agent.token);
    const theirs = await customerWrites("Hi other business");
    team = ourTeam;
    const crossed = await react(theirs.chatId, message?.id as string, "👍", otherTeam.agent.token);
    expect(crossed.status).toBe(404);
    expect(crossed.body).toMatchObject({ code: "not_found" });
    expect(fake.sentMessages).toHaveLength(0);
    const [{ n } = { n: -1 }] = await server.database.db
      .select({ n: count() })
      .from(messageReactions)
      .where(and(eq(messageReactions.messageId, message?.id as string)));
    expect(n).toBe(0);
  });
});

describe("the fake Graph API holds reactions and replies to Meta's contract", () => {
  const client = () => createCloudClient({ baseUrl: fake.url, timeoutMs: 5_000 });
  const post = (body: unknown) =>
    fetch(`${fake.url}/v25.0/${account.phoneNumberId}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", to: customer.waId, ...(body as object) }),
    }).then(async (response) => ({ status: response.status, body: await response.json() }));

  it("accepts a reaction to a message the number received, and an empty emoji; refuses an unknown or own message with 131009", async () => {
    const { wamid } = await customerWrites("Hello");
    const base = { phoneNumberId: account.phoneNumberId, accessToken, to: customer.phone };
    expect((await client().sendReaction({ ...base, messageWamid: wamid, emoji: "😀" })).wamid).toMatch(/^wamid\./);
    expect((await client().sendReaction({ ...base, messageWamid: wamid, emoji: "" })).wamid).toMatch(/^wamid\./);
    const unknown = await client()
      .sendReaction({ ...base, messageWamid: "wamid.never-received", emoji: "😀" })
      .catch((error: unknown) => error);
    expect(unknown).toMatchObject({ code: 131009 });
    const ours = await client().sendText({ ...base, body: "Our own message" });
    expect(
      await client()
        .sendReaction({ ...base, messageWamid: ours.wamid, emoji: "😀" })
        .catch((error: unknown) => error),
    ).toMatchObject({ code: 131009 });
  });

  it("refuses a reaction without emoji or message_id, and a context without message_id, with 131008", async () => {
    const { wamid } = await customerWrites("Hello");
    expect(await post({ type: "reaction", reaction: { message_id: wamid } })).toMatchObject({ status: 400, body: { error: { code: 131008 } } });
    expect(await post({ type: "reaction", reaction: { emoji: "👍" } })).toMatchObject({ status: 400, body: { error: { code: 131008 } } });
    expect(await post({ type: "text", text: { body: "hi" }, context: {} })).toMatchObject({ status: 400, body: { error: { code: 131008 } } });
    expect(await post({ type: "text", text: { body: "hi" }, context: { message_id: wamid } })).toMatchObject({ status: 200 });
  });
});
