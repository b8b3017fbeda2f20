import { and, eq, sql } from "drizzle-orm";
import { auditLog, hubspotLogJobs } from "../../../server/db/schema";
import type { HubspotPortal } from "../../../server/demo-crm/hubspot/portal";
import { ingestInboundMessage } from "../../../server/inbox/ingest";
import { insertAccountDirectly, insertChatDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { eventually } from "../pipedrive/server-support";
import { connectThroughHubspot, hubspotConfigFor, landingOutcome, newPortal, startHubspotFakeForServer } from "./support";

// Logging WhatsApp messages to HubSpot as Communications, end to end: a message stored in the
// inbox queues a job in its transaction, the worker finds the contact by phone in the strict fake
// HubSpot (server/demo-crm/hubspot) and writes or grows the day's Communication. The portal is
// connected through HubSpot's install page, never by writing tokens into storage.
let fake: Awaited<ReturnType<typeof startHubspotFakeForServer>>;
let server: TestServer;
let team: Team;
let hubId: number;
let portal: HubspotPortal;
let account: { id: string };
/** Where this test's requests start in the fake's log. */
let firstRequest: number;

const phone = "+15550100001";
const communicationPaths = (method: string) =>
  fake.controls.requests.slice(firstRequest).filter((request) => request.method === method && request.path.startsWith("/crm/objects/2026-03/communications"));

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
  expect(landingOutcome((await connectThroughHubspot(server, fake, team.admin.token, hubId)).landing)).toEqual({ hubspot: "connected" });
  account = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
  firstRequest = fake.controls.requests.length;
});

/** A HubSpot user with the Agent's e-mail (their owner id differs from their user id, as in HubSpot). */
const agentInHubspot = () => fake.portals.addUser(hubId, { userId: 3, email: team.agent.email, firstName: "Agnes", lastName: "Agent", superAdmin: false });
const customerSays = (text: string, from = phone) =>
  ingestInboundMessage(server.database.db, {
    workspaceId: team.workspace.id,
    accountId: account.id,
    from: { phone: from, name: "Carla" },
    providerMessageId: `hs-${Math.random().toString(36).slice(2)}`,
    text,
    receivedAt: new Date(),
  });
const jobOf = async (chatId: string) => {
  const [job] = await server.database.db
    .select()
    .from(hubspotLogJobs)
    .where(and(eq(hubspotLogJobs.workspaceId, team.workspace.id), eq(hubspotLogJobs.chatId, chatId)));
  return job;
};
const communications = () => [...portal.communications.values()];

