import { issueToken } from "../../../server/identity/tokens";
import { insertMemberDirectly, insertRoleDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

// Unread is per member and kept on the server (issue 13 §5): counts in GET /chats within the
// caller's scope, PUT/DELETE /chats/{id}/read for themselves only, GET /me/unread for the tab title,
// and the member's other tabs and devices told at once.

let server: TestServer;
let team: Team;
let accountId: string;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  // The teammate's line: the Owner sees every chat on it; the Agent only those they are responsible for.
  accountId = (await server.api("POST", "/whatsapp-accounts", { token: team.teammate.token, body: { provider: "sandbox", phoneNumber: "+15550104000" } })).body
    .account.id;
});
afterAll(() => server.close());

const inbound = async (text: string, from = "+15550188888") => {
  const sent = await server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token: team.owner.token, body: { from, text } });
  expect(sent.status).toBe(201);
  return sent.body as { chatId: string; messageId: string };
};
const listed = async (token: string, chatId: string) => {
  const list = await server.api("GET", "/chats?limit=200", { token });
  expect(list.status).toBe(200);
  return (list.body.data as { id: string; unreadCount: number; markedUnread: boolean }[]).find((chat) => chat.id === chatId);
};
const unreadChats = async (token: string) => (await server.api("GET", "/me/unread", { token })).body.unreadChats as number;
const assign = (chatId: string, memberId: string | null) => server.api("PUT", `/chats/${chatId}/responsible`, { token: team.owner.token, body: { memberId } });

