import { createHash } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { messageMedia, messages } from "../../../server/db/schema";
import type { JobRunner } from "../../../server/jobs/runner";
import { startMediaFetchWorker } from "../../../server/media/fetch-worker";
import { signMediaDownload } from "../../../server/media/signed-url";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { newWamid } from "../../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

// A customer's file over real HTTP: Meta's signed webhook into our server, the fetch worker
// against the fake Graph API (GET /{media-id}, then the expiring url with the bearer), and the
// member's signed link that serves the stored bytes.
const appSecret = "our-meta-app-secret";
const accessToken = "EAAGm0PX4ZCpsBAmedia-access-token-0123456789";
const wabaId = "102290129340555";
const customer = { waId: "16505550199", name: "Sheena Nelson" };
const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(" a jpeg of a damaged parcel")]);

let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let account: { id: string; phoneNumberId: string };
let accountSequence = 0;
let worker: JobRunner | undefined;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: appSecret });
  // The server's own worker waits minutes between attempts; each test runs one with short waits.
  for (const task of [...server.services.background]) if ("metrics" in task && (task as JobRunner).metrics().name === "media-fetch") await task.stop();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  accountSequence++;
  const phoneNumberId = String(106540352270000 + accountSequence);
  fake.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: `+1 555-078-${String(4800 + accountSequence)}` });
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: {
      provider: "cloud",
      phoneNumber: `+1 555 078 ${String(4800 + accountSequence)}`,
      displayName: "Cloud line",
      cloud: { phoneNumberId, wabaId, accessToken },
    },
  });
  expect(connected.status).toBe(201);
  account = { id: connected.body.account.id, phoneNumberId };
  startWorker();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

function startWorker() {
  worker = startMediaFetchWorker(server.services, { pollIntervalMs: 50, retryDelaysMs: [20, 20] });
}

type MediaFields = { kind: string; id: string; mime_type: string; sha256?: string; caption?: string; filename?: string };

/**
 * Meta's inbound media message webhook (Image/Document/Audio/Video/Sticker messages webhook reference,
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/image):
 * `type` names the media and the object of that name carries id, mime_type, sha256 and, for images,
 * videos and documents, a caption (documents also a filename).
 */
function mediaWebhook(media: MediaFields, wamid: string) {
  const { kind, ...fields } = media;
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550784801", phone_number_id: account.phoneNumberId },
              contacts: [{ profile: { name: customer.name }, wa_id: customer.waId }],
              messages: [{ from: customer.waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: kind, [kind]: fields }],
            },
          },
        ],
      },
    ],
  };
}

const webhookUrl = () => `${server.url}/api/v1/inbound/whatsapp`;
const sha256Hex = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The customer sends a file Meta holds as `data` (registered with the fake unless `mediaId` is given). */
async function customerSends(input: { kind: string; mimeType: string; data?: Buffer; mediaId?: string; caption?: string; filename?: string; wamid?: string }) {
  const data = input.data ?? photo;
  const mediaId = input.mediaId ?? fake.registerMedia({ phoneNumberId: account.phoneNumberId, mimeType: input.mimeType, data });
  const wamid = input.wamid ?? newWamid();
  const payload = mediaWebhook(
    {
      kind: input.kind,
      id: mediaId,
      mime_type: input.mimeType,
      sha256: sha256Hex(data),
      ...(input.caption ? { caption: input.caption } : {}),
      ...(input.filename ? { filename: input.filename } : {}),
    },
    wamid,
  );
  const delivery = await fake.deliverWebhook(webhookUrl(), appSecret, payload);
  expect(delivery.status).toBe(200);
  // Meta's timestamps are whole seconds: two files sent in one second are found by their wamid, not their order.
  const [stored] = await server.database.db
    .select({ id: messages.id, chatId: messages.chatId })
    .from(messages)
    .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.providerMessageId, wamid)));
  const chatId = stored?.chatId as string;
  const history = (await server.api("GET", `/chats/${chatId}/messages`, { token: team.agent.token })).body.data;
  const message = history.find((shown: { id: string }) => shown.id === stored?.id);
  return { chatId, messageId: message.id as string, message, payload, wamid };
}

