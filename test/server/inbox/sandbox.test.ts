import { and, eq } from "drizzle-orm";
import { chats, messages } from "../../../server/db/schema";
import { insertChatDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

let server: TestServer;
let team: Team;
let agentLine: string;
beforeAll(async () => {
  server = await startTestServer({ WHATSAPP_SEND_RATE: "20" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: { provider: "sandbox", phoneNumber: "+1 (555) 010-2000", displayName: "Agent line" },
  });
  expect(connected.status).toBe(201);
  agentLine = connected.body.account.id;
});
afterAll(() => server.close());

const orderUpdate = (...bodyParameters: string[]) => ({ name: "order_update", languageCode: "en_US", bodyParameters });

const customerWrites = (token: string, text: string, from = "+44 20 7946 0958", name = "Grace Hopper") =>
  server.api("POST", `/whatsapp-accounts/${agentLine}/sandbox/inbound`, { token, body: { from, text, name } });

describe("sandbox conversation", () => {
  it("an inbound message creates the contact and the chat; a reply goes sent → delivered → read", async () => {
    const inbound = await customerWrites(team.agent.token, "Hi, is the blue one in stock?");
    expect(inbound.status).toBe(201);
    const chat = await server.api("GET", `/chats/${inbound.body.chatId}`, { token: team.agent.token });
    expect(chat.body).toMatchObject({
      accountId: agentLine,
      contact: { phone: "+442079460958", name: "Grace Hopper" },
      responsibleId: null,
      abilities: { reply: true, assign: true },
    });
    // The customer wrote, so the 24-hour window is open (closing 24 hours after their message).
    expect(Date.parse(chat.body.windowOpenUntil)).toBeGreaterThan(Date.now() + 23 * 60 * 60 * 1000);
    const again = await customerWrites(team.agent.token, "Hello?");
    expect(again.body.chatId).toBe(inbound.body.chatId);

    const reply = await server.api("POST", `/chats/${inbound.body.chatId}/messages`, { token: team.agent.token, body: { text: "Yes, two left." } });
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ direction: "out", text: "Yes, two left.", status: "sent", authorId: team.agent.id });
    await eventually(async () => {
      const history = await server.api("GET", `/chats/${inbound.body.chatId}/messages`, { token: team.agent.token });
      expect(history.body.data.map((message: { text: string; status: string }) => [message.text, message.status])).toEqual([
        ["Yes, two left.", "read"],
        ["Hello?", "received"],
        ["Hi, is the blue one in stock?", "received"],
      ]);
    });
    const log = await server.api("GET", "/audit-log?action=message.send", { token: team.owner.token });
    expect(log.body.data[0]).toMatchObject({ actorId: team.agent.id, targetId: inbound.body.chatId });
  });

  it("starting a chat does not make the starter responsible", async () => {
    const started = await server.api("POST", "/chats", {
      token: team.agent.token,
      body: { accountId: agentLine, phone: "0044 20 7946 0000", template: orderUpdate("Grace", "A-1001") },
    });
    expect(started.status).toBe(201);
    expect(started.body.chat).toMatchObject({ responsibleId: null, contact: { phone: "+442079460000" }, windowOpenUntil: null });
    expect(started.body.message).toMatchObject({ status: "sent", templateName: "order_update" });
    expect((await server.api("POST", "/chats", { token: team.agent.token, body: { accountId: agentLine, phone: "not a phone", text: "x" } })).status).toBe(400);
    expect((await server.api("POST", "/chats", { token: team.agent.token, body: { accountId: agentLine, phone: "+442079460000" } })).status).toBe(400);
  });

  it("a chat assigned to a member outside its account becomes visible to them at once, and is logged", async () => {
    const inbound = await customerWrites(team.agent.token, "Need help");
    const otherAgent = await server.api("POST", "/invitations", { token: team.owner.token, body: { email: "second.agent@acme.test", roleId: "agent" } });
    const joined = await server.api("POST", `/invitations/${otherAgent.body.acceptToken}/accept`, {
      body: { name: "Second Agent", password: "second agent pass" },
    });
    expect((await server.api("GET", `/chats/${inbound.body.chatId}`, { token: joined.body.token })).status).toBe(404);
    const assigned = await server.api("PUT", `/chats/${inbound.body.chatId}/responsible`, {
      token: team.agent.token,
      body: { memberId: joined.body.member.id },
    });
    expect(assigned.body.chat.responsibleId).toBe(joined.body.member.id);
    expect((await server.api("GET", `/chats/${inbound.body.chatId}`, { token: joined.body.token })).body.abilities).toEqual({
      reply: true,
      assign: true,
      delete: false,
      askToTakeOver: false,
    });
    expect((await server.api("POST", `/chats/${inbound.body.chatId}/messages`, { token: joined.body.token, body: { text: "I can help" } })).status).toBe(201);
    const entry = (await server.api("GET", `/audit-log?action=chat.assign&targetId=${inbound.body.chatId}`, { token: team.owner.token })).body.data[0];
    expect(entry.details).toEqual({ before: { responsibleId: null }, after: { responsibleId: joined.body.member.id } });
    const cleared = await server.api("PUT", `/chats/${inbound.body.chatId}/responsible`, { token: team.owner.token, body: { memberId: null } });
    expect(cleared.body.chat.responsibleId).toBeNull();
    expect((await server.api("GET", `/chats/${inbound.body.chatId}`, { token: joined.body.token })).status).toBe(404);
  });

  it("refuses a responsible who is not an active member (400), and the Collaborator may not assign (403)", async () => {
    const inbound = await customerWrites(team.agent.token, "Hi");
    expect((await server.api("PUT", `/chats/${inbound.body.chatId}/responsible`, { token: team.owner.token, body: { memberId: "mem_nobody" } })).status).toBe(
      400,
    );
    await server.api("POST", `/members/${team.teammate.id}/suspend`, { token: team.owner.token });
    expect(
      (await server.api("PUT", `/chats/${inbound.body.chatId}/responsible`, { token: team.owner.token, body: { memberId: team.teammate.id } })).status,
    ).toBe(400);
    const denied = await server.api("PUT", `/chats/${inbound.body.chatId}/responsible`, {
      token: team.collaborator.token,
      body: { memberId: team.collaborator.id },
    });
    expect(denied.body).toMatchObject({ status: 403, permission: "chats.assign" });
  });

  it("keeps exactly one responsible under concurrent assignment, each assignment logged", async () => {
    const inbound = await customerWrites(team.agent.token, "Who will help me?");
    const candidates = [team.owner, team.admin, team.teammate, team.agent, team.collaborator];
    const answers = await Promise.all(
      candidates.map((candidate, index) =>
        server.api("PUT", `/chats/${inbound.body.chatId}/responsible`, { token: [team.owner, team.admin][index % 2]?.token, body: { memberId: candidate.id } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const [row] = await server.database.db
      .select({ responsibleId: chats.responsibleId })
      .from(chats)
      .where(and(eq(chats.workspaceId, team.workspace.id), eq(chats.id, inbound.body.chatId)));
    expect(candidates.map((candidate) => candidate.id)).toContain(row?.responsibleId);
    const log = await server.api("GET", `/audit-log?action=chat.assign&targetId=${inbound.body.chatId}`, { token: team.owner.token });
    expect(log.body.data).toHaveLength(5);
  });

  it("the sandbox takes customer messages only from members who may start chats on the account", async () => {
    const refused = await customerWrites(team.collaborator.token, "x");
    expect(refused.status).toBe(403);
    expect(refused.body.permission).toBe("chats.start");
    expect((await customerWrites(team.admin.token, "x")).status).toBe(201);
  });
});

describe("Idempotency-Key", () => {
  it("the same key and body returns the first answer and sends once; another body under the key is a 422", async () => {
    const inbound = await customerWrites(team.agent.token, "Ping");
    const send = (text: string) =>
      server.api("POST", `/chats/${inbound.body.chatId}/messages`, { token: team.agent.token, body: { text }, headers: { "idempotency-key": "retry-7" } });
    const [first, second] = await Promise.all([send("Pong"), send("Pong")]);
    const answers = [first, second].sort((a, b) => a.status - b.status);
    expect(answers[0]?.status).toBe(201);
    // A concurrent repeat either waits for and gets the first answer, or is told it is in progress.
    expect([201, 409]).toContain(answers[1]?.status);
    const third = await send("Pong");
    expect(third.body.message.id).toBe(answers[0]?.body.message.id);
    expect((await send("Something else")).status).toBe(422);
    const sent = await server.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.text, "Pong")));
    expect(sent).toHaveLength(1);
  });
});

