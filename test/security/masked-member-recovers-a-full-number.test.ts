import { and, eq } from "drizzle-orm";
import { campaignRecipients, messages } from "../../server/db/schema";
import { newId } from "../../server/ids";
import { signPanelToken } from "../../server/pipedrive/panel-token";
import { startWebhookWorker, type WebhookWorker } from "../../server/webhooks/worker";
import type { FakePipedrive } from "../fakes/pipedrive";
import { connectThroughHubspot, hubspotConfigFor, newPortal, signedCardRequest, startHubspotFakeForServer } from "../server/hubspot/support";
import { connect, otherUser, panelSecret, pipedriveSuite } from "../server/pipedrive/server-support";
import { type Receiver, startReceiver } from "../server/webhooks/receiver";
import {
  type BuiltMember,
  insertAccountDirectly,
  insertCampaignDirectly,
  insertChatDirectly,
  insertMemberDirectly,
  insertRoleDirectly,
  testPassword,
} from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";
import { eventually, openEventStream } from "../support/sse";
import { insertTeamDirectly, type Team } from "../support/team";

// contacts.view_numbers: a member without it sees "+49 ••• ••• 64" wherever a contact's number
// would be. The attacker is a masked member — the built-in Agent in a workspace whose Agents don't
// see numbers, and a custom role that may export, read every campaign report and the activity log
// and configure webhooks, all without contacts.view_numbers — trying every route, download, live
// event, webhook and CRM panel that carries a number, and every search and error that might echo
// one. Nothing they receive may hold the full number, or any five digits of it in a row after
// the country code. Each surface is first read by the Owner, who does see the number: the
// attacker's answer is checked on a surface that demonstrably carries it.

const customer = "+4915173918264";
/** A number the customer shares as a contact card (a WhatsApp contacts message). */
const sharedCard = "+4917687345129";

/** Every piece of `number` a masked member must not get: the whole (with or without +) and each 5 digits in a row after the country code. */
function fragmentsOf(number: string): string[] {
  const digits = number.slice(1);
  const subscriber = digits.slice(2);
  const windows = Array.from({ length: subscriber.length - 4 }, (_, index) => subscriber.slice(index, index + 5));
  return [number, digits, ...windows];
}

function expectNoNumberIn(what: string, text: string) {
  for (const number of [customer, sharedCard]) {
    for (const fragment of fragmentsOf(number)) {
      if (text.includes(fragment)) throw new Error(`${what} reveals ${fragment} of ${number}: ${text.slice(0, 400)}`);
    }
  }
}

const masked = (number: string) => `+49 ••• ••• ${number.slice(-2)}`;