describe("unread counts", () => {
  it("count each member's unread customer messages in GET /chats; reading clears them for that member only", async () => {
    const { chatId } = await inbound("Hello?");
    await inbound("Anyone?");
    await assign(chatId, team.agent.id);
    expect(await listed(team.owner.token, chatId)).toMatchObject({ unreadCount: 2, markedUnread: false });
    expect(await listed(team.agent.token, chatId)).toMatchObject({ unreadCount: 2, markedUnread: false });
    expect(await unreadChats(team.owner.token)).toBe(1);

    const read = await server.api("PUT", `/chats/${chatId}/read`, { token: team.owner.token, body: {} });
    expect(read.status).toBe(200);
    expect(read.body.chat).toMatchObject({ id: chatId, unreadCount: 0, markedUnread: false });
    expect(await listed(team.owner.token, chatId)).toMatchObject({ unreadCount: 0 });
    expect((await server.api("GET", `/chats/${chatId}`, { token: team.owner.token })).body).toMatchObject({ unreadCount: 0 });
    expect(await unreadChats(team.owner.token)).toBe(0);
    // Another member's counts are their own.
    expect(await listed(team.agent.token, chatId)).toMatchObject({ unreadCount: 2 });
    expect(await unreadChats(team.agent.token)).toBe(1);
    // Only the customer's messages count; a reply does not make the chat unread for anyone.
    await server.api("POST", `/chats/${chatId}/messages`, { token: team.agent.token, body: { text: "Here!" } });
    expect(await listed(team.owner.token, chatId)).toMatchObject({ unreadCount: 0 });

    await inbound("Great, one more question");
    expect(await listed(team.owner.token, chatId)).toMatchObject({ unreadCount: 1 });
    expect(await listed(team.agent.token, chatId)).toMatchObject({ unreadCount: 3 });
  });

  it("read through a given message counts what came after it, and a late older mark does not move the read point back", async () => {
    const first = await inbound("One");
    const second = await inbound("Two");
    await inbound("Three");
    const chatId = first.chatId;
    const through = await server.api("PUT", `/chats/${chatId}/read`, { token: team.owner.token, body: { throughMessageId: second.messageId } });
    expect(through.body.chat.unreadCount).toBe(1);
    await server.api("PUT", `/chats/${chatId}/read`, { token: team.owner.token, body: {} });
    const late = await server.api("PUT", `/chats/${chatId}/read`, { token: team.owner.token, body: { throughMessageId: first.messageId } });
    expect(late.body.chat.unreadCount).toBe(0);
    const foreign = await server.api("PUT", `/chats/${chatId}/read`, { token: team.owner.token, body: { throughMessageId: "msg_elsewhere" } });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({ code: "invalid_request" });
  });

  it("mark unread on demand: the chat counts as unread (everywhere) until read again", async () => {
    const { chatId } = await inbound("Hi");
    await server.api("PUT", `/chats/${chatId}/read`, { token: team.owner.token, body: {} });
    const marked = await server.api("DELETE", `/chats/${chatId}/read`, { token: team.owner.token });
    expect(marked.status).toBe(200);
    expect(marked.body.chat).toMatchObject({ unreadCount: 0, markedUnread: true });
    expect(await listed(team.owner.token, chatId)).toMatchObject({ markedUnread: true });
    expect(await unreadChats(team.owner.token)).toBe(1);
    expect(await listed(team.admin.token, chatId)).toMatchObject({ markedUnread: false });
    await server.api("PUT", `/chats/${chatId}/read`, { token: team.owner.token, body: {} });
    expect(await listed(team.owner.token, chatId)).toMatchObject({ markedUnread: false, unreadCount: 0 });
    expect(await unreadChats(team.owner.token)).toBe(0);
  });

  it("anyone who can see the chat marks it for themselves; not visible is 404, no chats.view is 403", async () => {
    const { chatId } = await inbound("Hello");
    // The Agent sees only chats they are responsible for on a line they did not connect.
    expect((await server.api("PUT", `/chats/${chatId}/read`, { token: team.agent.token, body: {} })).status).toBe(404);
    expect((await server.api("DELETE", `/chats/${chatId}/read`, { token: team.agent.token })).status).toBe(404);
    expect((await server.api("PUT", "/chats/chat_nope/read", { token: team.owner.token, body: {} })).status).toBe(404);
    await assign(chatId, team.collaborator.id);
    // A Collaborator, who may not even reply everywhere, may mark what they see.
    expect((await server.api("PUT", `/chats/${chatId}/read`, { token: team.collaborator.token, body: {} })).status).toBe(200);
    const blindRole = await insertRoleDirectly(server.database.db, team.workspace, { "chats.view": "none" });
    const blind = await insertMemberDirectly(server.database.db, team.workspace, { roleId: blindRole.id });
    const refused = await server.api("PUT", `/chats/${chatId}/read`, { token: blind.token, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "permission_denied", permission: "chats.view" });
    expect((await server.api("GET", "/me/unread", { token: blind.token })).status).toBe(403);
  });

  it("a chat that leaves a member's scope leaks no counts; back in scope, their own read state is as they left it", async () => {
    const { chatId } = await inbound("For the agent");
    await assign(chatId, team.agent.id);
    expect(await unreadChats(team.agent.token)).toBe(1);
    await assign(chatId, team.collaborator.id);
    expect(await unreadChats(team.agent.token)).toBe(0);
    expect(await listed(team.agent.token, chatId)).toBeUndefined();
    expect((await server.api("GET", `/chats/${chatId}`, { token: team.agent.token })).status).toBe(404);
    await inbound("More while it was away");
    expect(await unreadChats(team.agent.token)).toBe(0);
    await assign(chatId, team.agent.id);
    expect(await listed(team.agent.token, chatId)).toMatchObject({ unreadCount: 2 });
  });

  it("a member who joins later does not inherit what was written before they joined", async () => {
    const { chatId } = await inbound("Old news");
    const newcomer = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "admin" });
    expect(await listed(newcomer.token, chatId)).toMatchObject({ unreadCount: 0 });
    expect(await unreadChats(newcomer.token)).toBe(0);
    await inbound("Fresh news");
    expect(await listed(newcomer.token, chatId)).toMatchObject({ unreadCount: 1 });
  });

  it("counts stop at the cap", async () => {
    const { chatId } = await inbound("0");
    const db = server.database.db;
    const { messages } = await import("../../../server/db/schema");
    const later = Date.now() + 1000;
    await db.insert(messages).values(
      Array.from({ length: 120 }, (_, index) => ({
        workspaceId: team.workspace.id,
        id: `msg_cap_${team.workspace.id}_${index}`,
        chatId,
        direction: "in" as const,
        text: `m${index}`,
        status: "received" as const,
        createdAt: new Date(later + index),
      })),
    );
    expect(await listed(team.owner.token, chatId)).toMatchObject({ unreadCount: 100 });
  });
});