describe("logging WhatsApp messages to HubSpot", () => {
  it("a customer's message → one WHATS_APP Communication on the contact (81), owned by the chat's responsible member's HubSpot owner; the day's next messages grow it in place (PATCH); a re-run sends nothing", async () => {
    const agent = agentInHubspot();
    const contact = fake.portals.addContact(hubId, { firstname: "Carla", phone });
    const chat = await insertChatDirectly(server.database.db, team.workspace, account, { responsibleId: team.agent.id, phone, name: "Carla" });
    await customerSays("Is the <kitchen> ready?");
    await eventually(() => expect(communications()).toHaveLength(1));
    const [logged] = communications();
    expect(logged?.properties).toMatchObject({
      hs_communication_channel_type: "WHATS_APP",
      hs_communication_logged_from: "CRM",
      hubspot_owner_id: String(agent.ownerId),
    });
    expect(logged?.properties.hubspot_owner_id).not.toBe(String(agent.userId));
    expect(logged?.properties.hs_communication_body).toContain("Is the &lt;kitchen&gt; ready?");
    expect(logged?.associations).toEqual([{ toObjectType: "contacts", id: contact.id, associationTypeId: 81 }]);
    await eventually(async () => expect((await jobOf(chat.id))?.status).toBe("done"));

    const reply = await server.api("POST", `/chats/${chat.id}/messages`, { token: team.agent.token, body: { text: "Yes, Friday!" } });
    expect(reply.status).toBe(201);
    await customerSays("Great");
    await eventually(() => expect(logged?.properties.hs_communication_body).toContain("Great"));
    expect(communications()).toHaveLength(1);
    expect(logged?.properties.hs_communication_body).toMatch(/Is the &lt;kitchen&gt; ready\?.*The agent:<\/b> Yes, Friday!.*Great/s);
    expect(communicationPaths("POST")).toHaveLength(1);
    expect(communicationPaths("PATCH").map((request) => request.path)).toContain(`/crm/objects/2026-03/communications/${logged?.id}`);
    await eventually(async () => expect((await jobOf(chat.id))?.status).toBe("done"));

    // Run the finished job again: nothing new, nothing sent.
    const sent = fake.controls.requests.length;
    await server.database.db.update(hubspotLogJobs).set({ status: "pending", nextAttemptAt: new Date() }).where(eq(hubspotLogJobs.chatId, chat.id));
    await eventually(async () => expect((await jobOf(chat.id))?.status).toBe("done"));
    expect(fake.controls.requests.length).toBe(sent);
    expect(communications()).toHaveLength(1);
  });

  it("a day's Communication deleted in HubSpot: the next message writes the part anew (its earlier lines too) instead of failing on the 404", async () => {
    fake.portals.addContact(hubId, { firstname: "Carla", phone });
    const { chatId } = await customerSays("Before");
    await eventually(() => expect(communications()).toHaveLength(1));
    await eventually(async () => expect((await jobOf(chatId))?.status).toBe("done"));
    const [deleted] = communications();
    portal.communications.delete(deleted?.id ?? "");
    await customerSays("After");
    await eventually(async () => expect((await jobOf(chatId))?.status).toBe("done"));
    expect(communications()).toHaveLength(1);
    expect(communications()[0]?.id).not.toBe(deleted?.id);
    expect(communications()[0]?.properties.hs_communication_body).toMatch(/Before.*After/s);
  });

  it("a 429 (with HubSpot's rate-limit headers) makes the job wait HubSpot's interval, uncounted, and it succeeds later", async () => {
    fake.portals.addContact(hubId, { firstname: "Carla", mobilephone: phone });
    fake.controls.rateLimitNext(1);
    const { chatId } = await customerSays("Hello");
    const waiting = await eventually(async () => {
      const job = await jobOf(chatId);
      expect(job?.lastError).toMatch(/429/);
      return job;
    });
    expect(waiting?.status).toBe("pending");
    expect(waiting?.attempts).toBe(0);
    // The ten-second interval HubSpot's headers name (no Retry-After sent), not the worker's poll.
    expect(waiting?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 5_000);
    expect(communications()).toHaveLength(0);

    // The interval passes.
    await server.database.db.update(hubspotLogJobs).set({ nextAttemptAt: sql`now()` }).where(eq(hubspotLogJobs.chatId, chatId));
    await eventually(async () => expect((await jobOf(chatId))?.status).toBe("done"));
    expect(communications()).toHaveLength(1);
    expect(communications()[0]?.properties.hs_communication_body).toContain("Hello");
  });

  it("an uninstalled portal: the job stops (skipped, reconnect_required) and the connection shows reconnect_required", async () => {
    fake.portals.addContact(hubId, { firstname: "Carla", phone });
    fake.portals.uninstall(hubId);
    const { chatId } = await customerSays("Hello?");
    await eventually(async () => expect((await jobOf(chatId))?.status).toBe("skipped"));
    expect((await jobOf(chatId))?.lastError).toMatch(/reconnect_required/);
    expect(communications()).toHaveLength(0);
    const integrations = await server.api("GET", "/integrations", { token: team.admin.token });
    expect(integrations.body.hubspot).toMatchObject({ status: "reconnect_required", reconnectReason: "uninstalled" });
    // No more jobs while it needs reconnecting.
    await customerSays("Anyone?", "+15550100002");
    const [others] = await server.database.db
      .select({ count: sql<number>`count(*)::int` })
      .from(hubspotLogJobs)
      .where(eq(hubspotLogJobs.workspaceId, team.workspace.id));
    expect(others?.count).toBe(1);
  });

  it("no contact has the chat's number: nothing is logged and the job completes, saying why", async () => {
    fake.portals.addContact(hubId, { firstname: "Someone", phone: "+15550109999" });
    const { chatId } = await customerSays("Hi");
    await eventually(async () => expect((await jobOf(chatId))?.status).toBe("skipped"));
    expect((await jobOf(chatId))?.lastError).toMatch(/no HubSpot contact has this chat's number/);
    expect(communications()).toHaveLength(0);
    expect(communicationPaths("POST")).toHaveLength(0);
  });

  it("per message (an Admin's setting, in the activity log): one Communication per message at its own time; a re-run sends nothing", async () => {
    expect((await server.api("PUT", "/integrations/hubspot/settings", { token: team.agent.token, body: { logging: "per_message" } })).status).toBe(403);
    expect((await server.api("PUT", "/integrations/hubspot/settings", { token: team.admin.token, body: { logging: "weekly" } })).status).toBe(400);
    const changed = await server.api("PUT", "/integrations/hubspot/settings", { token: team.admin.token, body: { logging: "per_message" } });
    expect(changed.body).toEqual({ logging: "per_message", abilities: { edit: true } });
    expect((await server.api("GET", "/integrations/hubspot/settings", { token: team.agent.token })).body).toEqual({
      logging: "per_message",
      abilities: { edit: false },
    });
    const entries = await server.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id));
    expect(entries.map((entry) => entry.action)).toContain("hubspot.settings_change");

    const contact = fake.portals.addContact(hubId, { firstname: "Carla", hs_whatsapp_phone_number: phone });
    const first = await customerSays("One");
    await eventually(() => expect(communications()).toHaveLength(1));
    await customerSays("Two");
    await eventually(() => expect(communications()).toHaveLength(2));
    const bodies = communications().map((communication) => communication.properties.hs_communication_body ?? "");
    expect(bodies[0]).toMatch(/Carla.*One/);
    expect(bodies[1]).toMatch(/Carla.*Two/);
    expect(bodies[1]).not.toContain("One");
    expect(communications().every((communication) => communication.associations[0]?.id === contact.id)).toBe(true);
    expect(communicationPaths("PATCH")).toHaveLength(0);

    await eventually(async () => expect((await jobOf(first.chatId))?.status).toBe("done"));
    const sent = fake.controls.requests.length;
    await server.database.db.update(hubspotLogJobs).set({ status: "pending", nextAttemptAt: new Date() }).where(eq(hubspotLogJobs.chatId, first.chatId));
    await eventually(async () => expect((await jobOf(first.chatId))?.status).toBe("done"));
    expect(fake.controls.requests.length).toBe(sent);
    expect(communications()).toHaveLength(2);
  });
});
