import { signPanelToken } from "../../../server/pipedrive/panel-token";
import type { FakePipedrive } from "../../fakes/pipedrive";
import { insertAccountDirectly, insertChatDirectly, insertMemberDirectly } from "../../support/factories";
import type { TestServer } from "../../support/server";
import type { Team } from "../../support/team";
import { connect, otherUser, panelSecret, pipedriveSuite } from "./server-support";

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

const admin = { userId: 12345, companyId: 67890 };
const session = (token: string) => server.api("POST", "/panel/pipedrive/session", { body: { token } });

describe("panel session", () => {
  beforeEach(async () => {
    await connect(server, fake, team.admin.token, "workspace");
  });

  it("a valid Pipedrive JWT gives a short-lived token that works on the API with the member's role", async () => {
    const started = await session(await signPanelToken(panelSecret, admin));

    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      token: expect.stringMatching(/^sbt\./),
      member: { id: team.admin.id, roleId: "admin", status: "active" },
      workspace: { id: team.workspace.id },
    });
    const lifetimeMs = new Date(started.body.expiresAt).getTime() - Date.now();
    expect(lifetimeMs).toBeGreaterThan(55 * 60_000);
    expect(lifetimeMs).toBeLessThanOrEqual(60 * 60_000);
    const me = await server.api("GET", "/me", { token: started.body.token });
    expect(me.body.member.id).toBe(team.admin.id);
    expect((await server.api("GET", "/integrations", { token: started.body.token })).status).toBe(200);
  });

  it("a member's own connection links their Pipedrive user; the token acts with their (narrower) role", async () => {
    await connect(server, fake, team.agent.token, "individual", otherUser());
    const started = await session(await signPanelToken(panelSecret, { userId: 22222, companyId: 67890 }));
    expect(started.body.member.id).toBe(team.agent.id);
    expect((await server.api("GET", "/integrations", { token: started.body.token })).status).toBe(403);
  });

  it.each([
    ["expired", () => signPanelToken(panelSecret, admin, 300, new Date(Date.now() - 3600_000))],
    ["signed with another secret", () => signPanelToken("not-our-secret-at-all", admin)],
    ["alg none", async () => unsignedToken(admin)],
    ["not a JWT", async () => "garbage"],
  ])("%s → 401 unauthenticated", async (_name, token) => {
    const refused = await session(await token());
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("unauthenticated");
  });

  it("another company → 403 crm_not_linked (workspace_connection)", async () => {
    const refused = await session(await signPanelToken(panelSecret, { userId: 12345, companyId: 99999 }));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "crm_not_linked", missing: "workspace_connection" });
  });

  it("a Pipedrive user no member is linked to → 403 crm_not_linked (member_link)", async () => {
    const refused = await session(await signPanelToken(panelSecret, { userId: 55555, companyId: 67890 }));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "crm_not_linked", missing: "member_link", detail: expect.stringContaining("ask an Admin") });
  });

  it("a suspended member → 403 member_suspended", async () => {
    const suspended = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent", status: "suspended" });
    await server.api("PUT", "/integrations/pipedrive/users/22222", { token: team.admin.token, body: { memberId: suspended.id } });
    const refused = await session(await signPanelToken(panelSecret, { userId: 22222, companyId: 67890 }));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("member_suspended");
  });
});

it("without a workspace connection → 403 crm_not_linked (workspace_connection), saying an Admin must connect", async () => {
  const refused = await session(await signPanelToken(panelSecret, admin));
  expect(refused.status).toBe(403);
  expect(refused.body).toMatchObject({ code: "crm_not_linked", missing: "workspace_connection", detail: expect.stringContaining("Admin") });
});