describe("unread live", () => {
  it("reading on one device reaches the member's other devices, and nobody else's", async () => {
    const { chatId } = await inbound("Ping");
    const otherDevice = await issueToken(server.database.db, { workspaceId: team.workspace.id, memberId: team.owner.id, kind: "session" });
    const ownerElsewhere = await openEventStream(`${server.url}/api/v1/events`, otherDevice.token);
    const admin = await openEventStream(`${server.url}/api/v1/events`, team.admin.token);
    await inbound("Pong");
    // Each viewer's copy of a customer's message carries their own count.
    await eventually(() => expect(ownerElsewhere.events.find((event) => event.type === "message.created")?.data.chat).toMatchObject({ unreadCount: 2 }));
    await server.api("PUT", `/chats/${chatId}/read`, { token: team.admin.token, body: {} });
    await server.api("PUT", `/chats/${chatId}/read`, { token: team.owner.token, body: {} });
    await eventually(() =>
      expect(ownerElsewhere.events.filter((event) => event.type === "chat.read_state").map((event) => event.data.chat)).toEqual([
        expect.objectContaining({ id: chatId, unreadCount: 0, markedUnread: false }),
      ]),
    );
    await server.api("DELETE", `/chats/${chatId}/read`, { token: team.owner.token });
    await eventually(() =>
      expect(ownerElsewhere.events.filter((event) => event.type === "chat.read_state").at(-1)?.data.chat).toMatchObject({ markedUnread: true }),
    );
    // The Admin heard their own read, not the Owner's two changes.
    await eventually(() => expect(admin.events.filter((event) => event.type === "chat.read_state")).toHaveLength(1));
    await inbound("Again");
    await eventually(() => expect(admin.events.filter((event) => event.type === "message.created").at(-1)?.data.chat).toMatchObject({ unreadCount: 1 }));
    expect(admin.events.filter((event) => event.type === "chat.read_state")).toHaveLength(1);
    await ownerElsewhere.close();
    await admin.close();
  });
});

describe("member preferences", () => {
  it("are off by default, per member, and kept", async () => {
    expect((await server.api("GET", "/me/preferences", { token: team.agent.token })).body).toEqual({ desktopNotifications: false, notificationSound: false });
    const changed = await server.api("PATCH", "/me/preferences", { token: team.agent.token, body: { desktopNotifications: true } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ desktopNotifications: true, notificationSound: false });
    await server.api("PATCH", "/me/preferences", { token: team.agent.token, body: { notificationSound: true } });
    expect((await server.api("GET", "/me/preferences", { token: team.agent.token })).body).toEqual({ desktopNotifications: true, notificationSound: true });
    expect((await server.api("GET", "/me/preferences", { token: team.owner.token })).body).toEqual({ desktopNotifications: false, notificationSound: false });
    const log = await server.api("GET", "/audit-log?action=preferences.update", { token: team.owner.token });
    expect(log.body.data).toHaveLength(2);
    expect(log.body.data[0]).toMatchObject({ actorId: team.agent.id, targetId: team.agent.id });
  });

  it("refuse empty or unknown settings", async () => {
    expect((await server.api("PATCH", "/me/preferences", { token: team.agent.token, body: {} })).status).toBe(400);
    expect((await server.api("PATCH", "/me/preferences", { token: team.agent.token, body: { loud: true } })).status).toBe(400);
    expect((await server.api("PATCH", "/me/preferences", { token: team.agent.token, body: { notificationSound: "yes" } })).status).toBe(400);
  });
});
