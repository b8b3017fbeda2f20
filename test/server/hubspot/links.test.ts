import { and, eq } from "drizzle-orm";
import { auditLog } from "../../../server/db/schema";
import { type BuiltMember, insertAccountDirectly, insertChatDirectly, testPassword } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { connectThroughHubspot, hubspotConfigFor, newPortal, signedCardRequest, startHubspotFakeForServer } from "./support";

// Member ↔ HubSpot user links, made from the card: the HubSpot user the signed card request names
// (the userId HubSpot appends) signs in to Switchboard in the card's modal; from then on the card
// answers that member's chats itself ("ready") and opens the conversation behind a signed URI.
// Listed for admins and removable. HubSpot is the strict fake; portals connect through its install page.
let fake: Awaited<ReturnType<typeof startHubspotFakeForServer>>;
let server: TestServer;
let team: Team;

beforeAll(async () => {
  fake = await startHubspotFakeForServer();
  server = await startTestServer(hubspotConfigFor(fake), { ownPublicUrl: true });
  fake.registerServer(server);
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  fake.controls.associationsPageSize = 500;
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function connectedPortal(): Promise<number> {
  const hubId = newPortal(fake);
  const { landing } = await connectThroughHubspot(server, fake, team.admin.token, hubId);
  expect(landing?.hash).toContain("hubspot=connected");
  return hubId;
}

const card = (hubId: number, userId: number, record: { objectTypeId: string; objectId: string }) =>
  signedCardRequest(server, fake, `?portalId=${hubId}&userId=${userId}&appId=${fake.app.appId}`, record);

/** The card's sign-in, as the member would fill it in HubSpot's modal. */
async function signInFromCard(hubId: number, userId: number, member: BuiltMember, record: { objectTypeId: string; objectId: string }) {
  const answer = await card(hubId, userId, record);
  expect(answer.body.state).toBe("link_required");
  const context = new URL(answer.body.linkUri).hash.slice(1);
  return server.api("POST", "/hubspot/panel/session", { body: { context, email: member.email, password: testPassword } });
}

const auditEntries = (action: string) =>
  server.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.action, action)));

