import { and, eq } from "drizzle-orm";
import { deletionNotice } from "../../../extension/console/inbox/deletion-words";
import { loadDayLines } from "../../../server/crm/day-lines";
import { latestMessageId, panelChatsAndAccounts } from "../../../server/crm/panel-chats";
import { chats, messageMedia, messages, webhookDeliveries } from "../../../server/db/schema";
import { resolvePrincipal } from "../../../server/identity/tokens";
import { whatsappNotice } from "../../../server/inbox/message-deletion";
import { chatRecord, loadChat } from "../../../server/inbox/queries";
import { applyStatuses } from "../../../server/inbox/statuses";
import { can, scope } from "../../../server/permissions";
import { insertMemberDirectly, insertRoleDirectly, insertWorkspaceDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

// Guarded deletion (issue 15 §4): messages.delete (scoped over chats, like chats.assign). A deleted
// message disappears for everyone — history, search, previews, exports, unread, files, panels,
// CRM logging, live updates — and its content stays only in the activity log, for audit.view.
let server: TestServer;
let team: Team;
let accountId: string;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  accountId = (await server.api("POST", "/whatsapp-accounts", { token: team.agent.token, body: { provider: "sandbox", phoneNumber: randomPhone() } })).body
    .account.id;
});
afterAll(() => server.close());

const randomPhone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
const customer = "+15550199999";

async function customerWrites(body: Record<string, unknown>, from = customer) {
  const sent = await server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token: team.owner.token, body: { from, ...body } });
  expect(sent.status, sent.text).toBe(201);
  return { chatId: sent.body.chatId as string, messageId: sent.body.messageId as string };
}
const history = async (chatId: string, token = team.owner.token) =>
  (await server.api("GET", `/chats/${chatId}/messages`, { token })).body.data as { id: string; text: string; replyTo?: unknown }[];
const remove = (chatId: string, messageId: string, token = team.admin.token) => server.api("DELETE", `/chats/${chatId}/messages/${messageId}`, { token });

