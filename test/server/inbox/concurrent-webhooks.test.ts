import { and, count, eq, inArray } from "drizzle-orm";
import { chats, contacts, messages, webhookDeliveries } from "../../../server/db/schema";
import type { BusEvent } from "../../../server/events/bus";
import { type InboundMessage, ingestInboundMessage, ingestInboundMessages } from "../../../server/inbox/ingest";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { inboundTextWebhook, newWamid } from "../../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// Concurrent webhooks are stored together, many to a transaction (server/whatsapp/inbound-batches.ts).
// Whatever a batch holds, each message is stored exactly once, with everything a lone message
// gets: its chat's activity, one outgoing-webhook delivery, one live update; and each webhook is
// answered only once its message is committed. A message that cannot be stored fails alone.
const appSecret = "concurrent-webhooks-app-secret";
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-concurrent";
const number = { wabaId: "602290129340511", phoneNumberId: "606540352240511", displayPhoneNumber: "+1 555-079-0511" };
let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let workspaceId: string;
const heard: BusEvent[] = [];

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  fake.registerPhoneNumber(number);
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: appSecret });
  team = await insertTeamDirectly(server.database.db);
  workspaceId = team.workspace.id;
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: { provider: "cloud", phoneNumber: "+15550790511", cloud: { phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, accessToken } },
  });
  expect(connected.status).toBe(201);
  const hook = await server.api("POST", "/webhooks", { token: team.owner.token, body: { url: "http://127.0.0.1:9/hook", events: ["message.created"] } });
  expect(hook.status).toBe(201);
  server.services.events.subscribe((event) => heard.push(event));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const deliver = (payload: unknown) => fake.deliverWebhook(`${server.url}/api/v1/inbound/whatsapp`, appSecret, payload);
const stored = async (wamids: string[]) =>
  server.database.db
    .select({ wamid: messages.providerMessageId, chatId: messages.chatId, text: messages.text })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), inArray(messages.providerMessageId, wamids)));

