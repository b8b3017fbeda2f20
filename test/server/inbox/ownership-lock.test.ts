import { type BuiltMember, insertMemberDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

// The ownership lock over HTTP: with it on, a chat someone else holds takes chats.take_over to
// reply in or to take, release or reassign; an unassigned chat can still be taken. A member the
// lock stops may ask to take the chat over: its responsible and the team's managers hear it.
let server: TestServer;
let team: Team;
let ana: BuiltMember;
let accountId: string;
beforeAll(async () => {
  server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  ana = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "teammate", name: "Ana Lima" });
  const connected = await server.api("POST", "/whatsapp-accounts", { token: team.owner.token, body: { provider: "sandbox", phoneNumber: "+15550104000" } });
  accountId = connected.body.account.id;
});
afterAll(() => server.close());

const lockSentence = "Ana Lima holds this chat; the ownership lock lets only members with chats.take_over reply in it.";
const assignSentence = "Ana Lima holds this chat; the ownership lock lets only members with chats.take_over take, release or reassign it.";

async function chatFrom(from: string, responsibleId: string | null) {
  const inbound = await server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token: team.owner.token, body: { from, text: "Hello?" } });
  const chatId = inbound.body.chatId as string;
  if (responsibleId) await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.owner.token, body: { memberId: responsibleId } });
  return chatId;
}
const lock = (on: boolean) => server.api("PATCH", "/workspace", { token: team.admin.token, body: { ownershipLock: on } });
const reply = (token: string, chatId: string) => server.api("POST", `/chats/${chatId}/messages`, { token, body: { text: "On it" } });
const setResponsible = (token: string, chatId: string, memberId: string | null) =>
  server.api("PUT", `/chats/${chatId}/responsible`, { token, body: { memberId } });
const askToTakeOver = (token: string, chatId: string) => server.api("POST", `/chats/${chatId}/take-over-requests`, { token });
const messageCount = async (chatId: string) => (await server.api("GET", `/chats/${chatId}/messages`, { token: team.owner.token })).body.data.length;

