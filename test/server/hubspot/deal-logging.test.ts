import { and, eq } from "drizzle-orm";
import { auditLog } from "../../../server/db/schema";
import type { HubspotPortal } from "../../../server/demo-crm/hubspot/portal";
import { ingestInboundMessage } from "../../../server/inbox/ingest";
import { type BuiltMember, insertAccountDirectly, insertChatDirectly, testPassword } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { eventually } from "../pipedrive/server-support";
import { connectThroughHubspot, hubspotConfigFor, newPortal, signedCardRequest, startHubspotFakeForServer } from "./support";

// Logging on the deal too: a chat used from HubSpot's modal opened on a deal is logged under that
// deal, so its Communications are associated to the deal (85) as well as the contact (81), inline,
// as the strict imitation validates them. The member opens the modal from the deal's card.
let fake: Awaited<ReturnType<typeof startHubspotFakeForServer>>;
let server: TestServer;
let team: Team;
let hubId: number;
let portal: HubspotPortal;
let account: { id: string };

const phone = "+15550100401";

beforeAll(async () => {
  fake = await startHubspotFakeForServer();
  server = await startTestServer(hubspotConfigFor(fake), { ownPublicUrl: true });
  fake.registerServer(server);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  hubId = newPortal(fake);
  portal = fake.portals.portal(hubId);
  await connectThroughHubspot(server, fake, team.admin.token, hubId);
  account = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
});

let nextHubspotUser = 100;

/** The member signs in from the card of the record (as a HubSpot user not linked yet), as in HubSpot's modal; answers the panel bearer. */
async function panelFrom(member: BuiltMember, record: { objectTypeId: string; objectId: string }) {
  nextHubspotUser += 1;
  const answer = await signedCardRequest(server, fake, `?portalId=${hubId}&userId=${nextHubspotUser}`, record);
  const session = await server.api("POST", "/hubspot/panel/session", {
    body: { context: new URL(answer.body.linkUri).hash.slice(1), email: member.email, password: testPassword },
  });
  expect(session.status).toBe(201);
  return session.body.token as string;
}

const customerSays = (text: string) =>
  ingestInboundMessage(server.database.db, {
    workspaceId: team.workspace.id,
    accountId: account.id,
    from: { phone, name: "Dora" },
    providerMessageId: `hs-${Math.random().toString(36).slice(2)}`,
    text,
    receivedAt: new Date(),
  });
const communications = () => [...portal.communications.values()];

describe("logging on the deal the HubSpot panel was opened on", () => {
  it("a chat used from a deal's panel: its Communications carry association 85 to the deal beside 81 to the deal's contact", async () => {
    const other = fake.portals.addContact(hubId, { firstname: "Someone", phone: "+15550100499" });
    const contact = fake.portals.addContact(hubId, { firstname: "Dora", phone });
    const deal = fake.portals.addDeal(hubId, { dealname: "Dora's order" }, [other.id, contact.id]);
    const chat = await insertChatDirectly(server.database.db, team.workspace, account, { phone, customerWroteAt: new Date() });
    const panel = await panelFrom(team.agent, { objectTypeId: "0-3", objectId: deal.id });

    const linked = await server.api("PUT", `/hubspot/panel/chats/${chat.id}/deal`, { token: panel });
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({ chatId: chat.id, hubId, dealId: deal.id, contactId: contact.id });
    const [entry] = await server.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.action, "hubspot.chat_link")));
    expect(entry).toMatchObject({ actorId: team.agent.id, targetId: chat.id, details: { hubId, dealId: deal.id, contactId: contact.id } });

    await eventually(() => expect(communications().length).toBeGreaterThan(0));
    const sent = await server.api("POST", `/chats/${chat.id}/messages`, { token: panel, body: { text: "Your order ships today" } });
    expect(sent.status).toBe(201);
    await customerSays("Thanks!");
    await eventually(() => expect(communications().some((logged) => logged.properties.hs_communication_body?.includes("Thanks!"))).toBe(true));
    for (const logged of communications()) {
      expect(logged.properties.hs_communication_channel_type).toBe("WHATS_APP");
      expect(logged.associations).toEqual([
        { toObjectType: "contacts", id: contact.id, associationTypeId: 81 },
        { toObjectType: "deals", id: deal.id, associationTypeId: 85 },
      ]);
    }
  });

  it("a day logged before the link goes on in a new part that carries the deal (a PATCH can't add associations)", async () => {
    const contact = fake.portals.addContact(hubId, { firstname: "Dora", phone });
    const deal = fake.portals.addDeal(hubId, { dealname: "Later deal" }, [contact.id]);
    const { chatId } = await customerSays("Before the deal");
    await eventually(() => expect(communications()).toHaveLength(1));
    expect(communications()[0]?.associations).toEqual([{ toObjectType: "contacts", id: contact.id, associationTypeId: 81 }]);
    const panel = await panelFrom(team.teammate, { objectTypeId: "0-3", objectId: deal.id });
    expect((await server.api("PUT", `/hubspot/panel/chats/${chatId}/deal`, { token: panel })).status).toBe(200);
    await customerSays("After the deal");
    await eventually(() => expect(communications()).toHaveLength(2));
    const [first, second] = communications();
    expect(first?.properties.hs_communication_body).not.toContain("After the deal");
    expect(second?.properties.hs_communication_body).toContain("After the deal");
    expect(second?.associations).toEqual([
      { toObjectType: "contacts", id: contact.id, associationTypeId: 81 },
      { toObjectType: "deals", id: deal.id, associationTypeId: 85 },
    ]);
  });

  it("only from a deal's panel, only a chat the member sees, only with a number among the deal's contacts", async () => {
    const contact = fake.portals.addContact(hubId, { firstname: "Dora", phone });
    const deal = fake.portals.addDeal(hubId, { dealname: "Deal" }, [contact.id]);
    const chat = await insertChatDirectly(server.database.db, team.workspace, account, { phone });
    const contactPanel = await panelFrom(team.agent, { objectTypeId: "0-1", objectId: contact.id });
    const fromContact = await server.api("PUT", `/hubspot/panel/chats/${chat.id}/deal`, { token: contactPanel });
    expect(fromContact.status).toBe(403);
    expect(fromContact.body).toMatchObject({ code: "crm_not_linked", missing: "hubspot_deal_panel" });
    expect((await server.api("PUT", `/hubspot/panel/chats/${chat.id}/deal`, { token: team.agent.token })).status).toBe(403);

    const collaborator = await panelFrom(team.collaborator, { objectTypeId: "0-3", objectId: deal.id });
    expect((await server.api("PUT", `/hubspot/panel/chats/${chat.id}/deal`, { token: collaborator })).status).toBe(404);
    const stranger = await insertChatDirectly(server.database.db, team.workspace, account, { phone: "+15550100488" });
    const agent = await panelFrom(team.agent, { objectTypeId: "0-3", objectId: deal.id });
    expect((await server.api("PUT", `/hubspot/panel/chats/${stranger.id}/deal`, { token: agent })).status).toBe(404);
  });
});
