import { and, eq } from "drizzle-orm";
import { chats, messages } from "../../../server/db/schema";
import { resolvePrincipal } from "../../../server/identity/tokens";
import { newId } from "../../../server/ids";
import { presentChat, presentMessage } from "../../../server/inbox/presenters";
import { type ChatRow, chatsWithAccount } from "../../../server/inbox/queries";
import { chatListWhere } from "../../../server/inbox/routes";
import { insertAccountDirectly, insertChatDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// contacts.view_numbers at the presenter and the SQL level: a chat and a message presented for a
// member without it carry the masked number (the outbox's copy keeps it, for webhooks to mask per
// webhook); the chat search matches their query on the whole number only.
let server: TestServer;
let team: Team;
let chatId: string;
const number = "+4915173918264";

beforeAll(async () => {
  server = await startTestServer();
  const db = server.database.db;
  team = await insertTeamDirectly(db);
  const line = await insertAccountDirectly(db, team.workspace, team.agent.id);
  chatId = (await insertChatDirectly(db, team.workspace, line, { phone: number, name: "Carla", customerWroteAt: new Date() })).id;
});
afterAll(() => server.close());

/** The Agent as the server reads them, with the workspace's agentsSeeNumbers applied. */
async function agentSeeing(numbers: boolean) {
  const changed = await server.api("PATCH", "/workspace", { token: team.owner.token, body: { agentsSeeNumbers: numbers } });
  expect(changed.status).toBe(200);
  const principal = await resolvePrincipal(server.database.db, team.agent.token);
  if (!principal) throw new Error("no principal");
  return principal;
}

describe("the chat search for a member without contacts.view_numbers", () => {
  it.each([
    ["the whole number", number, true, true],
    ["the whole number as typed", "+49 151 7391 8264", true, true],
    ["five digits of it (trigram path)", "73918", true, false],
    ["its last four digits", "8264", true, false],
    ["its last two digits (row-by-row path)", "64", true, false],
    ["the contact's name", "Carla", true, true],
  ])("%s: %s matches with the permission: %s, without: %s", async (_name, query, withPermission, without) => {
    for (const [seesNumbers, expected] of [
      [true, withPermission],
      [false, without],
    ] as const) {
      const actor = await agentSeeing(seesNumbers);
      const rows = await chatsWithAccount(server.database.db).where(
        and(eq(chats.workspaceId, team.workspace.id), chatListWhere(actor, { q: query, limit: 50 })),
      );
      expect(rows.map((row) => row.id)).toEqual(expected ? [chatId] : []);
    }
  });
});

describe("presenting a chat and a message", () => {
  it("masks the contact's number and a shared card's numbers for the member; the outbox's copy keeps them", async () => {
    const [row] = (await chatsWithAccount(server.database.db).where(and(eq(chats.workspaceId, team.workspace.id), eq(chats.id, chatId)))) as ChatRow[];
    if (!row) throw new Error("no chat");
    const [card] = await server.database.db
      .insert(messages)
      .values({
        workspaceId: team.workspace.id,
        id: newId("msg"),
        chatId,
        direction: "in",
        text: "[contact] Dora",
        status: "received",
        rich: { contacts: [{ name: "Dora", phones: ["+4917687345129"] }] },
      })
      .returning();
    if (!card) throw new Error("no message");
    const masked = await agentSeeing(false);
    expect(presentChat(row, masked).contact).toEqual({ id: row.contactId, phone: "+49 ••• ••• 64", name: "Carla" });
    expect(presentMessage(card, {}, masked).contacts).toEqual([{ name: "Dora", phones: ["+49 ••• ••• 29"] }]);
    expect(presentChat(row, "outbox").contact.phone).toBe(number);
    expect(presentMessage(card, {}, "outbox").contacts).toEqual([{ name: "Dora", phones: ["+4917687345129"] }]);
    const seeing = await agentSeeing(true);
    expect(presentChat(row, seeing).contact.phone).toBe(number);
    // A chat that just left the member's view: masked as well, without abilities.
    const gone = presentChat(row, masked, { abilities: false });
    expect(gone.contact.phone).toBe("+49 ••• ••• 64");
    expect("abilities" in gone).toBe(false);
  });
});