describe("linking a HubSpot user from the card", () => {
  it("signing in from the card links the HubSpot user HubSpot appended; the next card request answers that member's chats", async () => {
    const hubId = await connectedPortal();
    const contact = fake.portals.addContact(hubId, { firstname: "Ann", lastname: "Customer", phone: "+15550100301" });
    const own = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const owners = await insertAccountDirectly(server.database.db, team.workspace, team.owner.id);
    const ownChat = await insertChatDirectly(server.database.db, team.workspace, own, { phone: "+15550100301", name: "Ann", customerWroteAt: new Date() });
    await insertChatDirectly(server.database.db, team.workspace, owners, { phone: "+15550100301", customerWroteAt: new Date() });
    const record = { objectTypeId: "0-1", objectId: contact.id };

    const session = await signInFromCard(hubId, 2, team.agent, record);
    expect(session.status).toBe(201);
    expect(session.body.hubspotLink).toEqual({ status: "linked", detail: expect.stringContaining("linked") });
    const [entry] = await auditEntries("hubspot.user_link");
    expect(entry).toMatchObject({ actorId: team.agent.id, targetId: team.agent.id, details: { hubId, hubspotUserId: 2, replaced: [] } });

    const ready = await card(hubId, 2, record);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      state: "ready",
      memberName: "The agent",
      record,
      chats: [
        {
          id: ownChat.id,
          contactName: "Ann",
          phone: "+15550100301",
          accountLabel: "Test line",
          responsible: null,
          lastMessage: { text: "Hello!", direction: "in", at: expect.any(String) },
        },
      ],
      moreChats: 0,
      sendFrom: ["Test line"],
      conversationUri: expect.stringMatching(/\/hubspot\/#conversation=[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    // Another HubSpot user of the portal is not the agent: sign-in again.
    expect((await card(hubId, 1, record)).body.state).toBe("link_required");
  });

  it("a member whose role has no integrations.individual signs in but is not linked; a context without a HubSpot user links nobody", async () => {
    const hubId = await connectedPortal();
    const record = { objectTypeId: "0-1", objectId: fake.portals.addContact(hubId, { firstname: "Bo" }).id };
    const collaborator = await signInFromCard(hubId, 2, team.collaborator, record);
    expect(collaborator.status).toBe(201);
    expect(collaborator.body.hubspotLink).toEqual({ status: "not_permitted", detail: expect.stringContaining("integrations.individual") });
    expect((await card(hubId, 2, record)).body.state).toBe("link_required");

    const noUser = await signedCardRequest(server, fake, `?portalId=${hubId}`, record);
    const session = await server.api("POST", "/hubspot/panel/session", {
      body: { context: new URL(noUser.body.linkUri).hash.slice(1), email: team.teammate.email, password: testPassword },
    });
    expect(session.body.hubspotLink.status).toBe("no_user");
    expect(await auditEntries("hubspot.user_link")).toEqual([]);
  });

  it("a deleted message is not the card's last message (guarded deletion)", async () => {
    const hubId = await connectedPortal();
    const contact = fake.portals.addContact(hubId, { firstname: "Dee", phone: "+15550100309" });
    const own = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const chat = await insertChatDirectly(server.database.db, team.workspace, own, { phone: "+15550100309", name: "Dee", customerWroteAt: new Date() });
    const record = { objectTypeId: "0-1", objectId: contact.id };
    expect((await signInFromCard(hubId, 2, team.agent, record)).status).toBe(201);
    const reply = await server.api("POST", `/chats/${chat.id}/messages`, { token: team.owner.token, body: { text: "Wrong number, sorry" } });
    expect(reply.status).toBe(201);
    expect((await card(hubId, 2, record)).body.chats[0].lastMessage.text).toBe("Wrong number, sorry");
    const deleted = await server.api("DELETE", `/chats/${chat.id}/messages/${reply.body.message.id}`, { token: team.owner.token });
    expect(deleted.status).toBe(200);
    expect((await card(hubId, 2, record)).body.chats[0].lastMessage).toMatchObject({ text: "Hello!", direction: "in" });
  });

  it("a member links one HubSpot user: signing in as another HubSpot user moves their link", async () => {
    const hubId = await connectedPortal();
    const record = { objectTypeId: "0-1", objectId: fake.portals.addContact(hubId, { firstname: "Cy" }).id };
    expect((await signInFromCard(hubId, 2, team.agent, record)).status).toBe(201);
    expect((await card(hubId, 2, record)).body.memberName).toBe("The agent");
    expect((await signInFromCard(hubId, 5, team.agent, record)).status).toBe(201);
    expect((await card(hubId, 2, record)).body.state).toBe("link_required");
    expect((await card(hubId, 5, record)).body.memberName).toBe("The agent");
    const entries = await auditEntries("hubspot.user_link");
    expect(entries.map((entry) => (entry.details as { replaced: unknown[] }).replaced)).toEqual(
      expect.arrayContaining([[], [{ hubspotUserId: 2, memberId: team.agent.id }]]),
    );
    expect(entries).toHaveLength(2);
  });
});

describe("the card's ready answer and Open conversation", () => {
  it("on a deal, matches the chats of all its contacts, page after page, and counts the ones beyond the card's ten", async () => {
    const hubId = await connectedPortal();
    fake.controls.associationsPageSize = 4;
    const contacts = Array.from({ length: 13 }, (_, index) =>
      fake.portals.addContact(hubId, { firstname: `Person ${index}`, mobilephone: `+1555020${String(index).padStart(4, "0")}` }),
    );
    const deal = fake.portals.addDeal(
      hubId,
      { dealname: "Thirteen seats" },
      contacts.map((contact) => contact.id),
    );
    const line = await insertAccountDirectly(server.database.db, team.workspace, team.owner.id);
    for (const index of [0, 4, 8, 9, 10, 11, 12]) {
      await insertChatDirectly(server.database.db, team.workspace, line, { phone: `+1555020${String(index).padStart(4, "0")}`, customerWroteAt: new Date() });
    }
    const record = { objectTypeId: "0-3", objectId: deal.id };
    await signInFromCard(hubId, 2, team.teammate, record);
    const ready = await card(hubId, 2, record);
    expect(ready.body.state).toBe("ready");
    expect(ready.body.chats.map((chat: { phone: string }) => chat.phone).sort()).toEqual(
      [0, 4, 8, 9, 10, 11, 12].map((index) => `+1555020${String(index).padStart(4, "0")}`).sort(),
    );
    // Four pages of associations, the contacts in one batch read.
    const associationReads = fake.controls.requests.filter((request) => request.path === "/crm/associations/2026-03/deals/contacts/batch/read");
    expect(associationReads.slice(-4).map((request) => request.body)).toEqual([
      { inputs: [{ id: deal.id }] },
      { inputs: [{ id: deal.id, after: "4" }] },
      { inputs: [{ id: deal.id, after: "8" }] },
      { inputs: [{ id: deal.id, after: "12" }] },
    ]);

    for (const index of [1, 2, 3, 5, 6]) {
      await insertChatDirectly(server.database.db, team.workspace, line, {
        phone: `+1555020${String(index).padStart(4, "0")}`,
        customerWroteAt: new Date(),
      });
    }
    const many = await card(hubId, 2, record);
    expect(many.body.chats).toHaveLength(10);
    expect(many.body.moreChats).toBe(2);
  });

  it("Open conversation trades the signed URI once for a panel bearer on the record, while the link holds", async () => {
    const hubId = await connectedPortal();
    const contact = fake.portals.addContact(hubId, { firstname: "Di", phone: "+15550100311" });
    const own = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const chat = await insertChatDirectly(server.database.db, team.workspace, own, { phone: "+15550100311", customerWroteAt: new Date() });
    const record = { objectTypeId: "0-1", objectId: contact.id };
    await signInFromCard(hubId, 2, team.agent, record);
    const conversation = async () => new URL((await card(hubId, 2, record)).body.conversationUri).hash.replace(/^#conversation=/, "");

    const token = await conversation();
    const opened = await server.api("POST", "/hubspot/panel/open", { body: { conversation: token } });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ member: { id: team.agent.id }, workspace: { id: team.workspace.id }, record });
    const context = await server.api("GET", "/hubspot/panel/context", { token: opened.body.token });
    expect(context.body.chats.map((candidate: { id: string }) => candidate.id)).toEqual([chat.id]);
    const replayed = await server.api("POST", "/hubspot/panel/open", { body: { conversation: token } });
    expect(replayed.status).toBe(401);
    expect(replayed.body.detail).toContain("replayed");
    // A sign-in context is not a conversation token.
    const signIn = await signedCardRequest(server, fake, `?portalId=${hubId}&userId=9`, record);
    const wrongKind = await server.api("POST", "/hubspot/panel/open", { body: { conversation: new URL(signIn.body.linkUri).hash.slice(1) } });
    expect(wrongKind.status).toBe(401);

    const beforeUnlink = await conversation();
    expect((await server.api("DELETE", "/me/integrations/hubspot", { token: team.agent.token })).status).toBe(204);
    const unlinked = await server.api("POST", "/hubspot/panel/open", { body: { conversation: beforeUnlink } });
    expect(unlinked.status).toBe(401);
    expect(unlinked.body.detail).toContain("no longer linked");
  });
});

