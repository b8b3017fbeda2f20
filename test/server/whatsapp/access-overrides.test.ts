import { insertMemberDirectly, insertRoleDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// Per-number access over HTTP: an Admin sets a Teammate's (or a role's) access to one line; the
// Teammate's chats, replies, new chats and explain follow, and the invariants refuse the rest.
let server: TestServer;
let team: Team;
let support: string;
let sales: string;
beforeAll(async () => {
  server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  const connect = async (phoneNumber: string, displayName: string) =>
    (await server.api("POST", "/whatsapp-accounts", { token: team.owner.token, body: { provider: "sandbox", phoneNumber, displayName } })).body.account
      .id as string;
  support = await connect("+442079460000", "Support");
  sales = await connect("+442079460001", "Sales");
});
afterAll(() => server.close());

const setAccess = (token: string, accountId: string, subjectType: "member" | "role", subjectId: string, access: string | null) =>
  server.api("PUT", `/whatsapp-accounts/${accountId}/access`, { token, body: { subjectType, subjectId, access } });
async function chatOn(accountId: string, from: string) {
  const inbound = await server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token: team.owner.token, body: { from, text: "Hello?" } });
  return inbound.body.chatId as string;
}
const reply = (token: string, chatId: string) => server.api("POST", `/chats/${chatId}/messages`, { token, body: { text: "On it" } });
const readOnlySentence =
  "An override for you gives you read-only access to the WhatsApp account Support (+442079460000), so you may not reply in chats there (chats.reply).";

