import { request } from "node:http";
import { and, eq } from "drizzle-orm";
import { chats, messageMedia } from "../../../server/db/schema";
import { mediaStorageOf } from "../../../server/media/storage-of";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { inboundTextWebhook, newWamid } from "../../fakes/whatsapp-webhooks";
import { type BuiltMember, insertAccountDirectly, insertChatDirectly, insertMemberDirectly, insertRoleDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

// Sending a file (POST /chats/{id}/media): through the real Graph client to the fake Graph API
// for Cloud accounts (upload, then a media message by id), the sandbox for sandbox ones.
const appSecret = "our-meta-app-secret";
const accessToken = "EAAGm0PX4ZCpsBAmedia-access-token-0123456789";
const wabaId = "102290129340777";
const customer = { waId: "16505557777", name: "Sheena Nelson" };
const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7), Buffer.from([0xff, 0xd9])]);

let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let cloud: { accountId: string; phoneNumberId: string };
let sequence = 0;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: "verify-media-123" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  sequence++;
  const phoneNumberId = String(106540352270000 + sequence);
  fake.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: `+1 555-079-${String(3800 + sequence)}` });
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: { provider: "cloud", phoneNumber: `+1 555 079 ${String(3800 + sequence)}`, displayName: "Cloud line", cloud: { phoneNumberId, wabaId, accessToken } },
  });
  expect(connected.status, connected.text).toBe(201);
  cloud = { accountId: connected.body.account.id, phoneNumberId };
  fake.reset();
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** The customer writes to the Cloud number (Meta's signed webhook): the chat, its window open. */
async function customerWrites(wamid = newWamid()): Promise<string> {
  const payload = inboundTextWebhook({
    phoneNumberId: cloud.phoneNumberId,
    from: { phone: customer.waId },
    body: "Can you send the invoice?",
    name: customer.name,
    wamid,
    timestamp: Math.floor(Date.now() / 1000),
  });
  expect((await fake.deliverWebhook(`${server.url}/api/v1/inbound/whatsapp`, appSecret, payload)).status).toBe(200);
  const list = await server.api("GET", "/chats", { token: team.agent.token });
  const chat = (list.body.data as { id: string; accountId: string }[]).find((row) => row.accountId === cloud.accountId);
  if (!chat) throw new Error("no chat after the inbound webhook");
  fake.reset();
  return chat.id;
}

/** POSTs a file the way the composer does: raw bytes, Content-Type the file's type. */
async function sendFile(chatId: string, data: Buffer, type: string, query: Record<string, string> = {}, token = team.agent.token) {
  const search = new URLSearchParams(query).toString();
  const response = await fetch(`${server.url}/api/v1/chats/${chatId}/media${search ? `?${search}` : ""}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": type },
    body: new Uint8Array(data),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), body: text ? JSON.parse(text) : null };
}

async function mediaRowOf(messageId: string) {
  const [row] = await server.database.db
    .select()
    .from(messageMedia)
    .where(and(eq(messageMedia.workspaceId, team.workspace.id), eq(messageMedia.messageId, messageId)));
  return row;
}

/** Starts a POST that declares `length` bytes, sends a few, and answers the status the server replies with within 5 s (0 if none). */
function announceBody(url: string, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: "POST",
      headers: { "content-type": "application/pdf", "content-length": String(length) },
    });
    outgoing.on("response", (response) => {
      resolve(response.statusCode ?? 0);
      outgoing.destroy();
    });
    outgoing.on("error", (error) => (outgoing.destroyed ? undefined : reject(error)));
    outgoing.write(pdf);
    setTimeout(() => {
      resolve(0);
      outgoing.destroy();
    }, 5000);
  });
}

const history = async (chatId: string) => (await server.api("GET", `/chats/${chatId}/messages`, { token: team.agent.token })).body.data;

describe("a Cloud API account", () => {
  it("uploads the file to Meta, then sends a document message by its id, with the file name and caption", async () => {
    const chatId = await customerWrites();
    const sent = await sendFile(chatId, pdf, "application/pdf", { fileName: "Invoice 2026-12.pdf", caption: "Your invoice" });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body.message).toMatchObject({
      chatId,
      direction: "out",
      text: "[document] Your invoice",
      status: "sent",
      authorId: team.agent.id,
      media: {
        kind: "document",
        mimeType: "application/pdf",
        fileName: "Invoice 2026-12.pdf",
        caption: "Your invoice",
        sizeBytes: pdf.length,
        status: "ready",
        url: expect.stringMatching(/^\/media\/[^/]+\/[^/?]+\?expires=\d+&signature=[\w-]+$/),
      },
    });
    // Meta got the bytes once, typed, then a message naming the upload's id.
    expect(fake.uploads).toEqual([
      { id: expect.any(String), phoneNumberId: cloud.phoneNumberId, mimeType: "application/pdf", fileName: "Invoice 2026-12.pdf", data: pdf },
    ]);
    const mediaId = fake.uploads[0]?.id;
    expect(fake.sentMessages.map((message) => message.body)).toEqual([
      {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: customer.waId,
        biz_opaque_callback_data: sent.body.message.id,
        type: "document",
        document: { id: mediaId, caption: "Your invoice", filename: "Invoice 2026-12.pdf" },
      },
    ]);
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `POST /v25.0/${cloud.phoneNumberId}/media`,
      `POST /v25.0/${cloud.phoneNumberId}/messages`,
    ]);
    // Stored: the message's 'ready' file with Meta's id, the bytes in our storage, the activity log.
    const row = await mediaRowOf(sent.body.message.id);
    expect(row).toMatchObject({ kind: "document", status: "ready", providerMediaId: mediaId, sizeBytes: pdf.length, fileName: "Invoice 2026-12.pdf" });
    expect(await mediaStorageOf(server.services).get(row?.storageKey as string)).toEqual(pdf);
    const log = await server.api("GET", "/audit-log?action=message.send", { token: team.owner.token });
    expect(log.body.data[0]).toMatchObject({
      actorId: team.agent.id,
      targetId: chatId,
      details: { messageId: sent.body.message.id, kind: "media", mediaKind: "document", mimeType: "application/pdf", sizeBytes: pdf.length },
    });
    expect((await history(chatId))[0]).toMatchObject({ id: sent.body.message.id, text: "[document] Your invoice", status: "sent" });
    // The signed link serves the very bytes.
    expect(sent.body.message.media.url).toContain(`/media/${team.workspace.id}/${sent.body.message.id}?`);
    const download = await fetch(`${server.url}/api/v1${sent.body.message.media.url}`);
    expect([download.status, download.headers.get("content-type"), Buffer.from(await download.arrayBuffer())]).toEqual([200, "application/pdf", pdf]);
  });

  it("sends an image with its caption and no file name (Meta: filename is for documents only)", async () => {
    const chatId = await customerWrites();
    const sent = await sendFile(chatId, jpeg, "image/jpeg", { caption: "The blue one" });
    expect(sent.status).toBe(201);
    expect(sent.body.message.media).toMatchObject({ kind: "image", fileName: "image.jpg", caption: "The blue one" });
    expect(fake.sentMessages[0]?.body).toMatchObject({ type: "image", image: { id: fake.uploads[0]?.id, caption: "The blue one" } });
    expect(fake.sentMessages[0]?.body).not.toHaveProperty("image.filename");
  });

  it.each([
    ["a type WhatsApp does not carry", Buffer.from("GIF89a...."), "image/gif", 415, /does not carry files of type image\/gif/],
    ["an HTML page", Buffer.from("<html></html>"), "text/html", 415, /does not carry files of type text\/html/],
    ["an image over Meta's 5 MB", Buffer.alloc(5 * 1024 * 1024 + 1, 1), "image/png", 413, /image files of at most 5 MB/],
    ["a sticker over 500 KB", Buffer.alloc(500 * 1024 + 1, 1), "image/webp", 413, /sticker files of at most 500 KB/],
  ])("refuses %s before anything is stored or uploaded", async (_case, data, type, status, detail) => {
    const chatId = await customerWrites();
    const refused = await sendFile(chatId, data, type);
    expect(refused.status).toBe(status);
    expect(refused.contentType).toContain("application/problem+json");
    expect(refused.body.detail).toMatch(detail);
    expect(fake.requests).toEqual([]);
    expect((await history(chatId)).map((message: { direction: string }) => message.direction)).toEqual(["in"]);
  });

  it("refuses a caption on audio (Meta shows none) and an empty body", async () => {
    const chatId = await customerWrites();
    expect((await sendFile(chatId, Buffer.from("ID3audio"), "audio/mpeg", { caption: "listen" })).status).toBe(400);
    expect((await sendFile(chatId, Buffer.alloc(0), "application/pdf")).status).toBe(400);
    expect(fake.requests).toEqual([]);
  });

  it("Meta refusing the message after the upload leaves it failed, with Meta's reason", async () => {
    const chatId = await customerWrites();
    fake.failFor(customer.waId, { code: 131053, details: "Unable to process the document." });
    const sent = await sendFile(chatId, pdf, "application/pdf", { fileName: "invoice.pdf" });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ status: "failed", error: { code: "131053", detail: "Unable to process the document." } });
    expect(fake.uploads).toHaveLength(1);
    expect((await history(chatId))[0]).toMatchObject({ status: "failed", error: { code: "131053" } });
    // The file stays with the message: the history still shows what was attempted.
    expect(await mediaRowOf(sent.body.message.id)).toMatchObject({ status: "ready", providerMediaId: fake.uploads[0]?.id });
  });

  it("Meta refusing the upload itself leaves the message failed and sends nothing", async () => {
    const chatId = await customerWrites();
    fake.failNext({ code: 131053, details: "Media upload error: the file could not be processed." });
    const sent = await sendFile(chatId, jpeg, "image/jpeg");
    expect(sent.body.message).toMatchObject({ status: "failed", error: { code: "131053", detail: "Media upload error: the file could not be processed." } });
    expect(fake.sentMessages).toEqual([]);
  });

  it("a file replying to the customer's message quotes it: Meta gets context.message_id, the history shows the quote", async () => {
    const customerWamid = newWamid();
    const chatId = await customerWrites(customerWamid);
    const [asked] = await history(chatId);
    const sent = await sendFile(chatId, pdf, "application/pdf", { fileName: "invoice.pdf", caption: "Here it is", replyToMessageId: asked.id });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const quote = { id: asked.id, direction: "in", text: "Can you send the invoice?", mediaKind: null };
    expect(sent.body.message).toMatchObject({ status: "sent", media: { kind: "document", caption: "Here it is" }, replyTo: quote });
    expect(fake.sentMessages.map((message) => message.body)).toEqual([
      {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: customer.waId,
        context: { message_id: customerWamid },
        biz_opaque_callback_data: sent.body.message.id,
        type: "document",
        document: { id: fake.uploads[0]?.id, caption: "Here it is", filename: "invoice.pdf" },
      },
    ]);
    expect((await history(chatId))[0]).toMatchObject({ id: sent.body.message.id, replyTo: quote });
  });

  it("a reply quoting another chat's message is 404, one quoting a message without a WhatsApp id 422; nothing is uploaded or stored", async () => {
    const chatId = await customerWrites();
    const line = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const otherChat = await insertChatDirectly(server.database.db, team.workspace, line, { customerWroteAt: new Date() });
    const [elsewhere] = await history(otherChat.id);
    const notHere = await sendFile(chatId, pdf, "application/pdf", { replyToMessageId: elsewhere.id });
    expect([notHere.status, notHere.contentType]).toEqual([404, "application/problem+json; charset=utf-8"]);
    // Meta refused this text, so it never got a wamid to quote.
    fake.failFor(customer.waId, { code: 131026, details: "Message undeliverable." });
    const failed = await server.api("POST", `/chats/${chatId}/messages`, { token: team.agent.token, body: { text: "Sending it now" } });
    expect(failed.body.message).toMatchObject({ status: "failed" });
    fake.reset();
    const unsent = await sendFile(chatId, pdf, "application/pdf", { replyToMessageId: failed.body.message.id });
    expect([unsent.status, unsent.body.title]).toEqual([422, "Not sent yet"]);
    expect(fake.requests).toEqual([]);
    const rows = await server.database.db.select().from(messageMedia).where(eq(messageMedia.workspaceId, team.workspace.id));
    expect(rows).toEqual([]);
  });

  it("outside the 24-hour window refuses like text (422) and keeps nothing", async () => {
    const chatId = await customerWrites();
    await server.database.db
      .update(chats)
      .set({ windowOpenUntil: new Date(Date.now() - 60_000) })
      .where(and(eq(chats.workspaceId, team.workspace.id), eq(chats.id, chatId)));
    const refused = await sendFile(chatId, pdf, "application/pdf");
    expect(refused.status).toBe(422);
    expect(refused.body.title).toBe("Outside the 24-hour window");
    expect(fake.requests).toEqual([]);
    const rows = await server.database.db.select().from(messageMedia).where(eq(messageMedia.workspaceId, team.workspace.id));
    expect(rows).toEqual([]);
  });
});

describe("a sandbox account", () => {
  it("delivers the file: sent, then delivered and read, as text is", async () => {
    const line = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const chat = await insertChatDirectly(server.database.db, team.workspace, line, { customerWroteAt: new Date() });
    const sent = await sendFile(chat.id, pdf, "application/pdf", { fileName: "price list.pdf" });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ status: "sent", text: "[document] price list.pdf", media: { kind: "document", fileName: "price list.pdf" } });
    expect(fake.requests).toEqual([]);
    await eventually(async () => expect((await history(chat.id))[0]).toMatchObject({ id: sent.body.message.id, status: "read" }));
  });
});

describe("who may send a file", () => {
  let viewer: BuiltMember;
  beforeEach(async () => {
    const role = await insertRoleDirectly(server.database.db, team.workspace, { "chats.view": "all" }, "Viewer");
    viewer = await insertMemberDirectly(server.database.db, team.workspace, { roleId: role.id });
  });

  it("a member who sees the chat but may not reply gets 403 naming chats.reply; nothing is stored", async () => {
    const line = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const chat = await insertChatDirectly(server.database.db, team.workspace, line, { customerWroteAt: new Date() });
    const refused = await sendFile(chat.id, pdf, "application/pdf", {}, viewer.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "permission_denied", permission: "chats.reply" });
    expect(await history(chat.id)).toHaveLength(1);
  });

  it("without a valid token the file is refused with 401 before its bytes are read", async () => {
    const line = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const chat = await insertChatDirectly(server.database.db, team.workspace, line, { customerWroteAt: new Date() });
    for (const headers of [{}, { authorization: "Bearer not-a-token" }] as Record<string, string>[]) {
      const response = await fetch(`${server.url}/api/v1/chats/${chat.id}/media`, {
        method: "POST",
        headers: { "content-type": "application/pdf", ...headers },
        body: new Uint8Array(pdf),
      });
      expect([response.status, response.headers.get("content-type")]).toEqual([401, "application/problem+json; charset=utf-8"]);
    }
    // Announcing 200 MB and sending a few bytes: the answer comes at once. Were the body read first,
    // the server would wait for all of it (body-parser drains even a body over its limit).
    expect(await announceBody(`${server.url}/api/v1/chats/${chat.id}/media`, 200 * 1024 * 1024)).toBe(401);
    expect(await history(chat.id)).toHaveLength(1);
  });

  it("a chat the member cannot see is 404, whatever the file", async () => {
    const teamLine = await insertAccountDirectly(server.database.db, team.workspace, team.teammate.id);
    const chat = await insertChatDirectly(server.database.db, team.workspace, teamLine, { customerWroteAt: new Date() });
    expect((await sendFile(chat.id, pdf, "application/pdf")).status).toBe(404);
    expect((await sendFile(chat.id, Buffer.from("x"), "image/gif")).status).toBe(404);
    expect((await sendFile("chat_unknown", pdf, "application/pdf")).status).toBe(404);
  });
});