describe("deleting a message", () => {
  it("takes it out of the history, search, preview, unread count and export, says WhatsApp still has it, and logs the retained copy", async () => {
    const first = await customerWrites({ text: "My card number is 4111 1111 1111 1111" });
    await customerWrites({ text: "Sorry, ignore that" });
    const unreadBefore = (await server.api("GET", `/chats/${first.chatId}`, { token: team.teammate.token })).body.unreadCount;
    const [latest] = await history(first.chatId);
    expect(latest?.text).toBe("Sorry, ignore that");

    // The newest message goes first: the preview falls back to the one before.
    const deletedLatest = await remove(first.chatId, latest?.id as string);
    expect(deletedLatest.status, deletedLatest.text).toBe(200);
    expect(deletedLatest.body).toEqual({ deleted: true, notice: "Deleted here only: the customer sent it on WhatsApp, so they still have it." });
    expect((await server.api("GET", `/chats/${first.chatId}`, { token: team.teammate.token })).body).toMatchObject({
      lastMessagePreview: "My card number is 4111 1111 1111 1111",
      unreadCount: unreadBefore - 1,
    });

    expect((await remove(first.chatId, first.messageId)).status).toBe(200);
    expect(await history(first.chatId, team.teammate.token)).toEqual([]);
    const chat = (await server.api("GET", `/chats/${first.chatId}`, { token: team.teammate.token })).body;
    expect([chat.lastMessagePreview, chat.unreadCount]).toEqual([null, unreadBefore - 2]);
    const search = await server.api("GET", "/chats?q=4111", { token: team.owner.token });
    expect(search.body.data).toEqual([]);
    const csv = (await server.api("GET", "/exports/chats", { token: team.owner.token })).text;
    expect(csv).not.toContain("4111");
    expect(csv).not.toContain("ignore that");
    // Nothing of it is left in the row.
    const [row] = await server.database.db.select().from(messages).where(eq(messages.id, first.messageId));
    expect(row).toMatchObject({ text: "", rich: null, deletedBy: team.admin.id, deletedAt: expect.any(Date) });

    // Deleting it again: it is gone, so 404, and nothing more is logged.
    const again = await remove(first.chatId, first.messageId);
    expect(again.status).toBe(404);

    const log = await server.api("GET", "/audit-log?action=message.delete", { token: team.owner.token });
    expect(log.body.data).toHaveLength(2);
    expect(log.body.data[0]).toMatchObject({
      actorId: team.admin.id,
      action: "message.delete",
      targetType: "message",
      targetId: first.messageId,
      details: {
        chatId: first.chatId,
        deletedAt: expect.any(String),
        notice: "Deleted here only: the customer sent it on WhatsApp, so they still have it.",
        message: { direction: "in", status: "received", text: "My card number is 4111 1111 1111 1111", media: null },
      },
    });
    // Members without audit.view see no activity log at all, so not the retained copy either.
    expect((await server.api("GET", "/audit-log", { token: team.teammate.token })).status).toBe(403);
  });

  it("of a message the business sent: the notice says WhatsApp already has it", async () => {
    const { chatId } = await customerWrites({ text: "Hello?" });
    const sent = await server.api("POST", `/chats/${chatId}/messages`, { token: team.owner.token, body: { text: "Wrong price: 10 €" } });
    expect(sent.status).toBe(201);
    const deleted = await remove(chatId, sent.body.message.id);
    expect(deleted.status).toBe(200);
    expect(deleted.body.notice).toMatch(/^Deleted here only: WhatsApp already (accepted|delivered) it/);
    expect((await history(chatId)).map((message) => message.text)).toEqual(["Hello?"]);
  });

  it("of a sent message: later delivery statuses emit nothing (no live update, no webhook)", async () => {
    const hook = await server.api("POST", "/webhooks", { token: team.owner.token, body: { url: "http://127.0.0.1:9/hook", events: ["message.status"] } });
    expect(hook.status).toBe(201);
    const { chatId } = await customerWrites({ text: "Hello?" });
    // Stored as the sender leaves it once WhatsApp accepted it (no sandbox receipts racing the test).
    const wamid = `wamid.deleted-${Date.now()}`;
    await server.database.db.insert(messages).values({
      workspaceId: team.workspace.id,
      id: "msg_sent_then_deleted",
      chatId,
      direction: "out",
      text: "Oops",
      status: "sent",
      providerMessageId: wamid,
    });
    expect((await remove(chatId, "msg_sent_then_deleted")).status).toBe(200);
    const stream = await openEventStream(`${server.url}/api/v1/events`, team.owner.token);
    const statusDeliveries = () =>
      server.database.db
        .select()
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.workspaceId, team.workspace.id), eq(webhookDeliveries.event, "message.status")));
    const before = (await statusDeliveries()).length;
    const changed = await applyStatuses(server.database.db, [{ workspaceId: team.workspace.id, providerMessageId: wamid, status: "read", at: new Date() }]);
    expect(changed).toBe(1);
    await customerWrites({ text: "marker" });
    await eventually(() => expect(stream.events.map((event) => event.type)).toContain("message.created"));
    expect(stream.events.map((event) => event.type)).not.toContain("message.status");
    expect(await statusDeliveries()).toHaveLength(before);
    await stream.close();
  });

  it("is refused with 403 naming messages.delete, and 404 for another chat's, another workspace's or an unknown message", async () => {
    const one = await customerWrites({ text: "one" });
    const other = await customerWrites({ text: "other" }, "+15550188888");
    const refused = await remove(one.chatId, one.messageId, team.teammate.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "permission_denied", permission: "messages.delete" });
    expect((await remove(one.chatId, other.messageId)).status).toBe(404);
    expect((await remove(one.chatId, "msg_unknown")).status).toBe(404);
    const intruder = await insertMemberDirectly(server.database.db, await insertWorkspaceDirectly(server.database.db), { roleId: "owner" });
    expect((await remove(one.chatId, one.messageId, intruder.token)).status).toBe(404);
    // Refusals change nothing.
    expect((await history(one.chatId)).map((message) => message.text)).toEqual(["one"]);
    expect((await server.api("GET", "/audit-log?action=message.delete", { token: team.owner.token })).body.data).toEqual([]);
  });

  it("removes its file: the link and the file are gone, the activity log keeps its description", async () => {
    const { chatId, messageId } = await customerWrites({ media: "photo", text: "Our shop front" });
    const [file] = await server.database.db.select().from(messageMedia).where(eq(messageMedia.messageId, messageId));
    const storageKey = file?.storageKey as string;
    expect(await server.services.mediaStorage.get(storageKey)).not.toBeNull();
    expect((await remove(chatId, messageId)).status).toBe(200);
    expect((await server.api("GET", `/chats/${chatId}/messages/${messageId}/media`, { token: team.owner.token })).status).toBe(404);
    expect(await server.services.mediaStorage.get(storageKey)).toBeNull();
    const log = await server.api("GET", "/audit-log?action=message.delete", { token: team.owner.token });
    expect(log.body.data[0].details.message).toMatchObject({
      text: "[image] Our shop front",
      media: { kind: "image", mimeType: "image/png", caption: "Our shop front", sha256: file?.sha256, sizeBytes: file?.sizeBytes },
    });
  });

  it("leaves replies quoting it saying it was deleted, and it can no longer be quoted or reacted to", async () => {
    const { chatId, messageId } = await customerWrites({ text: "Do you ship to Ghent?" });
    const reply = await server.api("POST", `/chats/${chatId}/messages`, { token: team.owner.token, body: { text: "Yes!", replyToMessageId: messageId } });
    expect(reply.status).toBe(201);
    expect((await remove(chatId, messageId)).status).toBe(200);
    const [shown] = await history(chatId);
    expect(shown).toMatchObject({ id: reply.body.message.id, replyTo: { id: messageId, text: "", mediaKind: null, deleted: true } });
    const quoting = await server.api("POST", `/chats/${chatId}/messages`, { token: team.owner.token, body: { text: "Again", replyToMessageId: messageId } });
    expect(quoting.status).toBe(404);
    const reacting = await server.api("PUT", `/chats/${chatId}/messages/${messageId}/reaction`, { token: team.owner.token, body: { emoji: "👍" } });
    expect(reacting.status).toBe(404);
  });

  it("reaches live listeners who see the chat as message.deleted with its id only, and webhooks subscribed to it", async () => {
    const hook = await server.api("POST", "/webhooks", { token: team.owner.token, body: { url: "http://127.0.0.1:9/hook", events: ["message.deleted"] } });
    expect(hook.status).toBe(201);
    const { chatId, messageId } = await customerWrites({ text: "Delete me" });
    const teammate = await openEventStream(`${server.url}/api/v1/events`, team.teammate.token);
    const collaborator = await openEventStream(`${server.url}/api/v1/events`, team.collaborator.token);
    expect((await remove(chatId, messageId)).status).toBe(200);
    await eventually(() => expect(teammate.events.map((event) => event.type)).toContain("message.deleted"));
    const event = teammate.events.find((candidate) => candidate.type === "message.deleted");
    expect(event?.data).toMatchObject({ type: "message.deleted", messageId, chat: { id: chatId, lastMessagePreview: null } });
    expect(event?.data.message).toBeUndefined();
    expect(JSON.stringify(event?.data)).not.toContain("Delete me");
    // The Collaborator does not see the chat: nothing reaches them.
    await customerWrites({ text: "after" }, "+15550177777");
    await eventually(() => expect(teammate.events.filter((candidate) => candidate.type === "message.created")).toHaveLength(1));
    expect(collaborator.events).toEqual([]);
    const [delivery] = await server.database.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.workspaceId, team.workspace.id), eq(webhookDeliveries.event, "message.deleted")));
    expect(delivery?.payload).toMatchObject({ type: "message.deleted", data: { chatId, messageId, deletedAt: expect.any(String) } });
    await teammate.close();
    await collaborator.close();
  });

  it("leaves it out of what CRM panels show and what CRM logging has yet to log", async () => {
    const { chatId, messageId } = await customerWrites({ text: "Secret" });
    const kept = await customerWrites({ text: "Kept" });
    await server.database.db
      .update(messages)
      .set({ createdAt: new Date(Date.now() + 1000) })
      .where(eq(messages.id, messageId));
    expect((await remove(chatId, messageId)).status).toBe(200);
    const owner = await resolvePrincipal(server.database.db, team.owner.token);
    if (!owner) throw new Error("no owner");
    const panel = await panelChatsAndAccounts(server.database.db, owner, [customer]);
    expect(panel.chats.map((chat) => [chat.id, chat.lastMessagePreview])).toEqual([[chatId, "Kept"]]);
    expect(await latestMessageId(server.database.db, team.workspace.id, chatId)).toBe(kept.messageId);
    const day = new Date().toISOString().slice(0, 10);
    const lines = await loadDayLines(server.database.db, { workspaceId: team.workspace.id, chatId, day });
    expect(lines.map((line) => line.text)).toEqual(["Kept"]);
  });
});

