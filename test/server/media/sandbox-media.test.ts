import { eq } from "drizzle-orm";
import { messageMedia } from "../../../server/db/schema";
import { deleteStoredFiles } from "../../../server/media/deletion";
import type { MediaStorage } from "../../../server/media/storage";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// The sandbox's simulated customer sends files with no Meta behind it: sample files stored at once.
let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(() => server.close());

const randomPhone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

async function sandboxLine(token: string) {
  const connected = await server.api("POST", "/whatsapp-accounts", { token, body: { provider: "sandbox", phoneNumber: randomPhone(), displayName: "Line" } });
  expect(connected.status).toBe(201);
  return connected.body.account.id as string;
}

async function customerSends(accountId: string, body: Record<string, unknown>) {
  const sent = await server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, {
    token: team.owner.token,
    body: { from: "+14155550123", ...body },
  });
  expect(sent.status).toBe(201);
  const history = (await server.api("GET", `/chats/${sent.body.chatId}/messages`, { token: team.owner.token })).body.data;
  return { chatId: sent.body.chatId as string, message: history.find((message: { id: string }) => message.id === sent.body.messageId) };
}

const bytesAt = async (url: string) => Buffer.from(await (await fetch(`${server.url}/api/v1${url}`)).arrayBuffer());

describe("the sandbox's customer sends a file", () => {
  it.each([
    ["photo", { kind: "image", mimeType: "image/png", fileName: null }, "[image] Our shop front", "89504e470d0a1a0a"],
    ["pdf", { kind: "document", mimeType: "application/pdf", fileName: "Invoice 2026-117.pdf" }, "[document] Our shop front", "255044462d312e34"],
    ["voice", { kind: "audio", mimeType: "audio/mpeg", fileName: null }, "[audio] Our shop front", "fffb9064"],
  ])("a %s arrives ready, its link serving a valid file", async (sample, expected, text, signature) => {
    const accountId = await sandboxLine(team.owner.token);
    const { message } = await customerSends(accountId, { media: sample, text: "Our shop front" });
    expect(message).toMatchObject({ direction: "in", text, media: { ...expected, caption: "Our shop front", status: "ready" } });
    const bytes = await bytesAt(message.media.url);
    expect(bytes.length).toBe(message.media.sizeBytes);
    expect(bytes.subarray(0, signature.length / 2).toString("hex")).toBe(signature);
  });

  it("a member's reaction answers with the message and its file's link", async () => {
    const accountId = await sandboxLine(team.owner.token);
    const { chatId, message } = await customerSends(accountId, { media: "photo" });
    const reacted = await server.api("PUT", `/chats/${chatId}/messages/${message.id}/reaction`, { token: team.owner.token, body: { emoji: "👍" } });
    expect(reacted.status).toBe(200);
    expect(reacted.body.message).toMatchObject({
      id: message.id,
      media: { kind: "image", status: "ready", url: expect.stringMatching(/^\/media\//) },
    });
  });

  it("without a caption the text is the file's stand-in; with neither text nor media it is refused", async () => {
    const accountId = await sandboxLine(team.owner.token);
    expect((await customerSends(accountId, { media: "voice" })).message.text).toBe("[audio]");
    const refused = await server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token: team.owner.token, body: { from: "+14155550123" } });
    expect(refused.status).toBe(400);
  });
});

describe("deleting a workspace", () => {
  it("deletes its files from the media storage after its rows", async () => {
    const accountId = await sandboxLine(team.owner.token);
    await customerSends(accountId, { media: "photo" });
    await customerSends(accountId, { media: "pdf" });
    const rows = await server.database.db.select().from(messageMedia).where(eq(messageMedia.workspaceId, team.workspace.id));
    const keys = rows.map((row) => row.storageKey as string);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(await server.services.mediaStorage.get(key)).not.toBeNull();
    // Another workspace's file stays.
    const other = await insertTeamDirectly(server.database.db);
    const otherLine = await sandboxLine(other.owner.token);
    const kept = await server.api("POST", `/whatsapp-accounts/${otherLine}/sandbox/inbound`, {
      token: other.owner.token,
      body: { from: "+14155550123", media: "photo" },
    });
    const [keptRow] = await server.database.db.select().from(messageMedia).where(eq(messageMedia.messageId, kept.body.messageId));

    const deleted = await server.api("DELETE", "/workspace", { token: team.owner.token, body: { confirm: team.workspace.name } });
    expect(deleted.status).toBe(204);
    expect(await server.database.db.select().from(messageMedia).where(eq(messageMedia.workspaceId, team.workspace.id))).toEqual([]);
    for (const key of keys) expect(await server.services.mediaStorage.get(key)).toBeNull();
    expect(await server.services.mediaStorage.get(keptRow?.storageKey as string)).not.toBeNull();
  });

  it("a storage that fails keeps trying, then reports the keys it could not delete without throwing", async () => {
    const calls: string[] = [];
    const flaky: MediaStorage = {
      put: async () => undefined,
      get: async () => null,
      async delete(key) {
        calls.push(key);
        if (key === "always-down" || calls.filter((called) => called === key).length < 2) throw new Error("storage unavailable");
      },
    };
    const errors: unknown[] = [];
    const logger = { error: (...args: unknown[]) => errors.push(args) } as unknown as Parameters<typeof deleteStoredFiles>[2];
    expect(await deleteStoredFiles(flaky, ["recovers", "always-down"], logger)).toEqual(["always-down"]);
    expect(calls.filter((key) => key === "recovers")).toHaveLength(2);
    expect(calls.filter((key) => key === "always-down")).toHaveLength(3);
    expect(errors).toHaveLength(1);
  });
});
