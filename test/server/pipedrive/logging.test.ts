import { and, eq, sql } from "drizzle-orm";
import { pipedriveCompanyRoutes, pipedriveLogEntries, pipedriveLogJobs } from "../../../server/db/schema";
import { ingestInboundMessage } from "../../../server/inbox/ingest";
import type { FakePerson, FakePipedrive } from "../../fakes/pipedrive";
import { insertAccountDirectly, insertChatDirectly } from "../../support/factories";
import { failOnContractRefusals } from "../../support/pipedrive-contract";
import type { TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { connect, eventually, startPipedriveStack } from "./server-support";

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
let account: { id: string };
let person: FakePerson;
failOnContractRefusals(() => fake);
beforeAll(async () => {
  ({ fake, server } = await startPipedriveStack());
});
afterAll(async () => {
  await server.close();
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  await server.database.db.delete(pipedriveCompanyRoutes);
  team = await insertTeamDirectly(server.database.db);
  await connect(server, fake, team.admin.token, "workspace");
  account = await insertAccountDirectly(server.database.db, team.workspace, team.admin.id);
  person = fake.addPerson({ name: "Carla Customer", phones: [{ value: "+1 555 010 0001", label: "mobile", primary: true }] });
});

const customerSays = async (text: string) => {
  const sent = await server.api("POST", `/whatsapp-accounts/${account.id}/sandbox/inbound`, {
    token: team.admin.token,
    body: { from: "+15550100001", name: "Carla", text },
  });
  expect(sent.status).toBe(201);
  return sent.body.chatId as string;
};
const requestLines = () => fake.requests.map((request) => `${request.method} ${request.path}`);
const jobsOf = (chatId: string) =>
  server.database.db
    .select()
    .from(pipedriveLogJobs)
    .where(and(eq(pipedriveLogJobs.workspaceId, team.workspace.id), eq(pipedriveLogJobs.chatId, chatId)));

describe("logging conversations to Pipedrive", () => {
  it("two messages the same day → one note, created then updated with both lines", async () => {
    const chatId = await customerSays("Hello, is the <kitchen> ready?");
    await eventually(() => expect(fake.notes).toHaveLength(1));
    expect(fake.notes[0]).toMatchObject({ person_id: person.id, user_id: 12345 });
    expect(fake.notes[0]?.content).toContain("Hello, is the &lt;kitchen&gt; ready?");

    const reply = await server.api("POST", `/chats/${chatId}/messages`, { token: team.admin.token, body: { text: "Yes, Friday!" } });
    expect(reply.status).toBe(201);
    await eventually(() => expect(fake.notes[0]?.content).toContain("Yes, Friday!"));

    expect(fake.notes).toHaveLength(1);
    expect(fake.notes[0]?.content).toContain("&lt;kitchen&gt;");
    expect(fake.notes[0]?.content).toContain("The admin:");
    expect(requestLines().filter((line) => line === "POST /api/v1/notes")).toHaveLength(1);
    expect(requestLines()).toContain(`PUT /api/v1/notes/${fake.notes[0]?.id}`);
  });

  it("re-running a finished job with nothing new sends nothing: no second note, no rewrite", async () => {
    const chatId = await customerSays("First");
    await eventually(() => expect(fake.notes).toHaveLength(1));
    await eventually(async () => expect((await jobsOf(chatId))[0]?.status).toBe("done"));
    await server.database.db.update(pipedriveLogJobs).set({ status: "pending", nextAttemptAt: new Date() }).where(eq(pipedriveLogJobs.chatId, chatId));
    await eventually(async () => expect((await jobsOf(chatId))[0]?.status).toBe("done"));
    expect(fake.notes).toHaveLength(1);
    expect(fake.notes[0]?.content).toContain("First");
    expect(requestLines().filter((line) => line.includes("/api/v1/notes"))).toEqual(["POST /api/v1/notes"]);
  });

  it("a busy day: each message sends only the part it lands in (at most 50 lines), a full part is followed by a new note, and every line is logged once", async () => {
    const dayStart = new Date(`${new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10)}T10:00:00.000Z`);
    const label = (index: number) => `Line ${String(index).padStart(3, "0")}`;
    const allContent = () => fake.notes.map((note) => note.content).join("\n");
    for (let index = 1; index <= 55; index++) {
      await ingestInboundMessage(server.database.db, {
        workspaceId: team.workspace.id,
        accountId: account.id,
        from: { phone: "+15550100001", name: "Carla" },
        providerMessageId: `busy-${index}-${Date.now()}`,
        text: label(index),
        receivedAt: new Date(dayStart.getTime() + index * 1000),
      });
      // One run per message, the worst case for a transcript that is rewritten whole.
      await eventually(() => expect(allContent()).toContain(`${label(index)}</p>`));
    }
    const linesOf = (content: string) => content.match(/Line \d{3}/g) ?? [];
    expect(fake.notes.map((note) => linesOf(note.content).length)).toEqual([50, 5]);
    expect(fake.notes[1]?.content).toContain(`${dayStart.toISOString().slice(0, 10)} (UTC), part 2`);
    expect(fake.notes.flatMap((note) => linesOf(note.content))).toEqual(Array.from({ length: 55 }, (_, index) => label(index + 1)));
    const sent = fake.requests
      .filter((request) => request.path.startsWith("/api/v1/notes"))
      .map((request) => linesOf(String((request.body as { content?: string }).content)));
    expect(sent).toHaveLength(55);
    expect(Math.max(...sent.map((lines) => lines.length))).toBe(50);
    // The 51st message starts part 2 with its own line alone; the last one sends part 2's five.
    expect(sent[50]).toEqual([label(51)]);
    expect(sent[54]).toEqual([label(51), label(52), label(53), label(54), label(55)]);
  });

  it("a message that arrives late with an earlier time is still logged, once, after the lines already sent", async () => {
    const dayStart = new Date(`${new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10)}T09:00:00.000Z`);
    const say = (text: string, minutes: number) =>
      ingestInboundMessage(server.database.db, {
        workspaceId: team.workspace.id,
        accountId: account.id,
        from: { phone: "+15550100001", name: "Carla" },
        providerMessageId: `late-${text}-${Date.now()}`,
        text,
        receivedAt: new Date(dayStart.getTime() + minutes * 60_000),
      });
    await say("At nine", 0);
    await say("At ten", 60);
    await eventually(() => expect(fake.notes[0]?.content).toContain("At ten"));
    await say("At half past nine", 30);
    await eventually(() => expect(fake.notes[0]?.content).toContain("At half past nine"));
    await say("At eleven", 120);
    await eventually(() => expect(fake.notes[0]?.content).toContain("At eleven"));
    expect(fake.notes).toHaveLength(1);
    expect(fake.notes[0]?.content.match(/At [a-z ]+/g)).toEqual(["At nine", "At ten", "At half past nine", "At eleven"]);
    expect(fake.notes[0]?.content).toContain("09:30 <b>");
  });

  it("a message deleted after it was logged does not hide a late one (guarded deletion)", async () => {
    const dayStart = new Date(`${new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10)}T09:00:00.000Z`);
    const say = (text: string, minutes: number) =>
      ingestInboundMessage(server.database.db, {
        workspaceId: team.workspace.id,
        accountId: account.id,
        from: { phone: "+15550100001", name: "Carla" },
        providerMessageId: `deleted-${text}-${Date.now()}`,
        text,
        receivedAt: new Date(dayStart.getTime() + minutes * 60_000),
      });
    await say("At nine", 0);
    const ten = await say("At ten", 60);
    await eventually(() => expect(fake.notes[0]?.content).toContain("At ten"));
    await eventually(async () => expect((await jobsOf(ten.chatId))[0]?.status).toBe("done"));
    const deleted = await server.api("DELETE", `/chats/${ten.chatId}/messages/${ten.messageId}`, { token: team.admin.token });
    expect(deleted.status).toBe(200);
    await say("At half past nine", 30);
    await eventually(() => expect(fake.notes[0]?.content).toContain("At half past nine"));
    expect(fake.notes).toHaveLength(1);
  });

  it("a note logged before transcripts were kept in parts (no lines or cursor stored) is rewritten whole once, then appended to", async () => {
    const chatId = await customerSays("Before the upgrade");
    await eventually(() => expect(fake.notes).toHaveLength(1));
    await eventually(async () => expect((await jobsOf(chatId))[0]?.status).toBe("done"));
    // What migration 0012 leaves on an existing row.
    await server.database.db
      .update(pipedriveLogEntries)
      .set({ lines: "", lineCount: 0, messageIds: [], dayLineCount: 0, loggedThroughAt: null, loggedThroughId: null })
      .where(eq(pipedriveLogEntries.chatId, chatId));
    await customerSays("After the upgrade");
    await eventually(() => expect(fake.notes[0]?.content).toContain("After the upgrade"));
    await customerSays("And again");
    await eventually(() => expect(fake.notes[0]?.content).toContain("And again"));
    expect(fake.notes).toHaveLength(1);
    expect(fake.notes[0]?.content.match(/(Before|After) the upgrade|And again/g)).toEqual(["Before the upgrade", "After the upgrade", "And again"]);
  });

  it("a new day → a new note", async () => {
    const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000);
    await ingestInboundMessage(server.database.db, {
      workspaceId: team.workspace.id,
      accountId: account.id,
      from: { phone: "+15550100001", name: "Carla" },
      providerMessageId: `old-${Date.now()}`,
      text: "Yesterday question",
      receivedAt: yesterday,
    });
    await eventually(() => expect(fake.notes).toHaveLength(1));
    await customerSays("Today question");
    await eventually(() => expect(fake.notes).toHaveLength(2));
    expect(fake.notes[0]?.content).toContain("Yesterday question");
    expect(fake.notes[0]?.content).not.toContain("Today question");
    expect(fake.notes[1]?.content).toContain("Today question");
    expect(fake.notes[1]?.content).toContain(new Date().toISOString().slice(0, 10));
  });

  it("a 429 reschedules the job after retry-after; it succeeds later", async () => {
    fake.failNext({ status: 429, retryAfterSeconds: 1 });
    const startedAt = Date.now();
    const chatId = await customerSays("Are you there?");
    await eventually(async () => expect((await jobsOf(chatId))[0]?.lastError).toContain("429"));
    expect(fake.notes).toHaveLength(0);
    await eventually(() => expect(fake.notes).toHaveLength(1));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
    expect(requestLines().filter((line) => line === "GET /api/v2/persons/search")).toHaveLength(2);
  });

  it("logging off → nothing is queued or written", async () => {
    await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "off" } });
    const chatId = await customerSays("Nobody logs this");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fake.notes).toHaveLength(0);
    expect(fake.activities).toHaveLength(0);
    expect(await jobsOf(chatId)).toEqual([]);
    // The same chat logs again once logging is back on: "off" was what kept Pipedrive empty.
    await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "note" } });
    await customerSays("Logged again");
    await eventually(() => expect(fake.notes.map((note) => note.content)).toEqual([expect.stringContaining("Logged again")]));
    expect(fake.activities).toHaveLength(0);
  });

  it("activity mode → one done activity per chat-day, its person a primary participant, updated as the day's messages arrive", async () => {
    await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "activity" } });
    const chatId = await customerSays("Please call me back");
    await eventually(() => expect(fake.activities).toHaveLength(1));
    expect(fake.notes).toHaveLength(0);
    expect(fake.activities[0]).toMatchObject({
      person_id: person.id,
      participants: [{ person_id: person.id, primary_flag: true }],
      done: true,
      subject: expect.stringContaining("WhatsApp"),
    });
    expect(fake.activities[0]?.note).toContain("Please call me back");
    const created = fake.requests.find((request) => request.method === "POST" && request.path === "/api/v2/activities");
    expect(created?.body).toMatchObject({ participants: [{ person_id: person.id, primary: true }] });
    expect(created?.body).not.toHaveProperty("person_id");

    await server.api("POST", `/chats/${chatId}/messages`, { token: team.admin.token, body: { text: "Calling at 3" } });
    await eventually(() => expect(fake.activities[0]?.note).toContain("Calling at 3"));
    expect(fake.activities).toHaveLength(1);
    expect(fake.activities[0]?.note).toContain("Please call me back");
    expect(requestLines().filter((line) => line === "POST /api/v2/activities")).toHaveLength(1);
    expect(requestLines()).toContain(`PATCH /api/v2/activities/${fake.activities[0]?.id}`);
    expect(fake.requests.filter((request) => request.path.startsWith("/api/v2/activities")).map((request) => request.body)).not.toContainEqual(
      expect.objectContaining({ person_id: expect.anything() }),
    );
  });

  it("an activity of a chat used from a deal hangs on the deal too, with the type the Admin chose", async () => {
    const settings = await server.api("PUT", "/integrations/pipedrive/settings", {
      token: team.admin.token,
      body: { logging: "activity", activityType: "meeting" },
    });
    expect(settings.body).toMatchObject({ logging: "activity", activityType: "meeting" });
    const deal = fake.addDeal({ title: "Kitchen refit", person_id: person.id });
    const chatId = await customerSays("About the kitchen");
    await eventually(() => expect(fake.activities).toHaveLength(1));
    await server.api("PUT", `/panel/pipedrive/chats/${chatId}/link`, { token: team.admin.token, body: { personId: person.id, dealId: deal.id } });
    await eventually(() => expect(fake.activities[0]?.deal_id).toBe(deal.id));
    expect(fake.activities).toHaveLength(1);
    expect(fake.activities[0]).toMatchObject({ type: "meeting", participants: [{ person_id: person.id, primary_flag: true }] });
  });

  it("both → a note and an activity per chat-day, each updated in place", async () => {
    await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "both" } });
    const chatId = await customerSays("Log me twice");
    await eventually(() => {
      expect(fake.notes).toHaveLength(1);
      expect(fake.activities).toHaveLength(1);
    });
    await server.api("POST", `/chats/${chatId}/messages`, { token: team.admin.token, body: { text: "Done twice" } });
    await eventually(() => {
      expect(fake.notes[0]?.content).toContain("Done twice");
      expect(fake.activities[0]?.note).toContain("Done twice");
    });
    expect(fake.notes).toHaveLength(1);
    expect(fake.activities).toHaveLength(1);
  });

  it("settings: the activity type defaults to call and must be an activity type's key", async () => {
    const read = await server.api("GET", "/integrations/pipedrive/settings", { token: team.admin.token });
    expect(read.body).toMatchObject({ logging: "note", activityType: "call" });
    for (const activityType of ["", "two words", "x".repeat(101), 7]) {
      const refused = await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "activity", activityType } });
      expect(refused.status, String(activityType)).toBe(400);
    }
    const kept = await server.api("PUT", "/integrations/pipedrive/settings", {
      token: team.admin.token,
      body: { logging: "both", activityType: "whatsapp_chat" },
    });
    expect(kept.body).toMatchObject({ logging: "both", activityType: "whatsapp_chat" });
    // Changing the mode alone keeps the chosen type.
    const modeOnly = await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "activity" } });
    expect(modeOnly.body).toMatchObject({ logging: "activity", activityType: "whatsapp_chat" });
  });

  it("a chat linked to a deal before its first line logs its note pinned to that deal", async () => {
    const deal = fake.addDeal({ title: "Bathroom tiles", person_id: person.id });
    const chat = await insertChatDirectly(server.database.db, team.workspace, account, { phone: "+15550100001" });
    const linked = await server.api("PUT", `/panel/pipedrive/chats/${chat.id}/link`, {
      token: team.admin.token,
      body: { personId: person.id, dealId: deal.id },
    });
    expect(linked.status).toBe(200);
    expect(await customerSays("About the tiles")).toBe(chat.id);
    await eventually(() => expect(fake.notes).toHaveLength(1));
    expect(fake.notes[0]).toMatchObject({ deal_id: deal.id, person_id: person.id, pinned_to_deal_flag: true });
  });

  it("a chat linked in the panel logs under the chosen deal and person", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit", person_id: person.id });
    const chatId = await customerSays("Linked soon");
    await eventually(() => expect(fake.notes).toHaveLength(1));
    await server.api("PUT", `/panel/pipedrive/chats/${chatId}/link`, { token: team.admin.token, body: { personId: person.id, dealId: deal.id } });
    await customerSays("Now on the deal");
    await eventually(() => expect(fake.notes[0]?.deal_id).toBe(deal.id));
    expect(fake.notes).toHaveLength(1);
  });

  it("a chat whose day already fills two notes, linked to a deal in the panel: both notes move onto the deal, their lines untouched", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit", person_id: person.id });
    const dayStart = new Date(`${new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10)}T07:00:00.000Z`);
    let chatId = "";
    for (let index = 1; index <= 53; index++) {
      const ingested = await ingestInboundMessage(server.database.db, {
        workspaceId: team.workspace.id,
        accountId: account.id,
        from: { phone: "+15550100001", name: "Carla" },
        providerMessageId: `relink-${index}-${Date.now()}`,
        text: `Backlog ${index}`,
        receivedAt: new Date(dayStart.getTime() + index * 1000),
      });
      chatId = ingested.chatId;
    }
    await eventually(() => expect(fake.notes.map((note) => note.content.match(/Backlog \d+/g)?.length)).toEqual([50, 3]));
    const before = fake.notes.map((note) => note.content);
    expect(fake.notes.map((note) => note.deal_id)).toEqual([null, null]);
    await eventually(async () => expect((await jobsOf(chatId)).map((job) => job.status)).toEqual(["done"]));
    const sentBefore = fake.requests.length;

    await server.api("PUT", `/panel/pipedrive/chats/${chatId}/link`, { token: team.admin.token, body: { personId: person.id, dealId: deal.id } });
    await eventually(() => expect(fake.notes.map((note) => note.deal_id)).toEqual([deal.id, deal.id]));
    expect(fake.notes.map((note) => note.person_id)).toEqual([person.id, person.id]);
    expect(fake.notes.map((note) => note.content)).toEqual(before);
    // The full first part moved with a link-only update: its lines were not sent again.
    const firstPartUpdates = fake.requests
      .slice(sentBefore)
      .filter((request) => request.method === "PUT" && request.path === `/api/v1/notes/${fake.notes[0]?.id}`);
    expect(firstPartUpdates.map((request) => request.body)).toEqual([{ deal_id: deal.id, person_id: person.id, pinned_to_deal_flag: 1 }]);
  });

  it("a member with their own connection writes the notes of their chats under their name", async () => {
    const grace = {
      id: 22222,
      company_id: 67890,
      name: "Grace Hopper",
      email: "grace@acme.test",
      company_domain: "acme",
      company_name: "Acme Ltd",
      is_admin: false,
    };
    await connect(server, fake, team.teammate.token, "individual", grace);
    // The chat exists and is the Teammate's before anything is logged.
    await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "off" } });
    const chatId = await customerSays("For Grace");
    await server.database.db.execute(sql`update chats set responsible_id = ${team.teammate.id} where workspace_id = ${team.workspace.id} and id = ${chatId}`);
    await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "note" } });

    await server.api("POST", `/chats/${chatId}/messages`, { token: team.teammate.token, body: { text: "Grace here" } });

    await eventually(() => expect(fake.notes).toHaveLength(1));
    expect(fake.notes[0]).toMatchObject({ user_id: 22222, person_id: person.id });
    expect(fake.notes[0]?.content).toContain("For Grace");
    expect(fake.notes[0]?.content).toContain("Grace here");
  });
});