describe("outbound rate", () => {
  it("paces one number's messages to the configured rate, with no burst (20/s here)", async () => {
    const inbound = await customerWrites(team.agent.token, "Go");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        server.api("POST", `/chats/${inbound.body.chatId}/messages`, { token: team.agent.token, body: { text: `burst ${index}` } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(201));
    const rows = await server.database.db
      .select({ sentAt: messages.sentAt, text: messages.text })
      .from(messages)
      .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.chatId, inbound.body.chatId), eq(messages.direction, "out")));
    const sentAt = rows.map((row) => row.sentAt?.getTime() ?? 0).sort((a, b) => a - b);
    expect(sentAt).toHaveLength(30);
    // No one-second window holds more than 20 sends, and 30 sends take at least 29 slots.
    const busiestSecond = Math.max(...sentAt.map((start) => sentAt.filter((time) => time >= start && time < start + 1000).length));
    expect(busiestSecond).toBeLessThanOrEqual(20);
    const gaps = sentAt.slice(1).map((time, index) => time - (sentAt[index] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(Math.floor(0.75 * (1000 / 19.5)));
  });
});

describe("the 24-hour window and templates, as on WhatsApp", () => {
  const hours = (count: number) => count * 60 * 60 * 1000;
  const outbound = async (chatId: string) =>
    server.database.db
      .select({ text: messages.text, status: messages.status, errorCode: messages.errorCode })
      .from(messages)
      .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.chatId, chatId), eq(messages.direction, "out")));

  it("free text to a customer who last wrote 25 hours ago is a 422 that stores nothing; an approved template is sent; their reply reopens the window", async () => {
    const chat = await insertChatDirectly(
      server.database.db,
      team.workspace,
      { id: agentLine },
      { phone: "+442079460958", customerWroteAt: new Date(Date.now() - hours(25)) },
    );
    const shown = await server.api("GET", `/chats/${chat.id}`, { token: team.agent.token });
    expect(Date.parse(shown.body.windowOpenUntil)).toBeLessThan(Date.now());

    const text = await server.api("POST", `/chats/${chat.id}/messages`, { token: team.agent.token, body: { text: "Still interested?" } });
    expect(text.body).toMatchObject({ status: 422, title: "Outside the 24-hour window" });
    expect(await outbound(chat.id)).toEqual([]);

    const template = await server.api("POST", `/chats/${chat.id}/messages`, { token: team.agent.token, body: { template: orderUpdate("Grace", "A-1001") } });
    expect(template.status).toBe(201);
    expect(template.body.message).toMatchObject({ status: "sent", templateName: "order_update", text: "[template order_update] Grace · A-1001" });

    expect((await customerWrites(team.agent.token, "Yes, still interested")).body.chatId).toBe(chat.id);
    const reply = await server.api("POST", `/chats/${chat.id}/messages`, { token: team.agent.token, body: { text: "Great, here is the quote." } });
    expect(reply.body.message).toMatchObject({ status: "sent", text: "Great, here is the quote." });
  });

  it("a template is a use of templates: a Collaborator (templates.use none) may reply in their chat with text, not with a template (403 naming it)", async () => {
    const chat = await insertChatDirectly(server.database.db, team.workspace, { id: agentLine }, { customerWroteAt: new Date(Date.now() - hours(1)) });
    const assigned = await server.api("PUT", `/chats/${chat.id}/responsible`, { token: team.owner.token, body: { memberId: team.collaborator.id } });
    expect(assigned.status).toBe(200);
    const text = await server.api("POST", `/chats/${chat.id}/messages`, { token: team.collaborator.token, body: { text: "On it." } });
    expect(text.status).toBe(201);
    const template = await server.api("POST", `/chats/${chat.id}/messages`, {
      token: team.collaborator.token,
      body: { template: orderUpdate("Grace", "A-1003") },
    });
    expect(template.status).toBe(403);
    expect(template.body.detail).toContain("templates.use");
    expect((await outbound(chat.id)).map((message) => message.text)).toEqual(["On it."]);
  });

  it("a customer who wrote 23 hours ago may still get free text", async () => {
    const chat = await insertChatDirectly(server.database.db, team.workspace, { id: agentLine }, { customerWroteAt: new Date(Date.now() - hours(23)) });
    const reply = await server.api("POST", `/chats/${chat.id}/messages`, { token: team.agent.token, body: { text: "Just in time" } });
    expect(reply.body.message).toMatchObject({ status: "sent", text: "Just in time" });
  });

  it("starting a chat with free text is refused before anything is created: a new chat has no window", async () => {
    const refused = await server.api("POST", "/chats", { token: team.agent.token, body: { accountId: agentLine, phone: "+442079460001", text: "Hello!" } });
    expect(refused.body).toMatchObject({ status: 422, title: "Outside the 24-hour window" });
    expect((await server.api("GET", "/chats", { token: team.agent.token })).body.data).toEqual([]);
    const started = await server.api("POST", "/chats", {
      token: team.agent.token,
      body: { accountId: agentLine, phone: "+442079460001", template: orderUpdate("Ada", "A-1002") },
    });
    expect(started.body.message).toMatchObject({ status: "sent", templateName: "order_update" });
  });

  it.each([
    ["pending review", { name: "spring_sale", languageCode: "en_US", bodyParameters: ["20%"] }, "132001"],
    ["rejected", { name: "win_back", languageCode: "en_US", bodyParameters: ["10%"] }, "132001"],
    ["never registered", { name: "no_such_template", languageCode: "en_US", bodyParameters: [] }, "132001"],
    ["registered in another language", { name: "order_update", languageCode: "pt_BR", bodyParameters: ["Ada", "A-1"] }, "132001"],
    ["given too few parameters", { name: "order_update", languageCode: "en_US", bodyParameters: ["Ada"] }, "132000"],
  ])("a template %s fails as Meta fails it (%#)", async (_case, template, errorCode) => {
    const chat = await insertChatDirectly(server.database.db, team.workspace, { id: agentLine });
    const sent = await server.api("POST", `/chats/${chat.id}/messages`, { token: team.agent.token, body: { template } });
    expect(sent.body.message).toMatchObject({ status: "failed", error: { code: errorCode } });
    expect(await outbound(chat.id)).toEqual([expect.objectContaining({ status: "failed", errorCode })]);
  });
});