describe("per-number access overrides", () => {
  it("read-only on Support: the Teammate sees its chats, replying there is a 403 naming the override (explain agrees), Sales still sends", async () => {
    const supportChat = await chatOn(support, "+15550400001");
    const salesChat = await chatOn(sales, "+15550400002");
    const set = await setAccess(team.admin.token, support, "member", team.teammate.id, "read");
    expect(set.status).toBe(200);
    expect(set.body.override).toMatchObject({ accountId: support, subject: { type: "member", id: team.teammate.id }, access: "read", setBy: team.admin.id });
    const shown = await server.api("GET", `/chats/${supportChat}`, { token: team.teammate.token });
    expect(shown.status).toBe(200);
    expect(shown.body.chat?.abilities ?? shown.body.abilities).toMatchObject({ reply: false, assign: false });
    const refused = await reply(team.teammate.token, supportChat);
    expect(refused.body).toMatchObject({ code: "permission_denied", permission: "chats.reply", detail: readOnlySentence });
    expect(refused.status).toBe(403);
    const explained = await server.api("GET", `/me/explain?permission=chats.reply&recordType=chat&recordId=${supportChat}`, { token: team.teammate.token });
    expect(explained.body).toEqual({ allowed: false, permission: "chats.reply", sentence: readOnlySentence });
    expect((await reply(team.teammate.token, salesChat)).status).toBe(201);
    const started = await server.api("POST", "/chats", { token: team.teammate.token, body: { accountId: support, phone: "+15550400003", text: "Hi" } });
    expect([started.status, started.body.permission]).toEqual([403, "chats.start"]);
    const listed = await server.api("GET", "/whatsapp-accounts", { token: team.teammate.token });
    const supportListed = listed.body.data.find((account: { id: string }) => account.id === support);
    expect(supportListed).toMatchObject({ canStartChats: false, canRunCampaigns: false });
    // Removing the override gives the role's access back, logged both times.
    expect((await setAccess(team.admin.token, support, "member", team.teammate.id, null)).body).toEqual({ override: null });
    expect((await reply(team.teammate.token, supportChat)).status).toBe(201);
    const log = await server.api("GET", "/audit-log?action=whatsapp_account.access", { token: team.owner.token });
    expect(log.body.data.map((entry: { details: { before: string | null; after: string | null } }) => [entry.details.before, entry.details.after])).toEqual([
      ["read", null],
      [null, "read"],
    ]);
  });

  it("none for the Agent role hides Support's chats (404) and the line; a member's own full override beats the role's none", async () => {
    const chatId = await chatOn(support, "+15550400011");
    await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.owner.token, body: { memberId: team.agent.id } });
    expect((await setAccess(team.admin.token, support, "role", "agent", "none")).status).toBe(200);
    expect((await server.api("GET", `/chats/${chatId}`, { token: team.agent.token })).status).toBe(404);
    const list = await server.api("GET", "/chats", { token: team.agent.token });
    expect(list.body.data.map((chat: { id: string }) => chat.id)).not.toContain(chatId);
    const accounts = await server.api("GET", "/whatsapp-accounts", { token: team.agent.token });
    expect(accounts.body.data.map((account: { id: string }) => account.id)).not.toContain(support);
    expect((await setAccess(team.admin.token, support, "member", team.agent.id, "full")).status).toBe(200);
    expect((await server.api("GET", `/chats/${chatId}`, { token: team.agent.token })).status).toBe(200);
    expect((await reply(team.agent.token, chatId)).status).toBe(201);
    const overrides = await server.api("GET", `/whatsapp-accounts/${support}/access`, { token: team.admin.token });
    expect(overrides.body.data.map((row: { subject: { type: string }; access: string }) => [row.subject.type, row.access])).toEqual([
      ["member", "full"],
      ["role", "none"],
    ]);
    const ofRole = await server.api("GET", "/roles/agent/access", { token: team.admin.token });
    expect(ofRole.body.data).toEqual([expect.objectContaining({ accountId: support, access: "none" })]);
  });

  it("a removed member's and a deleted role's overrides go with them", async () => {
    const custom = await insertRoleDirectly(server.database.db, team.workspace, { "chats.view": "own" });
    expect((await setAccess(team.admin.token, support, "role", custom.id, "read")).status).toBe(200);
    expect((await setAccess(team.admin.token, support, "member", team.agent.id, "none")).status).toBe(200);
    expect((await server.api("DELETE", `/members/${team.agent.id}`, { token: team.owner.token })).status).toBe(204);
    expect((await server.api("DELETE", `/roles/${custom.id}`, { token: team.owner.token })).status).toBe(204);
    expect((await server.api("GET", `/whatsapp-accounts/${support}/access`, { token: team.admin.token })).body.data).toEqual([]);
  });

  it("refuses what no manager may do, changing nothing", async () => {
    const custom = await insertRoleDirectly(server.database.db, team.workspace, { "chats.view": "own" });
    const cases: [string, Promise<{ status: number; body: { code?: string; permission?: string } }>, number, string | undefined][] = [
      ["the Owner", setAccess(team.admin.token, support, "member", team.owner.id, "none"), 409, undefined],
      ["the owner role", setAccess(team.owner.token, support, "role", "owner", "read"), 409, undefined],
      ["oneself", setAccess(team.admin.token, support, "member", team.admin.id, "read"), 409, undefined],
      ["an Admin by an Admin", setAccess(team.admin.token, support, "role", "admin", "read"), 409, undefined],
      ["without team.manage", setAccess(team.teammate.token, support, "member", team.agent.id, "full"), 403, "team.manage"],
      ["a subject of another workspace", setAccess(team.admin.token, support, "role", "nope", "read"), 404, undefined],
      ["bad input", setAccess(team.admin.token, support, "member", team.agent.id, "write"), 400, undefined],
    ];
    for (const [what, answer, status, permission] of cases) {
      const response = await answer;
      expect([what, response.status], JSON.stringify(response.body)).toEqual([what, status]);
      if (permission) expect(response.body.permission).toBe(permission);
    }
    // A manager holding read on Support grants no more there than read.
    const manager = await insertRoleDirectly(server.database.db, team.workspace, { "chats.view": "all", "chats.reply": "all", "team.manage": true });
    const { token } = await insertMemberDirectly(server.database.db, team.workspace, { roleId: manager.id });
    expect((await setAccess(team.owner.token, support, "role", manager.id, "read")).status).toBe(200);
    const beyond = await setAccess(token, support, "role", custom.id, "full");
    expect([beyond.status, beyond.body.permission]).toEqual([403, "chats.start"]);
    expect((await setAccess(token, support, "role", custom.id, "read")).status).toBe(200);
    const overrides = await server.api("GET", `/whatsapp-accounts/${support}/access`, { token: team.owner.token });
    expect(overrides.body.data.map((row: { subject: { id: string }; access: string }) => [row.subject.id, row.access]).sort()).toEqual(
      [
        [custom.id, "read"],
        [manager.id, "read"],
      ].sort(),
    );
  });
});