async function mediaOf(chatId: string, messageId: string, token = team.agent.token) {
  const history = (await server.api("GET", `/chats/${chatId}/messages`, { token })).body.data as { id: string; media?: Record<string, unknown> }[];
  return history.find((message) => message.id === messageId)?.media;
}

const readyMedia = (chatId: string, messageId: string) =>
  eventually(async () => {
    const media = await mediaOf(chatId, messageId);
    expect(media?.status).toBe("ready");
    return media as { url: string; [field: string]: unknown };
  });

const failedMedia = (chatId: string, messageId: string) =>
  eventually(async () => {
    const media = await mediaOf(chatId, messageId);
    expect(media?.status).toBe("failed");
    return media;
  });

const download = (relativeUrl: string) => fetch(`${server.url}/api/v1${relativeUrl}`);

async function storedRow(messageId: string) {
  const [row] = await server.database.db
    .select()
    .from(messageMedia)
    .where(and(eq(messageMedia.workspaceId, team.workspace.id), eq(messageMedia.messageId, messageId)));
  return row;
}

describe("a customer's photo", () => {
  it("shows at once as loading, then ready with a link that downloads the exact bytes with safe headers", async () => {
    await worker?.stop();
    const events = await openEventStream(`${server.url}/api/v1/events`, team.agent.token);
    const { chatId, messageId, message } = await customerSends({ kind: "image", mimeType: "image/jpeg", caption: "The parcel arrived like this" });
    expect(message).toMatchObject({
      text: "[image] The parcel arrived like this",
      media: { kind: "image", mimeType: "image/jpeg", fileName: null, caption: "The parcel arrived like this", sizeBytes: null, status: "loading", url: null },
    });
    const created = await eventually(() => {
      const found = events.events.find((event) => event.type === "message.created" && event.data.message.id === messageId);
      expect(found).toBeDefined();
      return found;
    });
    expect(created?.data.message.media).toMatchObject({ status: "loading", url: null });

    startWorker();
    const media = await readyMedia(chatId, messageId);
    expect(media).toMatchObject({ kind: "image", mimeType: "image/jpeg", sizeBytes: photo.length, status: "ready" });
    expect(media.url).toMatch(new RegExp(`^/media/${team.workspace.id}/${messageId}\\?expires=\\d+&signature=[\\w-]+$`));
    // Open consoles hear it: the message's update carries the file's link.
    const updated = await eventually(() => {
      const found = events.events.find((event) => event.type === "message.status" && event.data.message.id === messageId);
      expect(found?.data.message.media.status).toBe("ready");
      return found;
    });
    expect(updated?.data.message.media.url).toMatch(/^\/media\//);
    await events.close();

    const response = await download(media.url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(photo)).toBe(true);
    expect(
      Object.fromEntries(
        ["content-type", "content-disposition", "x-content-type-options", "content-security-policy", "cache-control"].map((name) => [
          name,
          response.headers.get(name),
        ]),
      ),
    ).toEqual({
      "content-type": "image/jpeg",
      "content-disposition": 'inline; filename="image.jpg"',
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "private, max-age=300",
    });
    const saved = await download(`${media.url}&download=1`);
    expect(saved.headers.get("content-disposition")).toBe('attachment; filename="image.jpg"');

    // The gated route gives a fresh link to the same file.
    const fresh = await server.api("GET", `/chats/${chatId}/messages/${messageId}/media`, { token: team.agent.token });
    expect(fresh.status).toBe(200);
    expect(Date.parse(fresh.body.expiresAt) - Date.now()).toBeGreaterThan(14 * 60 * 1000);
    expect(Buffer.from(await (await download(fresh.body.url)).arrayBuffer()).equals(photo)).toBe(true);
  });

  it("is one message and one file however often Meta redelivers the webhook", async () => {
    const { chatId, messageId, payload } = await customerSends({ kind: "image", mimeType: "image/jpeg" });
    await readyMedia(chatId, messageId);
    expect((await fake.deliverWebhook(webhookUrl(), appSecret, payload)).status).toBe(200);
    expect((await fake.deliverWebhook(webhookUrl(), appSecret, payload)).status).toBe(200);
    const db = server.database.db;
    const [messageCount] = await db.select({ n: count() }).from(messages).where(eq(messages.workspaceId, team.workspace.id));
    const [mediaCount] = await db.select({ n: count() }).from(messageMedia).where(eq(messageMedia.workspaceId, team.workspace.id));
    expect([messageCount?.n, mediaCount?.n]).toEqual([1, 1]);
    expect((await storedRow(messageId))?.status).toBe("ready");
  });
});

describe("who can open a file", () => {
  it("a member who cannot see the chat gets 404 on both routes, and a link opens only its own message in its own workspace", async () => {
    const first = await customerSends({ kind: "image", mimeType: "image/jpeg" });
    const firstMedia = await readyMedia(first.chatId, first.messageId);
    const pdf = Buffer.from("%PDF-1.4 quote");
    const second = await customerSends({ kind: "document", mimeType: "application/pdf", data: pdf, filename: "quote.pdf" });
    await readyMedia(second.chatId, second.messageId);

    // The Collaborator sees only chats assigned to them: this one is not.
    const collaborator = team.collaborator.token;
    expect((await server.api("GET", `/chats/${first.chatId}/messages`, { token: collaborator })).status).toBe(404);
    const gated = await server.api("GET", `/chats/${first.chatId}/messages/${first.messageId}/media`, { token: collaborator });
    expect([gated.status, gated.headers.get("content-type")]).toEqual([404, "application/problem+json; charset=utf-8"]);

    // Another workspace's member, with the chat id and message id, gets nothing either.
    const stranger = await insertTeamDirectly(server.database.db);
    expect((await server.api("GET", `/chats/${first.chatId}/messages/${first.messageId}/media`, { token: stranger.owner.token })).status).toBe(404);

    const query = firstMedia.url.slice(firstMedia.url.indexOf("?"));
    const forged = [
      `/media/${team.workspace.id}/${second.messageId}${query}`,
      `/media/${stranger.workspace.id}/${first.messageId}${query}`,
      firstMedia.url.replace(/signature=[\w-]+/, "signature=AAAA"),
      firstMedia.url.replace(/expires=(\d+)/, (_, expires) => `expires=${Number(expires) + 60}`),
      `/media/${team.workspace.id}/${first.messageId}`,
    ];
    for (const url of forged) {
      const response = await download(url);
      expect([url, response.status, response.headers.get("content-type")]).toEqual([url, 404, "application/problem+json; charset=utf-8"]);
    }
  });

  it("an expired link is a 404", async () => {
    const { chatId, messageId } = await customerSends({ kind: "image", mimeType: "image/jpeg" });
    await readyMedia(chatId, messageId);
    const target = { workspaceId: team.workspace.id, messageId };
    const { expires, signature } = signMediaDownload(server.services.config.mediaLinkKey, target, Date.now() - 16 * 60 * 1000, 15 * 60 * 1000);
    const expired = await download(`/media/${team.workspace.id}/${messageId}?expires=${expires}&signature=${signature}`);
    expect(expired.status).toBe(404);
    const valid = signMediaDownload(server.services.config.mediaLinkKey, target, Date.now(), 60 * 1000);
    expect((await download(`/media/${team.workspace.id}/${messageId}?expires=${valid.expires}&signature=${valid.signature}`)).status).toBe(200);
  });
});

describe("files we do not keep", () => {
  it.each([
    ["an image over Meta's 5 MB", { kind: "image", mimeType: "image/jpeg", data: Buffer.alloc(5 * 1024 * 1024 + 1, 1) }, "too_large"],
    [
      "a document that is a web page",
      { kind: "document", mimeType: "text/html", data: Buffer.from("<script>alert(1)</script>"), filename: "invoice.html" },
      "unsupported_type",
    ],
    ["an image that is an SVG", { kind: "image", mimeType: "image/svg+xml", data: Buffer.from("<svg onload='alert(1)'/>") }, "unsupported_type"],
  ])("%s: failed, and nothing stored", async (_case, input, reason) => {
    const { chatId, messageId } = await customerSends(input);
    const media = await failedMedia(chatId, messageId);
    expect(media).toMatchObject({ status: "failed", url: null });
    const row = await storedRow(messageId);
    expect([row?.storageKey, row?.lastError]).toEqual([null, reason]);
    expect((await server.api("GET", `/chats/${chatId}/messages/${messageId}/media`, { token: team.agent.token })).status).toBe(409);
  });

  it("a file Meta no longer serves is tried again, then failed", async () => {
    // A media id Meta does not know (any more): GET /{media-id} answers with Graph's error.
    const { chatId, messageId } = await customerSends({ kind: "image", mimeType: "image/jpeg", mediaId: "1009988776655" });
    await failedMedia(chatId, messageId);
    const row = await storedRow(messageId);
    expect([row?.status, row?.attempts, row?.storageKey]).toEqual(["failed", 3, null]);
    const asked = fake.requests.filter((request) => request.path.endsWith("/1009988776655"));
    expect(asked.length).toBe(3);
  });

  it("a file whose bytes do not match the webhook's SHA-256 is never stored", async () => {
    const mediaId = fake.registerMedia({ phoneNumberId: account.phoneNumberId, mimeType: "image/jpeg", data: photo });
    const wamid = newWamid();
    const payload = mediaWebhook({ kind: "image", id: mediaId, mime_type: "image/jpeg", sha256: sha256Hex(Buffer.from("something else")) }, wamid);
    expect((await fake.deliverWebhook(webhookUrl(), appSecret, payload)).status).toBe(200);
    const [message] = await server.database.db
      .select({ id: messages.id, chatId: messages.chatId })
      .from(messages)
      .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.providerMessageId, wamid)));
    await failedMedia(message?.chatId as string, message?.id as string);
    expect((await storedRow(message?.id as string))?.storageKey).toBeNull();
  });
});

