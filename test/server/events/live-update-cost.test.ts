import { and, eq } from "drizzle-orm";
import { messages } from "../../../server/db/schema";
import { publish } from "../../../server/events/bus";
import { insertAccountDirectly, insertCampaignDirectly, insertChatDirectly } from "../../support/factories";
import { recordStatements, type Statement } from "../../support/query-log";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

// One bus event is loaded from the database once, however many streams are open; each stream
// then applies its viewer's permission rule to the loaded row.

let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(() => server.close());

/** The statements that read `table` for the record `id` (background workers read the same tables for other reasons). */
const reads = (statements: Statement[], table: string, id: string | undefined) =>
  statements.filter((statement) => statement.text.includes(`from "${table}"`) && statement.values.includes(id));
const openStreams = (tokens: string[]) => Promise.all(tokens.map((token) => openEventStream(`${server.url}/api/v1/events`, token)));

describe("the cost of a live update", () => {
  it("a chat event reads the chat and its message once for all open streams, and reaches exactly those who may see the chat", async () => {
    const account = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const chat = await insertChatDirectly(server.database.db, team.workspace, account, { customerWroteAt: new Date() });
    const [message] = await server.database.db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.chatId, chat.id)));
    // The collaborator sees only chats they are responsible for: this one comes later, to prove their stream kept up.
    const collaboratorsChat = await insertChatDirectly(server.database.db, team.workspace, account, { responsibleId: team.collaborator.id });
    const viewers = [team.owner, team.owner, team.owner, team.admin, team.admin, team.teammate, team.agent, team.agent];
    const seeing = await openStreams(viewers.map((member) => member.token));
    const [collaborator] = await openStreams([team.collaborator.token]);
    if (!collaborator) throw new Error("no collaborator stream");

    const statements = await recordStatements(server.database, async () => {
      await publish(server.database.db, { type: "message.created", workspaceId: team.workspace.id, chatId: chat.id, messageId: message?.id });
      await eventually(() => {
        for (const stream of seeing)
          expect(stream.events.map((event) => [event.type, event.data.chat.id, event.data.message?.id])).toEqual([["message.created", chat.id, message?.id]]);
      });
      await publish(server.database.db, { type: "chat.assigned", workspaceId: team.workspace.id, chatId: collaboratorsChat.id });
      await eventually(() => expect(collaborator.events.map((event) => event.type)).toEqual(["chat.assigned"]));
    });

    expect(seeing).toHaveLength(8);
    // The member who may not see the first chat heard nothing of it, only of their own.
    expect(collaborator.events[0]?.data.chat.id).toBe(collaboratorsChat.id);
    // Abilities are still each viewer's own.
    expect(seeing[6]?.events[0]?.data.chat.abilities).toEqual({ reply: true, assign: true, delete: false, askToTakeOver: false });
    // Two events, nine streams: each event's chat read once, and its message once.
    expect(reads(statements, "chats", chat.id)).toHaveLength(1);
    expect(reads(statements, "chats", collaboratorsChat.id)).toHaveLength(1);
    expect(reads(statements, "messages", message?.id)).toHaveLength(1);
    for (const stream of [...seeing, collaborator]) await stream.close();
  });

  it("campaign progress reads the campaign and counts its recipients once for all open streams, for those who may see its report", async () => {
    const account = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const campaign = await insertCampaignDirectly(server.database.db, team.workspace, account, team.agent.id, { recipients: 3 });
    const reporting = await openStreams([team.owner.token, team.owner.token, team.admin.token, team.admin.token, team.agent.token, team.agent.token]);
    const [collaborator] = await openStreams([team.collaborator.token]);
    if (!collaborator) throw new Error("no collaborator stream");
    const collaboratorsChat = await insertChatDirectly(server.database.db, team.workspace, account, { responsibleId: team.collaborator.id });

    const statements = await recordStatements(server.database, async () => {
      await publish(server.database.db, { type: "campaign.progress", workspaceId: team.workspace.id, campaignId: campaign.id });
      await eventually(() => {
        for (const stream of reporting)
          expect(stream.events.map((event) => [event.type, event.data.campaign.id, event.data.campaign.counts.queued])).toEqual([
            ["campaign.progress", campaign.id, 3],
          ]);
      });
      await publish(server.database.db, { type: "chat.assigned", workspaceId: team.workspace.id, chatId: collaboratorsChat.id });
      await eventually(() => expect(collaborator.events.map((event) => event.type)).toEqual(["chat.assigned"]));
    });

    expect(reporting).toHaveLength(6);
    expect(reads(statements, "campaigns", campaign.id)).toHaveLength(1);
    expect(reads(statements, "campaign_recipients", campaign.id)).toHaveLength(1);
    for (const stream of [...reporting, collaborator]) await stream.close();
  });
});