describe("a masked member recovers a full number", () => {
  let fake: Awaited<ReturnType<typeof startHubspotFakeForServer>>;
  let server: TestServer;
  let team: Team;
  /** Without contacts.view_numbers: every chat, data.export, every campaign report, the activity log, webhooks. */
  let manager: BuiltMember;
  let lineId: string;
  let chatId: string;
  let campaignId: string;
  const receivers: Receiver[] = [];
  let worker: WebhookWorker | undefined;

  beforeAll(async () => {
    fake = await startHubspotFakeForServer();
    server = await startTestServer(hubspotConfigFor(fake), { ownPublicUrl: true });
    fake.registerServer(server);
    const db = server.database.db;
    team = await insertTeamDirectly(db);
    const hidden = await server.api("PATCH", "/workspace", { token: team.owner.token, body: { agentsSeeNumbers: false } });
    expect(hidden.status).toBe(200);
    const role = await insertRoleDirectly(db, team.workspace, {
      "chats.view": "all",
      "campaigns.reports": "all",
      "data.export": true,
      "audit.view": true,
      "integrations.workspace": true,
      "contacts.view_numbers": false,
    });
    manager = await insertMemberDirectly(db, team.workspace, { roleId: role.id, name: "Masked manager" });

    const line = await server.api("POST", "/whatsapp-accounts", {
      token: team.owner.token,
      body: { provider: "sandbox", phoneNumber: "+15550108001", displayName: "Owner line" },
    });
    lineId = line.body.account.id;
    const inbound = await server.api("POST", `/whatsapp-accounts/${lineId}/sandbox/inbound`, {
      token: team.owner.token,
      body: { from: customer, text: "Hello, it's Carla", name: "Carla Customer" },
    });
    expect(inbound.status).toBe(201);
    chatId = inbound.body.chatId;
    expect((await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.owner.token, body: { memberId: team.agent.id } })).status).toBe(200);
    // The customer shares a contact card.
    await db.insert(messages).values({
      workspaceId: team.workspace.id,
      id: newId("msg"),
      chatId,
      direction: "in",
      text: "[contact] Dora",
      status: "received",
      rich: { contacts: [{ name: "Dora", phones: [sharedCard] }] },
    });
    // A send Meta refused, naming the recipient in its detail.
    await db.insert(messages).values({
      workspaceId: team.workspace.id,
      id: newId("msg"),
      chatId,
      direction: "out",
      text: "Are you there?",
      status: "failed",
      errorCode: "131026",
      errorDetail: `Message undeliverable to ${customer.slice(1)}`,
    });
    // The Owner starts a chat with the number (the activity log's chat.start names it).
    const started = await server.api("POST", "/chats", { token: team.owner.token, body: { accountId: lineId, phone: customer, text: "Welcome back" } });
    expect(started.status).toBe(201);
    // The Agent's campaign reached the number; its recipient's error names it too.
    const campaign = await insertCampaignDirectly(db, team.workspace, { id: lineId }, team.agent.id, { status: "completed" });
    campaignId = campaign.id;
    await db
      .update(campaignRecipients)
      .set({ phone: customer, status: "failed", error: `Recipient ${customer} is not on WhatsApp` })
      .where(and(eq(campaignRecipients.workspaceId, team.workspace.id), eq(campaignRecipients.campaignId, campaign.id)));
  });
  afterAll(async () => {
    await worker?.stop();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await server?.close();
    await fake?.close();
  });

  /** The Owner's answer carries the number (the surface is real); the masked member's doesn't. */
  async function probe(method: string, path: string, attacker: BuiltMember, body?: unknown) {
    const owners = await server.api(method, path, { token: team.owner.token, body });
    expect(owners.text).toContain(customer);
    const theirs = await server.api(method, path, { token: attacker.token, body });
    expect(theirs.status).toBe(owners.status);
    expectNoNumberIn(`${method} ${path} as ${attacker === team.agent ? "the Agent" : "the manager"}`, theirs.text);
    return theirs;
  }

  it("chat lists, one chat and its history show the masked number and the name", async () => {
    for (const attacker of [team.agent, manager]) {
      const list = await probe("GET", "/chats", attacker);
      expect(list.body.data[0].contact).toEqual({ id: expect.any(String), phone: masked(customer), name: "Carla Customer" });
      const one = await probe("GET", `/chats/${chatId}`, attacker);
      expect(one.body.contact.phone).toBe(masked(customer));
      const history = await server.api("GET", `/chats/${chatId}/messages`, { token: attacker.token });
      expect(history.status).toBe(200);
      expectNoNumberIn("the history", history.text);
      const card = history.body.data.find((message: { contacts?: unknown }) => message.contacts);
      expect(card.contacts).toEqual([{ name: "Dora", phones: [masked(sharedCard)] }]);
      const failed = history.body.data.find((message: { error: unknown }) => message.error);
      expect(failed.error.detail).toBe(`Message undeliverable to ${masked(customer)}`);
    }
    const ownersHistory = await server.api("GET", `/chats/${chatId}/messages`, { token: team.owner.token });
    expect(ownersHistory.text).toContain(sharedCard);
  });

  it("search by the full number finds the chat and shows it masked; a few digits don't match the number", async () => {
    for (const query of [customer, "+49 151 73918264", "0049 151 7391 8264"]) {
      const found = await probe("GET", `/chats?q=${encodeURIComponent(query)}`, team.agent);
      expect(found.body.data.map((chat: { id: string }) => chat.id)).toEqual([chatId]);
    }
    // Part of the number would spell it out guess by guess: it matches for the Owner only.
    for (const digits of ["73918", "1517391", "8264"]) {
      const owners = await server.api("GET", `/chats?q=${digits}`, { token: team.owner.token });
      expect(owners.body.data.map((chat: { id: string }) => chat.id)).toEqual([chatId]);
      const theirs = await server.api("GET", `/chats?q=${digits}`, { token: team.agent.token });
      expect(theirs.body.data).toEqual([]);
    }
  });

  it("exports, the campaign report and the activity log hold the masked number", async () => {
    const exported = await probe("GET", "/exports/chats", manager);
    expect(exported.text).toContain(masked(customer));
    for (const attacker of [team.agent, manager]) {
      const report = await probe("GET", `/campaigns/${campaignId}/report`, attacker);
      expect(report.text).toContain(`${masked(customer)},Recipient 0,failed,Recipient ${masked(customer)} is not on WhatsApp`);
    }
    const log = await probe("GET", "/audit-log?action=chat.start", manager);
    expect(log.body.data[0].details.phone).toBe(masked(customer));
    await probe("GET", "/audit-log/export?action=chat.start", manager);
  });

  it("starting a chat by typing the number is refused, and the refusal does not echo it; a chat from an existing one still works", async () => {
    // From the Agent's own line, where chats.start lets them start chats: the number is what is refused.
    const agentsLine = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const refused = await server.api("POST", "/chats", { token: team.agent.token, body: { accountId: agentsLine.id, phone: customer, text: "Hi" } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ permission: "contacts.view_numbers" });
    expectNoNumberIn("the refusal", refused.text);
    // The sandbox's simulated customer is a typed number too: it would answer with the chat it already has.
    const simulated = await server.api("POST", `/whatsapp-accounts/${agentsLine.id}/sandbox/inbound`, {
      token: team.agent.token,
      body: { from: customer, text: "Is this you?" },
    });
    expect(simulated.status).toBe(403);
    expect(simulated.body).toMatchObject({ permission: "contacts.view_numbers" });
    expectNoNumberIn("the refused simulation", simulated.text);
    const badRef = await server.api("POST", "/chats", { token: team.agent.token, body: { accountId: agentsLine.id, phoneRef: "pref.v1.a.b.c", text: "Hi" } });
    expect(badRef.status).toBe(400);
    expectNoNumberIn("the refused ref", badRef.text);
    const reply = await server.api("POST", `/chats/${chatId}/messages`, { token: team.agent.token, body: { text: "Back to you" } });
    expect(reply.status).toBe(201);
    expectNoNumberIn("the reply", reply.text);
  });

  it("live events carry the masked number to a masked member's stream, the full one to the Owner's", async () => {
    const streams = await Promise.all([team.owner, team.agent, manager].map((member) => openEventStream(`${server.url}/api/v1/events`, member.token)));
    try {
      const inbound = await server.api("POST", `/whatsapp-accounts/${lineId}/sandbox/inbound`, {
        token: team.owner.token,
        body: { from: customer, text: "One more thing", name: "Carla Customer" },
      });
      expect(inbound.status).toBe(201);
      const [owners, agents, managers] = streams.map((stream) => stream);
      for (const stream of [owners, agents, managers])
        await eventually(() => expect(stream?.events.some((event) => event.type === "message.created")).toBe(true));
      expect(JSON.stringify(owners?.events)).toContain(customer);
      for (const stream of [agents, managers]) {
        expectNoNumberIn("a live event", JSON.stringify(stream?.events));
        expect(stream?.events.find((event) => event.type === "message.created")?.data.chat.contact.phone).toBe(masked(customer));
      }
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
    }
  });

  it("a webhook the masked manager configured gets masked numbers; the Owner's gets them in full", async () => {
    const [theirs, owners] = await Promise.all([startReceiver(), startReceiver()]);
    receivers.push(theirs, owners);
    for (const [member, receiver] of [
      [manager, theirs],
      [team.owner, owners],
    ] as const) {
      const created = await server.api("POST", "/webhooks", { token: member.token, body: { url: receiver.url, events: ["message.created", "chat.assigned"] } });
      expect(created.status).toBe(201);
    }
    worker = startWebhookWorker(server.services, { pollIntervalMs: 20, retryDelaysMs: [30], jitterRatio: 0 });
    await server.api("POST", `/whatsapp-accounts/${lineId}/sandbox/inbound`, { token: team.owner.token, body: { from: customer, text: "Webhook?" } });
    await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.owner.token, body: { memberId: team.teammate.id } });
    const [ownersRequests, theirRequests] = await Promise.all([owners.waitFor(2), theirs.waitFor(2)]);
    expect(ownersRequests.map((request) => request.rawBody).join("\n")).toContain(customer);
    for (const request of theirRequests) expectNoNumberIn("a webhook delivery", request.rawBody);
    expect(theirRequests.map((request) => request.rawBody).join("\n")).toContain(JSON.stringify(masked(customer)));
  });

  it("HubSpot's card and panel show the CRM contact's numbers masked; starting a chat from the record still works", async () => {
    const hubId = newPortal(fake);
    const { landing } = await connectThroughHubspot(server, fake, team.admin.token, hubId);
    expect(landing?.hash).toContain("hubspot=connected");
    const contact = fake.portals.addContact(hubId, { firstname: "Carla", lastname: "Customer", phone: "+49 151 73918264", mobilephone: sharedCard });
    const record = { objectTypeId: "0-1", objectId: contact.id };
    const card = (userId: number) => signedCardRequest(server, fake, `?portalId=${hubId}&userId=${userId}&appId=${fake.app.appId}`, record);
    const signIn = async (userId: number, member: BuiltMember) => {
      const answer = await card(userId);
      const context = new URL(answer.body.linkUri).hash.slice(1);
      const session = await server.api("POST", "/hubspot/panel/session", { body: { context, email: member.email, password: testPassword } });
      expect(session.status).toBe(201);
      return session.body.token as string;
    };
    const ownersPanel = await signIn(2, team.owner);
    const ownersContext = await server.api("GET", "/hubspot/panel/context", { token: ownersPanel });
    expect(ownersContext.text).toContain(customer);
    expect((await card(2)).text).toContain(customer);

    const agentsPanel = await signIn(3, team.agent);
    const agentsContext = await server.api("GET", "/hubspot/panel/context", { token: agentsPanel });
    expect(agentsContext.status).toBe(200);
    expectNoNumberIn("HubSpot's panel context", agentsContext.text);
    const [phone] = agentsContext.body.persons[0].phones;
    expect(phone).toEqual({ e164: masked(customer), label: "phone", raw: masked(customer), ref: expect.stringMatching(/^pref\./) });
    const ready = await card(3);
    expect(ready.body.state).toBe("ready");
    expectNoNumberIn("HubSpot's card", ready.text);

    // The Agent starts a chat from their own line with the record's number, through its ref (the
    // customer wrote to that line today, so a text may go).
    const own = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    await insertChatDirectly(server.database.db, team.workspace, own, { phone: customer, customerWroteAt: new Date() });
    const startedFromRecord = await server.api("POST", "/chats", { token: agentsPanel, body: { accountId: own.id, phoneRef: phone.ref, text: "Hi Carla" } });
    expect(startedFromRecord.status).toBe(201);
    expect(startedFromRecord.body.chat.contact.phone).toBe(masked(customer));
    expectNoNumberIn("a chat started from the record", startedFromRecord.text);
    // Another member can't use the Agent's ref.
    const borrowed = await server.api("POST", "/chats", { token: team.owner.token, body: { accountId: own.id, phoneRef: phone.ref, text: "Hi" } });
    expect(borrowed.status).toBe(400);
  });
});

