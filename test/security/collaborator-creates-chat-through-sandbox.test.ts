import { and, eq } from "drizzle-orm";
import { chats } from "../../server/db/schema";
import { startTestServer, type TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";

// A Collaborator (chats.view: assigned, chats.start: none) sees an account through the one chat
// assigned to them, and "simulates" a new customer on it: a chat they could never start. The
// sandbox inbound tool creates chats, so it takes chats.start on the account, like POST /chats.

let server: TestServer;
let team: Team;
let ownerLine: string;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.owner.token,
    body: { provider: "sandbox", phoneNumber: "+15550108000", displayName: "Owner line" },
  });
  ownerLine = connected.body.account.id;
  const inbound = await simulate(team.owner.token, "+15552100001");
  expect(inbound.status).toBe(201);
  const assigned = await server.api("PUT", `/chats/${inbound.body.chatId}/responsible`, {
    token: team.owner.token,
    body: { memberId: team.collaborator.id },
  });
  expect(assigned.status).toBe(200);
});
afterAll(() => server.close());

const simulate = (token: string, from: string) =>
  server.api("POST", `/whatsapp-accounts/${ownerLine}/sandbox/inbound`, { token, body: { from, text: "Hello", name: "Someone new" } });

const chatCount = async () =>
  (
    await server.database.db
      .select()
      .from(chats)
      .where(and(eq(chats.workspaceId, team.workspace.id), eq(chats.accountId, ownerLine)))
  ).length;

describe("a Collaborator creates a chat outside their scope through the sandbox inbound tool", () => {
  it("is refused with chats.start, and no chat is created", async () => {
    const refused = await simulate(team.collaborator.token, "+15552100002");
    expect(refused.status).toBe(403);
    expect(refused.body.permission).toBe("chats.start");
    expect(await chatCount()).toBe(1);
  });

  it("an Agent (chats.start: own) who sees the account through an assigned chat is refused on it: someone else connected it", async () => {
    const inbound = await simulate(team.owner.token, "+15552100003");
    await server.api("PUT", `/chats/${inbound.body.chatId}/responsible`, { token: team.owner.token, body: { memberId: team.agent.id } });
    const refused = await simulate(team.agent.token, "+15552100005");
    expect(refused.status).toBe(403);
    expect(refused.body.permission).toBe("chats.start");
    expect(await chatCount()).toBe(2);
  });

  it("the Owner (chats.start: all) still simulates customers", async () => {
    expect((await simulate(team.owner.token, "+15552100004")).status).toBe(201);
    expect(await chatCount()).toBe(2);
  });
});
