import { type BuiltMember, insertAccountDirectly, insertChatDirectly, insertMemberDirectly, insertRoleDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// One workspace, two accounts, four chats; who sees what is the whole point of the product.
//   agentLine (connected by the agent):  unassignedOnAgentLine
//   teamLine (connected by the teammate): agentResponsible, collaboratorResponsible, exporterResponsible (a custom role)
let server: TestServer;
let team: Team;
let chatIds: Record<"unassignedOnAgentLine" | "agentResponsible" | "collaboratorResponsible" | "exporterResponsible", string>;
let viewer: BuiltMember;
let assignedExporter: BuiltMember;

beforeAll(async () => {
  server = await startTestServer();
  const db = server.database.db;
  team = await insertTeamDirectly(db);
  const agentLine = await insertAccountDirectly(db, team.workspace, team.agent.id);
  const teamLine = await insertAccountDirectly(db, team.workspace, team.teammate.id);
  // Each customer has written, so replies are free text inside the 24-hour window.
  const customerWroteAt = new Date();
  chatIds = {
    unassignedOnAgentLine: (await insertChatDirectly(db, team.workspace, agentLine, { name: "Ana Alvarez", customerWroteAt })).id,
    agentResponsible: (await insertChatDirectly(db, team.workspace, teamLine, { responsibleId: team.agent.id, name: "Bob Brown", customerWroteAt })).id,
    collaboratorResponsible: (await insertChatDirectly(db, team.workspace, teamLine, { responsibleId: team.collaborator.id, name: "Cy Chen", customerWroteAt }))
      .id,
    exporterResponsible: (await insertChatDirectly(db, team.workspace, teamLine, { name: "Di Diaz", phone: "+15557770000", customerWroteAt })).id,
  };
  const viewerRole = await insertRoleDirectly(db, team.workspace, { "chats.view": "all" }, "Viewer");
  viewer = await insertMemberDirectly(db, team.workspace, { roleId: viewerRole.id });
  const exporterRole = await insertRoleDirectly(db, team.workspace, { "chats.view": "assigned", "data.export": true }, "Assigned exporter");
  assignedExporter = await insertMemberDirectly(db, team.workspace, { roleId: exporterRole.id });
  await server.api("PUT", `/chats/${chatIds.exporterResponsible}/responsible`, { token: team.owner.token, body: { memberId: assignedExporter.id } });
});
afterAll(() => server.close());

const all = ["unassignedOnAgentLine", "agentResponsible", "collaboratorResponsible", "exporterResponsible"] as const;
const visibility = {
  owner: all,
  admin: all,
  teammate: all,
  agent: ["unassignedOnAgentLine", "agentResponsible"],
  collaborator: ["collaboratorResponsible"],
} as const;

const tokenOf = (who: keyof typeof visibility | "viewer") => (who === "viewer" ? viewer.token : team[who].token);

describe.each(Object.entries(visibility) as [keyof typeof visibility, readonly (typeof all)[number][]][])("%s", (role, visible) => {
  it("lists exactly the chats the role may see", async () => {
    const list = await server.api("GET", "/chats?limit=200", { token: tokenOf(role) });
    expect(list.body.data.map((chat: { id: string }) => chat.id).sort()).toEqual(visible.map((name) => chatIds[name]).sort());
  });

  // Filtered after the query, a page of one would often come back empty (the row the LIMIT picked
  // was not theirs) and the pages would end early; filtered in SQL, every page holds one visible chat.
  it("filters in SQL, before the limit: one visible chat on each page of one, the last page without a cursor", async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; nextCursor: string | null } } = await server.api(
        "GET",
        `/chats?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: tokenOf(role) },
      );
      pages.push(page.body.data.map((chat) => chat.id));
      cursor = page.body.nextCursor;
    } while (cursor && pages.length <= all.length);
    expect(pages).toEqual(expect.arrayContaining(visible.map((name) => [chatIds[name]])));
    expect(pages).toHaveLength(visible.length);
  });

  it.each(all)("GET /chats/%s and its messages: 200 when visible, 404 otherwise", async (name) => {
    const expected = (visible as readonly string[]).includes(name) ? 200 : 404;
    expect((await server.api("GET", `/chats/${chatIds[name]}`, { token: tokenOf(role) })).status).toBe(expected);
    expect((await server.api("GET", `/chats/${chatIds[name]}/messages`, { token: tokenOf(role) })).status).toBe(expected);
  });

  it("may reply exactly where it may see (reply follows view for built-ins)", async () => {
    for (const name of all) {
      const reply = await server.api("POST", `/chats/${chatIds[name]}/messages`, { token: tokenOf(role), body: { text: `hello from ${role}` } });
      expect(reply.status, `${role} → ${name}`).toBe((visible as readonly string[]).includes(name) ? 201 : 404);
    }
  });
});

describe("custom roles", () => {
  it("a Viewer (chats.view all, nothing else) sees every chat, may not reply (403 naming chats.reply) and its abilities say so", async () => {
    const list = await server.api("GET", "/chats", { token: viewer.token });
    expect(list.body.data).toHaveLength(4);
    expect(list.body.data[0].abilities).toEqual({ reply: false, assign: false, delete: false, askToTakeOver: false });
    const reply = await server.api("POST", `/chats/${chatIds.agentResponsible}/messages`, { token: viewer.token, body: { text: "hi" } });
    expect(reply.body).toMatchObject({ status: 403, permission: "chats.reply" });
  });

  it("exports only the chats the exporter may see", async () => {
    const csv = await server.api("GET", "/exports/chats", { token: assignedExporter.token });
    expect(csv.status).toBe(200);
    const rows = csv.text.trim().split("\n");
    expect(rows[0]).toBe("id,accountId,contactPhone,contactName,responsibleId,lastMessageAt,lastMessagePreview");
    expect(rows.slice(1).map((row) => row.split(",")[0])).toEqual([chatIds.exporterResponsible]);
  });
});

describe("filters and search stay inside the scope", () => {
  it("searches contact names, phones and message text, only among visible chats", async () => {
    const byName = await server.api("GET", "/chats?q=bob", { token: team.agent.token });
    expect(byName.body.data.map((chat: { id: string }) => chat.id)).toEqual([chatIds.agentResponsible]);
    const hidden = await server.api("GET", "/chats?q=cy", { token: team.agent.token });
    expect(hidden.body.data).toEqual([]);
    const byPhone = await server.api("GET", "/chats?q=555777", { token: team.owner.token });
    expect(byPhone.body.data.map((chat: { id: string }) => chat.id)).toEqual([chatIds.exporterResponsible]);
    const byText = await server.api("GET", "/chats?q=hello%20from%20collaborator", { token: team.owner.token });
    expect(byText.body.data.map((chat: { id: string }) => chat.id)).toEqual([chatIds.collaboratorResponsible]);
    const literalPercent = await server.api("GET", "/chats?q=%25", { token: team.owner.token });
    expect(literalPercent.body.data).toEqual([]);
  });

  it("filters by account, responsible and unassigned", async () => {
    const unassigned = await server.api("GET", "/chats?unassigned=true", { token: team.owner.token });
    expect(unassigned.body.data.map((chat: { id: string }) => chat.id)).toEqual([chatIds.unassignedOnAgentLine]);
    const mine = await server.api("GET", `/chats?responsibleId=${team.agent.id}`, { token: team.agent.token });
    expect(mine.body.data.map((chat: { id: string }) => chat.id)).toEqual([chatIds.agentResponsible]);
  });

  it("pages newest activity first with a cursor", async () => {
    const first = await server.api("GET", "/chats?limit=3", { token: team.owner.token });
    const second = await server.api("GET", `/chats?limit=3&cursor=${first.body.nextCursor}`, { token: team.owner.token });
    const ids = [...first.body.data, ...second.body.data].map((chat: { id: string }) => chat.id);
    expect(new Set(ids).size).toBe(4);
    const times = [...first.body.data, ...second.body.data].map((chat: { lastMessageAt: string }) => chat.lastMessageAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(second.body.nextCursor).toBeNull();
  });
});

describe("accounts", () => {
  it("an Agent sees their own account and the accounts of chats they may see; may start chats only from their own", async () => {
    const accounts = await server.api("GET", "/whatsapp-accounts", { token: team.agent.token });
    expect(accounts.body.data.map((account: { connectedBy: string; canStartChats: boolean }) => [account.connectedBy, account.canStartChats])).toEqual([
      [team.agent.id, true],
      [team.teammate.id, false],
    ]);
    const teamLine = accounts.body.data[1].id;
    const start = await server.api("POST", "/chats", { token: team.agent.token, body: { accountId: teamLine, phone: "+15550009999", text: "hi" } });
    expect(start.body).toMatchObject({ status: 403, permission: "chats.start" });
  });

  it("a Collaborator sees only the account of their chat and can start nothing", async () => {
    const accounts = await server.api("GET", "/whatsapp-accounts", { token: team.collaborator.token });
    expect(accounts.body.data.map((account: { connectedBy: string }) => account.connectedBy)).toEqual([team.teammate.id]);
    expect(accounts.body.data[0]).toMatchObject({ canStartChats: false, canRunCampaigns: false });
  });
});
