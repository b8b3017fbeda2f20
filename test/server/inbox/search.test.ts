import { messages } from "../../../server/db/schema";
import { newId } from "../../../server/ids";
import { insertAccountDirectly, insertChatDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// The search's 3+-character path (through the trigram indexes) must keep the caller's scope, the
// keyset pages and the phone normalisation of the row-by-row path it replaced.
let server: TestServer;
let team: Team;
let agentChat: string;
let hiddenChat: string;
let otherWorkspaceChat: string;

async function insertMessage(chatId: string, workspaceId: string, text: string, createdAt: Date) {
  await server.database.db.insert(messages).values({ workspaceId, id: newId("msg"), chatId, direction: "in", text, status: "received", createdAt });
}

beforeAll(async () => {
  server = await startTestServer();
  const db = server.database.db;
  team = await insertTeamDirectly(db);
  const agentLine = await insertAccountDirectly(db, team.workspace, team.agent.id);
  const teamLine = await insertAccountDirectly(db, team.workspace, team.teammate.id);
  const at = new Date(Date.now() - 60_000);
  agentChat = (await insertChatDirectly(db, team.workspace, agentLine, { name: "Eve Evans", customerWroteAt: at })).id;
  // On the teammate's line and assigned to the collaborator: the agent may not see it.
  hiddenChat = (await insertChatDirectly(db, team.workspace, teamLine, { name: "Finn Ford", responsibleId: team.collaborator.id, customerWroteAt: at })).id;
  await insertMessage(agentChat, team.workspace.id, "Where is parcel 7781?", at);
  await insertMessage(hiddenChat, team.workspace.id, "Where is parcel 7782?", at);
  // Another workspace with the same words: never in this workspace's results.
  const other = await insertTeamDirectly(db);
  const otherLine = await insertAccountDirectly(db, other.workspace, other.agent.id);
  otherWorkspaceChat = (await insertChatDirectly(db, other.workspace, otherLine, { name: "Eve Evans", customerWroteAt: at })).id;
  await insertMessage(otherWorkspaceChat, other.workspace.id, "Where is parcel 7783?", at);
});
afterAll(() => server.close());

const idsOf = (reply: { body: { data: { id: string }[] } }) => reply.body.data.map((chat) => chat.id).sort();

describe("GET /chats?q= through the search indexes", () => {
  it("a hit in the message text of a chat the member can't see is not returned; the Owner gets it", async () => {
    const agent = await server.api("GET", "/chats?q=parcel%207782", { token: team.agent.token });
    expect(agent.status).toBe(200);
    expect(agent.body.data).toEqual([]);
    const owner = await server.api("GET", "/chats?q=parcel%207782", { token: team.owner.token });
    expect(idsOf(owner)).toEqual([hiddenChat]);
  });

  it("a word in both chats' messages: the agent gets only theirs, the Owner both, another workspace's never", async () => {
    expect(idsOf(await server.api("GET", "/chats?q=PARCEL", { token: team.agent.token }))).toEqual([agentChat]);
    expect(idsOf(await server.api("GET", "/chats?q=PARCEL", { token: team.owner.token }))).toEqual([agentChat, hiddenChat].sort());
    expect(idsOf(await server.api("GET", "/chats?q=Eve%20Ev", { token: team.owner.token }))).toEqual([agentChat]);
  });

  it("pages a search with the cursor, newest activity first, each chat once even when several messages match", async () => {
    await insertMessage(agentChat, team.workspace.id, "parcel again", new Date());
    const first = await server.api("GET", "/chats?q=parcel&limit=1", { token: team.owner.token });
    expect(first.body.data).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await server.api("GET", `/chats?q=parcel&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: team.owner.token });
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([first.body.data[0].id, second.body.data[0].id].sort()).toEqual([agentChat, hiddenChat].sort());
  });

  it("1–2 characters still search names and numbers (row by row), within the scope", async () => {
    expect(idsOf(await server.api("GET", "/chats?q=Fi", { token: team.agent.token }))).toEqual([]);
    expect(idsOf(await server.api("GET", "/chats?q=Fi", { token: team.owner.token }))).toEqual([hiddenChat]);
  });

  it("1–2 characters don't search message text; 3 do", async () => {
    // "is" is in both chats' messages ("Where is parcel …") and in neither name.
    expect(idsOf(await server.api("GET", "/chats?q=is", { token: team.owner.token }))).toEqual([]);
    expect(idsOf(await server.api("GET", "/chats?q=is%20p", { token: team.owner.token }))).toEqual([agentChat, hiddenChat].sort());
  });
});