describe("a masked member recovers a full number through the Pipedrive panel", () => {
  let fake: FakePipedrive;
  let server: TestServer;
  let team: Team;
  pipedriveSuite((stack) => ({ fake, server, team } = stack));

  it("the panel's persons and chats show the numbers masked, with a ref to start a chat from the record", async () => {
    expect((await server.api("PATCH", "/workspace", { token: team.owner.token, body: { agentsSeeNumbers: false } })).status).toBe(200);
    await connect(server, fake, team.admin.token, "workspace");
    const agentsUser = otherUser({ id: 22222, name: "Agnes Agent", email: "agnes@acme.test" });
    const teammatesUser = otherUser({ id: 33333, name: "Tom Teammate", email: "tom@acme.test" });
    fake.addUser(agentsUser);
    fake.addUser(teammatesUser);
    for (const [user, memberId] of [
      [agentsUser, team.agent.id],
      [teammatesUser, team.teammate.id],
    ] as const) {
      await server.api("PUT", `/integrations/pipedrive/users/${user.id}`, { token: team.admin.token, body: { memberId } });
    }
    const person = fake.addPerson({ name: "Carla Customer", phones: [{ value: "+49 151 73918264", label: "mobile", primary: true }] });
    const own = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    await insertChatDirectly(server.database.db, team.workspace, own, { phone: customer, name: "Carla", customerWroteAt: new Date() });
    const panelOn = async (userId: number) => {
      const started = await server.api("POST", "/panel/pipedrive/session", {
        body: { token: await signPanelToken(panelSecret, { userId, companyId: 67890 }), resource: "person", selectedIds: String(person.id) },
      });
      return started.body.token as string;
    };
    const context = (token: string) => server.api("GET", `/panel/pipedrive/context?resource=person&id=${person.id}`, { token });

    const teammates = await context(await panelOn(teammatesUser.id));
    expect(teammates.text).toContain(customer);
    const agentsPanel = await panelOn(agentsUser.id);
    const agents = await context(agentsPanel);
    expect(agents.status).toBe(200);
    expectNoNumberIn("Pipedrive's panel context", agents.text);
    expect(agents.body.persons[0].phones).toEqual([{ e164: masked(customer), label: "mobile", raw: masked(customer), ref: expect.stringMatching(/^pref\./) }]);
    expect(agents.body.chats[0].contact.phone).toBe(masked(customer));

    const started = await server.api("POST", "/chats", {
      token: agentsPanel,
      body: { accountId: own.id, phoneRef: agents.body.persons[0].phones[0].ref, text: "Hello from Pipedrive" },
    });
    expect(started.status).toBe(201);
    expect(started.body.chat.contact.phone).toBe(masked(customer));
    expectNoNumberIn("a chat started from the panel", started.text);
  });
});