describe("who may delete: predicate, SQL scope and HTTP agree", () => {
  // A custom role: every chat visible, messages.delete "own" (chats of numbers they connected, or they are responsible for).
  it.each([
    ["a chat of a number they connected", "connected", true],
    ["a chat they are responsible for", "responsible", true],
    ["someone else's chat", "other", false],
  ] as const)("%s → %s", async (_name, relation, allowed) => {
    const db = server.database.db;
    const role = await insertRoleDirectly(db, team.workspace, { "chats.view": "all", "messages.delete": "own", "whatsapp.connect": true });
    const member = await insertMemberDirectly(db, team.workspace, { roleId: role.id });
    if (relation === "connected") {
      accountId = (await server.api("POST", "/whatsapp-accounts", { token: member.token, body: { provider: "sandbox", phoneNumber: randomPhone() } })).body
        .account.id;
    }
    const { chatId, messageId } = await customerWrites({ text: "hello" });
    if (relation === "responsible") await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.owner.token, body: { memberId: member.id } });
    const actor = await resolvePrincipal(db, member.token);
    const chat = await loadChat(db, team.workspace.id, chatId);
    if (!actor || !chat) throw new Error("setup");
    expect(can(actor, "messages.delete", chatRecord(chat))).toBe(allowed);
    const inScope = await db
      .select({ id: chats.id })
      .from(chats)
      .where(and(eq(chats.workspaceId, team.workspace.id), eq(chats.id, chatId), scope(actor, "messages.delete")));
    expect(inScope.length === 1).toBe(allowed);
    const shown = await server.api("GET", `/chats/${chatId}`, { token: member.token });
    expect(shown.body.abilities.delete).toBe(allowed);
    expect((await remove(chatId, messageId, member.token)).status).toBe(allowed ? 200 : 403);
  });
});

describe("the notice", () => {
  it.each(["queued", "sent", "delivered", "read", "failed"] as const)("for a %s message is the same in the console's dialog as in the answer", (status) => {
    expect(deletionNotice({ direction: "out", status })).toBe(whatsappNotice({ direction: "out", status }));
  });
  it("is null only for a message WhatsApp never had", () => {
    expect(whatsappNotice({ direction: "out", status: "failed" })).toBeNull();
    expect(deletionNotice({ direction: "in", status: "received" })).toBe(whatsappNotice({ direction: "in", status: "received" }));
  });
});