describe("panel context", () => {
  const phone = "+15550100001";
  const agentsUser = otherUser({ id: 22222 });
  const teammatesUser = otherUser({ id: 33333, name: "Tom Teammate", email: "tom@acme.test" });
  let agentAccount: { id: string };
  let teammateAccount: { id: string };
  let agentChat: { id: string };
  let teammateChat: { id: string };
  let dealId: number;
  let personId: number;

  beforeEach(async () => {
    await connect(server, fake, team.admin.token, "workspace");
    // The Agent's and the Teammate's Pipedrive users are mapped to them (neither has their own connection).
    for (const [user, memberId] of [
      [agentsUser, team.agent.id],
      [teammatesUser, team.teammate.id],
    ] as const) {
      fake.addUser(user);
      await server.api("PUT", `/integrations/pipedrive/users/${user.id}`, { token: team.admin.token, body: { memberId } });
    }
    const db = server.database.db;
    const person = fake.addPerson({ name: "Carla Customer", phones: [{ value: "+1 (555) 010-0001", label: "mobile", primary: true }] });
    const colleague = fake.addPerson({ name: "Other Person", phones: [{ value: "not a number", label: "work", primary: true }] });
    personId = person.id;
    dealId = fake.addDeal({ title: "Kitchen refit", person_id: person.id, participant_ids: [colleague.id] }).id;
    agentAccount = await insertAccountDirectly(db, team.workspace, team.agent.id);
    teammateAccount = await insertAccountDirectly(db, team.workspace, team.teammate.id);
    agentChat = await insertChatDirectly(db, team.workspace, agentAccount, { phone, name: "Carla" });
    teammateChat = await insertChatDirectly(db, team.workspace, teammateAccount, { phone, responsibleId: team.teammate.id });
    await insertChatDirectly(db, team.workspace, agentAccount, { phone: "+15550109999" });
  });

  /** A panel session as the panel opens one on a record: the iframe's resource and selectedIds come along. */
  const panelOn = async (userId: number, resource = "deal", id = dealId) => {
    const started = await server.api("POST", "/panel/pipedrive/session", {
      body: { token: await signPanelToken(panelSecret, { userId, companyId: 67890 }), resource, selectedIds: String(id) },
    });
    return started.body.token as string;
  };
  const context = (token: string, query = `resource=deal&id=${dealId}`) => server.api("GET", `/panel/pipedrive/context?${query}`, { token });

  it("gives the deal's persons with E.164 phones", async () => {
    const answer = await context(await panelOn(teammatesUser.id));
    expect(answer.status).toBe(200);
    expect(answer.body.persons).toEqual([
      {
        id: expect.any(Number),
        name: "Carla Customer",
        phones: [{ e164: phone, label: "mobile", raw: "+1 (555) 010-0001", ref: expect.stringMatching(/^pref\./) }],
      },
      { id: expect.any(Number), name: "Other Person", phones: [{ e164: null, label: "work", raw: "not a number", ref: null }] },
    ]);
    expect(answer.body.ownConnection).toBe(false);
  });

  it("without their own connection, an Agent is offered to connect their own account; a Collaborator is told who maps Pipedrive users", async () => {
    const agents = await context(await panelOn(agentsUser.id));
    expect(agents.body.ownConnection).toBe(false);
    expect(agents.body.ownAccount).toEqual({ canConnect: true, mappedBy: [] });

    const collaboratorsUser = otherUser({ id: 44444, name: "Cleo Collaborator", email: "cleo@acme.test" });
    fake.addUser(collaboratorsUser);
    await server.api("PUT", `/integrations/pipedrive/users/${collaboratorsUser.id}`, { token: team.admin.token, body: { memberId: team.collaborator.id } });
    const collaborators = await context(await panelOn(collaboratorsUser.id));
    expect(collaborators.status).toBe(200);
    // Those whose role holds integrations.workspace (the Owner and the Admin), by name.
    expect(collaborators.body.ownAccount).toEqual({ canConnect: false, mappedBy: ["The owner", "The admin"] });
  });

  it("an Agent sees only their visible chats and only their own account to send from", async () => {
    const answer = await context(await panelOn(agentsUser.id));
    expect(answer.body.chats.map((chat: { id: string }) => chat.id)).toEqual([agentChat.id]);
    expect(answer.body.chats[0]).toMatchObject({ contact: { phone }, abilities: { reply: true } });
    expect(answer.body.accounts.map((account: { id: string }) => account.id)).toEqual([agentAccount.id]);
  });

  it("a Teammate sees every chat with those numbers and may send from every account", async () => {
    const answer = await context(await panelOn(teammatesUser.id));
    expect(answer.body.chats.map((chat: { id: string }) => chat.id).sort()).toEqual([agentChat.id, teammateChat.id].sort());
    expect(answer.body.accounts.map((account: { id: string }) => account.id).sort()).toEqual([agentAccount.id, teammateAccount.id].sort());
  });

  it("works for a person, through a panel token on it", async () => {
    const answer = await context(await panelOn(teammatesUser.id, "person", personId), `resource=person&id=${personId}`);
    expect(answer.body.persons).toHaveLength(1);
    expect(answer.body.chats).toHaveLength(2);
  });

  it("the Admin who connected reads with their own installation, any record Pipedrive shows them; outside a panel too", async () => {
    const answer = await context(await panelOn(admin.userId, "person", personId));
    expect(answer.status).toBe(200);
    expect(answer.body.ownConnection).toBe(true);
    expect(answer.body.ownAccount).toBeUndefined();
    expect((await context(team.admin.token)).status).toBe(200);
  });

  it("an unknown deal is 404; a bad query 400", async () => {
    expect((await context(team.admin.token, "resource=deal&id=424242")).status).toBe(404);
    expect((await context(await panelOn(teammatesUser.id, "deal", 424242), "resource=deal&id=424242")).status).toBe(404);
    expect((await context(team.admin.token, "resource=lead&id=1")).status).toBe(400);
  });

  it("links a visible chat to a deal and person; an invisible one is 404", async () => {
    const panel = await panelOn(agentsUser.id);
    const linked = await server.api("PUT", `/panel/pipedrive/chats/${agentChat.id}/link`, { token: panel, body: { personId, dealId } });
    expect(linked.body).toEqual({ chatId: agentChat.id, personId, dealId });
    const hidden = await server.api("PUT", `/panel/pipedrive/chats/${teammateChat.id}/link`, { token: panel, body: { personId, dealId } });
    expect(hidden.status).toBe(404);
    const log = await server.api("GET", "/audit-log?action=pipedrive.chat_link", { token: team.owner.token });
    expect(log.body.data).toHaveLength(1);
  });
});

function unsignedToken(claims: { userId: number; companyId: number }): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: "none", typ: "JWT" })}.${encode({ ...claims, iat: now, exp: now + 300 })}.`;
}