describe("every kind of file", () => {
  const sticker = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 sticker")]);
  const voice = Buffer.concat([Buffer.from("OggS"), Buffer.alloc(40, 2)]);
  const video = Buffer.concat([Buffer.alloc(4), Buffer.from("ftypmp42 a video")]);
  const pdf = Buffer.from("%PDF-1.7 delivery note");
  it.each([
    ["sticker", { kind: "sticker", mimeType: "image/webp", data: sticker }, { mimeType: "image/webp", fileName: null }, 'inline; filename="sticker.webp"'],
    [
      "voice note",
      { kind: "audio", mimeType: "audio/ogg; codecs=opus", data: voice },
      { mimeType: "audio/ogg", fileName: null },
      'inline; filename="audio.ogg"',
    ],
    [
      "video",
      { kind: "video", mimeType: "video/mp4", data: video, caption: "Unboxing" },
      { mimeType: "video/mp4", fileName: null },
      'inline; filename="video.mp4"',
    ],
    [
      "document",
      { kind: "document", mimeType: "application/pdf", data: pdf, filename: "Delivery note.pdf" },
      { mimeType: "application/pdf", fileName: "Delivery note.pdf" },
      'attachment; filename="Delivery note.pdf"',
    ],
  ])("a %s is fetched, stored and served", async (_case, input, expected, disposition) => {
    const { chatId, messageId } = await customerSends(input);
    const media = await readyMedia(chatId, messageId);
    expect(media).toMatchObject({ kind: input.kind, ...expected, sizeBytes: input.data.length });
    const response = await download(media.url);
    expect(Buffer.from(await response.arrayBuffer()).equals(input.data)).toBe(true);
    expect([response.headers.get("content-type"), response.headers.get("content-disposition")]).toEqual([expected.mimeType, disposition]);
  });
});