describe("concurrent inbound webhooks", () => {
  it("store every message once, with its chat, delivery and live update, however they are batched; each answer follows its commit", async () => {
    const start = Math.floor(Date.now() / 1000) - 600;
    const sent = Array.from({ length: 48 }, (_, index) => {
      const sender = 16505550600 + (index % 12);
      const wamid = newWamid();
      const text = `message ${index} from ${sender}`;
      return {
        wamid,
        sender,
        text,
        timestamp: start + index,
        payload: inboundTextWebhook({ phoneNumberId: number.phoneNumberId, from: { phone: String(sender) }, body: text, wamid, timestamp: start + index }),
      };
    });
    // Every sixth delivered twice at once, as Meta does when an answer is slow.
    const deliveries = [...sent, ...sent.filter((_, index) => index % 6 === 0)];
    const answers = await Promise.all(
      deliveries.map(async (one) => {
        const answer = await deliver(one.payload);
        // Answered 200 only once the message is committed: it is readable the moment the answer arrives.
        const readable = (await stored([one.wamid])).length;
        return { ...answer, readable };
      }),
    );
    expect(answers.every((answer) => answer.status === 200 && answer.readable === 1)).toBe(true);

    const rows = await stored(sent.map((one) => one.wamid));
    expect(rows).toHaveLength(sent.length);
    expect(new Set(rows.map((row) => row.wamid)).size).toBe(sent.length);
    const chatIds = new Set(rows.map((row) => row.chatId));
    expect(chatIds.size).toBe(12);
    const [contactCount] = await server.database.db.select({ n: count() }).from(contacts).where(eq(contacts.workspaceId, workspaceId));
    expect(contactCount?.n).toBe(12);
    // Each chat's preview is its newest message, whatever order the batches wrote them in.
    const chatRows = await server.database.db
      .select()
      .from(chats)
      .where(and(eq(chats.workspaceId, workspaceId), inArray(chats.id, [...chatIds])));
    for (const chat of chatRows) {
      const newest = sent.filter((one) => rows.find((row) => row.wamid === one.wamid)?.chatId === chat.id).at(-1);
      expect(chat.lastMessagePreview).toBe(newest?.text);
      expect(chat.lastMessageAt?.getTime()).toBe((newest?.timestamp ?? 0) * 1000);
    }
    const deliveryRows = await server.database.db
      .select({ payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.event, "message.created")));
    const delivered = deliveryRows.map((row) => (row.payload as { data: { message: { text: string } } }).data.message.text);
    expect(delivered.sort()).toEqual(sent.map((one) => one.text).sort());
    await vi.waitFor(() => {
      const created = heard.filter((event) => event.type === "message.created" && event.workspaceId === workspaceId);
      expect(created).toHaveLength(sent.length);
    });
  });

  it("a message that cannot be stored fails only its own webhook; the others of its batch are stored", async () => {
    const good = Array.from({ length: 12 }, (_, index) => {
      const wamid = newWamid();
      return {
        wamid,
        payload: inboundTextWebhook({ phoneNumberId: number.phoneNumberId, from: { phone: String(16505550700 + index) }, body: `fine ${index}`, wamid }),
      };
    });
    // PostgreSQL text cannot hold a NUL character: this message's insert fails.
    const badWamid = newWamid();
    const bad = inboundTextWebhook({ phoneNumberId: number.phoneNumberId, from: { phone: "16505550799" }, body: "broken \u0000 text", wamid: badWamid });
    const answers = await Promise.all([
      ...good.slice(0, 6).map((one) => deliver(one.payload)),
      deliver(bad),
      ...good.slice(6).map((one) => deliver(one.payload)),
    ]);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(good.length);
    expect(answers[6]?.status).toBe(500);
    expect(await stored(good.map((one) => one.wamid))).toHaveLength(good.length);
    expect(await stored([badWamid])).toHaveLength(0);
  });

  it("a batch written by ingestInboundMessages matches one-by-one ingestion: new and known senders, a wamid twice, a redelivery, a quote", async () => {
    const accountId = (await server.api("GET", "/whatsapp-accounts", { token: team.owner.token })).body.data[0].id as string;
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 5, 12, 0, seconds));
    const message = (phone: string, wamid: string, text: string, seconds: number, extra: Partial<InboundMessage> = {}): InboundMessage => ({
      workspaceId,
      accountId,
      from: { phone, bsuid: null, name: `Customer ${phone}` },
      providerMessageId: wamid,
      text,
      receivedAt: at(seconds),
      ...extra,
    });
    const known = await ingestInboundMessage(server.database.db, message("16505550801", "wamid.batch.known", "already here", 1));
    const published: BusEvent[] = [];
    const results = await ingestInboundMessages(
      server.database.db,
      [
        message("16505550802", "wamid.batch.a", "first of a new sender", 10),
        message("16505550801", "wamid.batch.b", "known sender again", 12),
        message("16505550802", "wamid.batch.c", "newest of the new sender", 14),
        message("16505550802", "wamid.batch.c", "newest of the new sender", 14),
        message("16505550801", "wamid.batch.known", "already here", 1),
        message("16505550802", "wamid.batch.d", "older, arrives late", 11),
        message("16505550801", "wamid.batch.e", "quoting", 13, { replyToWamid: "wamid.batch.known" }),
      ],
      (events) => published.push(...events),
    );
    expect(results.map((result) => result.duplicate)).toEqual([false, false, false, true, true, false, false]);
    expect(results[3]?.messageId).toBe(results[2]?.messageId);
    expect(results[4]).toEqual({ ...known, duplicate: true });
    expect(results[1]?.chatId).toBe(known.chatId);
    expect(new Set([results[0]?.chatId, results[2]?.chatId, results[5]?.chatId]).size).toBe(1);
    expect(published.map((event) => (event as { messageId: string }).messageId).sort()).toEqual(
      [0, 1, 2, 5, 6].map((index) => results[index]?.messageId).sort(),
    );
    const chatRows = await server.database.db
      .select()
      .from(chats)
      .where(and(eq(chats.workspaceId, workspaceId), inArray(chats.id, [known.chatId, results[0]?.chatId as string])));
    const newChat = chatRows.find((chat) => chat.id === results[0]?.chatId);
    const knownChat = chatRows.find((chat) => chat.id === known.chatId);
    expect(newChat).toMatchObject({
      lastMessageAt: at(14),
      lastMessagePreview: "newest of the new sender",
      windowOpenUntil: new Date(at(14).getTime() + 24 * 3600_000),
    });
    expect(newChat?.contactName).toBe("Customer 16505550802");
    expect(knownChat).toMatchObject({ lastMessageAt: at(13), lastMessagePreview: "quoting" });
    const [quote] = await server.database.db
      .select()
      .from(messages)
      .where(eq(messages.id, results[6]?.messageId as string));
    expect(quote?.replyToMessageId).toBe(known.messageId);
    const deliveries = await server.database.db
      .select({ payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.event, "message.created")));
    const ids = deliveries.map((row) => (row.payload as { data: { message: { id: string } } }).data.message.id);
    for (const index of [0, 1, 2, 5, 6]) expect(ids.filter((id) => id === results[index]?.messageId)).toHaveLength(1);
  });
});
