import { and, eq } from "drizzle-orm";
import { hubspotLogJobs, messages } from "../../../server/db/schema";
import type { HubspotPortal } from "../../../server/demo-crm/hubspot/portal";
import { type InboundMessage, ingestInboundMessage } from "../../../server/inbox/ingest";
import { applyCustomerReaction } from "../../../server/inbox/reactions";
import { insertAccountDirectly, insertChatDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { eventually } from "../pipedrive/server-support";
import { connectThroughHubspot, hubspotConfigFor, landingOutcome, newPortal, startHubspotFakeForServer } from "./support";

// What a logged chat-day says of files, replies, places and reactions, through the strict fake
// HubSpot: a file is named with its size and linked to the chat in the console (behind sign-in and
// the permission check), never to a file URL; a reply quotes briefly; a reaction writes no line.
let fake: Awaited<ReturnType<typeof startHubspotFakeForServer>>;
let server: TestServer;
let team: Team;
let hubId: number;
let portal: HubspotPortal;
let account: { id: string };

const phone = "+15550100077";

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
});

const customerSends = async (text: string, extra: Partial<InboundMessage> = {}) => {
  const providerMessageId = `hs-rich-${Math.random().toString(36).slice(2)}`;
  const { messageId } = await ingestInboundMessage(server.database.db, {
    workspaceId: team.workspace.id,
    accountId: account.id,
    from: { phone, name: "Carla" },
    providerMessageId,
    text,
    receivedAt: new Date(),
    ...extra,
  });
  return { messageId, providerMessageId };
};
const jobDone = async (chatId: string) => {
  const [job] = await server.database.db
    .select()
    .from(hubspotLogJobs)
    .where(and(eq(hubspotLogJobs.workspaceId, team.workspace.id), eq(hubspotLogJobs.chatId, chatId)));
  return job?.status === "done";
};
const body = () => String([...portal.communications.values()][0]?.properties.hs_communication_body ?? "");

it("a day's Communication names a file with its size and a console link, quotes a reply, shows a place with a map link, and has no line for a reaction", async () => {
  fake.portals.addContact(hubId, { firstname: "Carla", phone });
  const chat = await insertChatDirectly(server.database.db, team.workspace, account, { responsibleId: team.agent.id, phone, name: "Carla" });
  const question = await customerSends("Is the kitchen ready? I need to know before the weekend because the movers come");
  await customerSends("[document] invoice.pdf", {
    media: {
      kind: "document",
      mimeType: "application/pdf",
      fileName: "invoice.pdf",
      caption: null,
      sha256: null,
      stored: { key: "rich-log-invoice", sizeBytes: 245_760 },
    },
  });
  await customerSends("Any news?", { replyToWamid: question.providerMessageId });
  await customerSends("[location] Cafe Central", {
    rich: { location: { latitude: 38.7223, longitude: -9.1393, name: "Cafe Central", address: "Rua Augusta 1" } },
  });
  await eventually(() => expect(body()).toContain("Cafe Central"));
  await eventually(async () => expect(await jobDone(chat.id)).toBe(true));

  const chatUrl = `${server.url}/#/inbox/${chat.id}`;
  expect(body()).toContain(`📎 <a href="${chatUrl}">invoice.pdf</a>, 240 KB`);
  expect(body()).toContain("<b>Carla (+15550100077):</b> ↩ <i>“Is the kitchen ready? I need to know before the weekend…”</i> Any news?");
  expect(body()).toContain(
    '📍 Cafe Central, Rua Augusta 1 (<a href="https://www.openstreetmap.org/?mlat=38.7223&amp;mlon=-9.1393#map=17/38.7223/-9.1393">map</a>)',
  );
  // Never a file URL: not our signed media links, not Meta's.
  expect(body()).not.toMatch(/\/media\/|signature=|fbsbx|lookaside/);

  // The customer reacts: the reaction changes the message, not the log.
  const before = body();
  const requests = fake.controls.requests.length;
  expect(
    await applyCustomerReaction(server.database.db, {
      workspaceId: team.workspace.id,
      accountId: account.id,
      targetWamid: question.providerMessageId,
      emoji: "👍",
      at: new Date(),
      wamid: "wamid.reaction-1",
    }),
  ).toBe(true);
  const [reacted] = await server.database.db.select().from(messages).where(eq(messages.id, question.messageId));
  expect(reacted).toBeDefined();
  await customerSends("Thanks");
  await eventually(() => expect(body()).toContain("Thanks"));
  // Exactly one line more: "Thanks"; none for the reaction.
  expect(body().replace(/<br>\d\d:\d\d <b>Carla \(\+15550100077\):<\/b> Thanks<\/p>$/, "</p>")).toBe(before);
  expect(body()).not.toContain("👍");
  expect(fake.controls.requests.length).toBeGreaterThan(requests);
});