describe("the ownership lock", () => {
  it("off, a Teammate replies in a chat another member holds", async () => {
    const chatId = await chatFrom("+15550300001", ana.id);
    expect((await reply(team.teammate.token, chatId)).status).toBe(201);
  });

  it("on, stops a Teammate replying in, taking or releasing Ana's chat with a 403 naming chats.take_over; explain gives the same sentence", async () => {
    const chatId = await chatFrom("+15550300002", ana.id);
    expect((await lock(true)).status).toBe(200);
    const before = await messageCount(chatId);
    const refused = await reply(team.teammate.token, chatId);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "permission_denied", permission: "chats.take_over", detail: lockSentence });
    expect(await messageCount(chatId)).toBe(before);
    // Starting a chat with the same number on the same line would send into Ana's chat: the same 403.
    const started = await server.api("POST", "/chats", { token: team.teammate.token, body: { accountId, phone: "+15550300002", text: "On it" } });
    expect([started.status, started.body.permission, started.body.detail]).toEqual([403, "chats.take_over", lockSentence]);
    expect(await messageCount(chatId)).toBe(before);
    for (const memberId of [team.teammate.id, null]) {
      const taking = await setResponsible(team.teammate.token, chatId, memberId);
      expect([taking.status, taking.body.permission, taking.body.detail]).toEqual([403, "chats.take_over", assignSentence]);
    }
    const explained = await server.api("GET", `/me/explain?permission=chats.reply&recordType=chat&recordId=${chatId}`, { token: team.teammate.token });
    expect(explained.body).toEqual({ allowed: false, permission: "chats.reply", sentence: lockSentence });
    const shown = await server.api("GET", `/chats/${chatId}`, { token: team.teammate.token });
    expect(shown.body.abilities).toMatchObject({ reply: false, assign: false, askToTakeOver: true });
    // Still Ana's, and she replies as before; the Owner (chats.take_over: all) may too.
    expect((await server.api("GET", `/chats/${chatId}`, { token: ana.token })).body).toMatchObject({
      responsibleId: ana.id,
      abilities: { reply: true, askToTakeOver: false },
    });
    expect((await reply(ana.token, chatId)).status).toBe(201);
    expect((await reply(team.owner.token, chatId)).status).toBe(201);
  });

  it("on, lets anyone who may assign take an unassigned chat, and the holder release their own", async () => {
    const chatId = await chatFrom("+15550300003", null);
    await lock(true);
    expect((await setResponsible(team.teammate.token, chatId, team.teammate.id)).status).toBe(200);
    expect((await reply(team.teammate.token, chatId)).status).toBe(201);
    expect((await setResponsible(team.teammate.token, chatId, null)).status).toBe(200);
  });

  it("ask to take over: notifies the responsible and the managers (not others), is logged, once per member until the responsible changes", async () => {
    const chatId = await chatFrom("+15550300004", ana.id);
    await lock(true);
    const streams = {
      ana: await openEventStream(`${server.url}/api/v1/events`, ana.token),
      admin: await openEventStream(`${server.url}/api/v1/events`, team.admin.token),
      teammate: await openEventStream(`${server.url}/api/v1/events`, team.teammate.token),
    };
    const asked = await askToTakeOver(team.teammate.token, chatId);
    expect(asked.status, asked.text).toBe(201);
    expect(asked.body.request).toMatchObject({ chatId, requestedBy: team.teammate.id, heldBy: ana.id });
    expect([...asked.body.request.notified].sort()).toEqual([ana.id, team.owner.id, team.admin.id].sort());
    for (const name of ["ana", "admin"] as const) {
      await eventually(() => expect(streams[name].events.map((event) => event.type)).toContain("chat.take_over_requested"));
      const event = streams[name].events.find((candidate) => candidate.type === "chat.take_over_requested");
      expect(event?.data).toMatchObject({ chat: { id: chatId }, request: { id: asked.body.request.id, requestedBy: { id: team.teammate.id } } });
    }
    expect(streams.teammate.events.map((event) => event.type)).not.toContain("chat.take_over_requested");
    const again = await askToTakeOver(team.teammate.token, chatId);
    expect(again.status).toBe(409);
    const logged = await server.api("GET", "/audit-log?action=chat.take_over_request", { token: team.owner.token });
    expect(logged.body.data).toHaveLength(1);
    expect(logged.body.data[0]).toMatchObject({ targetId: chatId, details: { requestId: asked.body.request.id, heldBy: ana.id } });
    // Ana hands it over: the request is answered; the Teammate replies, and Ana may ask in turn.
    expect((await setResponsible(ana.token, chatId, team.teammate.id)).status).toBe(200);
    expect((await reply(team.teammate.token, chatId)).status).toBe(201);
    expect((await askToTakeOver(ana.token, chatId)).status).toBe(201);
    for (const stream of Object.values(streams)) await stream.close();
  });

  it("asking needs the lock on and someone else holding the chat; a chat out of sight is 404 and nothing is logged", async () => {
    const held = await chatFrom("+15550300005", ana.id);
    expect((await askToTakeOver(team.teammate.token, held)).status).toBe(409);
    await lock(true);
    const free = await chatFrom("+15550300006", null);
    expect((await askToTakeOver(team.teammate.token, free)).status).toBe(409);
    expect((await askToTakeOver(ana.token, held)).status).toBe(409);
    // The built-in Agent sees only chats of lines they connected or hold.
    expect((await askToTakeOver(team.agent.token, held)).status).toBe(404);
    const collaborator = await askToTakeOver(team.collaborator.token, held);
    expect([collaborator.status, collaborator.body.permission]).toEqual([403, "chats.assign"]);
    const logged = await server.api("GET", "/audit-log?action=chat.take_over_request", { token: team.owner.token });
    expect(logged.body.data).toEqual([]);
  });
});

describe("open take-over requests, for whoever was away when they were asked", () => {
  const openRequests = async (token: string) =>
    (await server.api("GET", "/take-over-requests", { token })).body.data.map(
      (entry: { chat: { id: string }; request: { requestedBy: { id: string; name: string } } }) => [entry.chat.id, entry.request.requestedBy.id],
    );

  it("lists them to the chat's responsible and the team's managers, never to the asker or anyone else, until the responsible changes", async () => {
    const chatId = await chatFrom("+15550300090", ana.id);
    await lock(true);
    expect((await askToTakeOver(team.teammate.token, chatId)).status).toBe(201);
    expect(await openRequests(ana.token)).toEqual([[chatId, team.teammate.id]]);
    expect(await openRequests(team.admin.token)).toEqual([[chatId, team.teammate.id]]);
    expect(await openRequests(team.owner.token)).toEqual([[chatId, team.teammate.id]]);
    // The asker's own request, and a member who neither holds the chat nor manages the team.
    expect(await openRequests(team.teammate.token)).toEqual([]);
    const bystander = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "teammate", name: "Bo Stander" });
    expect(await openRequests(bystander.token)).toEqual([]);
    const first = (await server.api("GET", "/take-over-requests", { token: ana.token })).body.data[0];
    expect(first).toMatchObject({ chat: { id: chatId, responsibleId: ana.id }, request: { requestedBy: { id: team.teammate.id, name: expect.any(String) } } });
    expect(Date.parse(first.request.createdAt)).not.toBeNaN();
    // Handing the chat over answers the request.
    expect((await setResponsible(ana.token, chatId, team.teammate.id)).status).toBe(200);
    expect(await openRequests(ana.token)).toEqual([]);
    expect(await openRequests(team.admin.token)).toEqual([]);
  });
});