describe("a link never outlives the member's access", () => {
  it("a suspended member's HubSpot user gets the sign-in again, and an Open conversation made before is refused", async () => {
    const hubId = await connectedPortal();
    const record = { objectTypeId: "0-1", objectId: fake.portals.addContact(hubId, { firstname: "Hal", phone: "+15550100351" }).id };
    await signInFromCard(hubId, 2, team.agent, record);
    const ready = await card(hubId, 2, record);
    expect(ready.body.state).toBe("ready");
    const suspended = await server.api("POST", `/members/${team.agent.id}/suspend`, { token: team.owner.token });
    expect(suspended.status).toBeLessThan(300);
    expect((await card(hubId, 2, record)).body.state).toBe("link_required");
    const opened = await server.api("POST", "/hubspot/panel/open", {
      body: { conversation: new URL(ready.body.conversationUri).hash.replace(/^#conversation=/, "") },
    });
    expect(opened.status).toBe(403);
    expect(opened.body.code).toBe("member_suspended");
  });
});

describe("sending from the HubSpot panel follows the same rules", () => {
  it("an Agent opened from the card sends only from their own number; a Collaborator only in the chat they are responsible for", async () => {
    const hubId = await connectedPortal();
    const contact = fake.portals.addContact(hubId, { firstname: "Eve", phone: "+15550100321" });
    const record = { objectTypeId: "0-1", objectId: contact.id };
    const own = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const owners = await insertAccountDirectly(server.database.db, team.workspace, team.owner.id);
    const ownChat = await insertChatDirectly(server.database.db, team.workspace, own, { phone: "+15550100321", customerWroteAt: new Date() });
    const ownersChat = await insertChatDirectly(server.database.db, team.workspace, owners, { phone: "+15550100321", customerWroteAt: new Date() });
    await signInFromCard(hubId, 2, team.agent, record);
    const ready = await card(hubId, 2, record);
    const opened = await server.api("POST", "/hubspot/panel/open", {
      body: { conversation: new URL(ready.body.conversationUri).hash.replace(/^#conversation=/, "") },
    });
    const agent = opened.body.token as string;
    expect((await server.api("POST", `/chats/${ownChat.id}/messages`, { token: agent, body: { text: "From my line" } })).status).toBe(201);
    expect((await server.api("POST", `/chats/${ownersChat.id}/messages`, { token: agent, body: { text: "Not mine" } })).status).toBe(404);
    const start = await server.api("POST", "/chats", { token: agent, body: { accountId: owners.id, phone: "+15550100321", text: "Hi" } });
    expect([403, 404]).toContain(start.status);

    const assigned = await insertChatDirectly(server.database.db, team.workspace, owners, {
      phone: "+15550100322",
      responsibleId: team.collaborator.id,
      customerWroteAt: new Date(),
    });
    const other = fake.portals.addContact(hubId, { firstname: "Fay", phone: "+15550100322" });
    const collaboratorSession = await signInFromCard(hubId, 4, team.collaborator, { objectTypeId: "0-1", objectId: other.id });
    const collaborator = collaboratorSession.body.token as string;
    const seen = await server.api("GET", "/hubspot/panel/context", { token: collaborator });
    expect(seen.body.chats.map((chat: { id: string }) => chat.id)).toEqual([assigned.id]);
    expect((await server.api("POST", `/chats/${assigned.id}/messages`, { token: collaborator, body: { text: "On it" } })).status).toBe(201);
    expect((await server.api("POST", `/chats/${ownChat.id}/messages`, { token: collaborator, body: { text: "No" } })).status).toBe(404);
    const refused = await server.api("POST", "/chats", { token: collaborator, body: { accountId: owners.id, phone: "+15550100322", text: "New" } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain("chats.start");
  });
});

describe("the member links on the Integrations page", () => {
  it("lists each member's link as connected or missing; an admin removes any, a member only their own, each in the activity log", async () => {
    const hubId = await connectedPortal();
    const record = { objectTypeId: "0-1", objectId: fake.portals.addContact(hubId, { firstname: "Gus" }).id };
    await signInFromCard(hubId, 2, team.agent, record);
    await signInFromCard(hubId, 3, team.teammate, record);
    const listed = await server.api("GET", "/integrations/hubspot/links", { token: team.admin.token });
    expect(listed.status).toBe(200);
    expect(listed.body.hubId).toBe(hubId);
    const byMember = Object.fromEntries(listed.body.data.map((row: { memberId: string }) => [row.memberId, row]));
    expect(byMember[team.agent.id]).toMatchObject({
      name: "The agent",
      email: team.agent.email,
      status: "connected",
      hubspotUserId: 2,
      linkedAt: expect.any(String),
    });
    expect(byMember[team.owner.id]).toMatchObject({ status: "missing", hubspotUserId: null, linkedAt: null });
    expect(listed.body.data).toHaveLength(5);

    const teammateList = await server.api("GET", "/integrations/hubspot/links", { token: team.teammate.token });
    expect(teammateList.status).toBe(403);
    expect(teammateList.body.detail).toContain("integrations.workspace");
    const teammateRemoves = await server.api("DELETE", `/integrations/hubspot/links/${team.agent.id}`, { token: team.teammate.token });
    expect(teammateRemoves.status).toBe(403);

    expect((await server.api("DELETE", `/integrations/hubspot/links/${team.agent.id}`, { token: team.admin.token })).status).toBe(204);
    expect((await server.api("DELETE", `/integrations/hubspot/links/${team.agent.id}`, { token: team.admin.token })).status).toBe(404);
    expect((await card(hubId, 2, record)).body.state).toBe("link_required");
    expect((await server.api("DELETE", "/me/integrations/hubspot", { token: team.teammate.token })).status).toBe(204);
    expect((await card(hubId, 3, record)).body.state).toBe("link_required");
    const unlinks = await auditEntries("hubspot.user_unlink");
    expect(unlinks.map((entry) => [entry.actorId, entry.targetId])).toEqual(
      expect.arrayContaining([
        [team.admin.id, team.agent.id],
        [team.teammate.id, team.teammate.id],
      ]),
    );
    expect(unlinks).toHaveLength(2);

    // A disconnect takes the links with the portal's connection.
    await signInFromCard(hubId, 2, team.agent, record);
    expect((await server.api("DELETE", "/integrations/hubspot", { token: team.admin.token })).status).toBe(204);
    expect((await server.api("GET", "/integrations/hubspot/links", { token: team.admin.token })).status).toBe(409);
  });
});
