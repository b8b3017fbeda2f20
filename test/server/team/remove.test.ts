import { and, eq } from "drizzle-orm";
import { auditLog, chats } from "../../../server/db/schema";
import { insertAccountDirectly, insertChatDirectly, testPassword } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(() => server.close());

describe("DELETE /members/{id}", () => {
  it("removes a member: their token answers 401 at once, they leave GET /members, the log says member.remove", async () => {
    expect((await server.api("GET", "/me", { token: team.agent.token })).status).toBe(200);
    const removed = await server.api("DELETE", `/members/${team.agent.id}`, { token: team.owner.token });
    expect(removed.status).toBe(204);
    expect((await server.api("GET", "/me", { token: team.agent.token })).status).toBe(401);
    const list = await server.api("GET", "/members", { token: team.owner.token });
    expect(list.body.data.map((member: { id: string }) => member.id)).not.toContain(team.agent.id);
    const login = await server.api("POST", "/sessions", { body: { email: team.agent.email, password: testPassword, workspaceId: team.workspace.id } });
    expect(login.status).toBe(401);
    const entries = await server.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.action, "member.remove")));
    expect(entries).toEqual([expect.objectContaining({ actorId: team.owner.id, targetId: team.agent.id })]);
    expect((await server.api("DELETE", `/members/${team.agent.id}`, { token: team.owner.token })).status).toBe(404);
  });

  it("follows the rank rules: the Owner stays (409), an Admin only by the Owner (409), nobody themselves (409), team.manage (403)", async () => {
    const owner = await server.api("DELETE", `/members/${team.owner.id}`, { token: team.admin.token });
    expect(owner.status).toBe(409);
    expect(owner.headers.get("content-type")).toContain("application/problem+json");
    expect((await server.api("DELETE", `/members/${team.owner.id}`, { token: team.owner.token })).status).toBe(409);
    const self = await server.api("DELETE", `/members/${team.admin.id}`, { token: team.admin.token });
    expect(self.status).toBe(409);
    const denied = await server.api("DELETE", `/members/${team.agent.id}`, { token: team.teammate.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: "permission_denied", permission: "team.manage" });
    expect((await server.api("DELETE", `/members/${team.agent.id}`, { token: team.admin.token })).status).toBe(204);
    expect((await server.api("DELETE", `/members/${team.admin.id}`, { token: team.owner.token })).status).toBe(204);
    expect((await server.api("GET", "/me", { token: team.admin.token })).status).toBe(401);
  });

  it("answers 404 for a member of another workspace, and for an unknown id", async () => {
    const other = await insertTeamDirectly(server.database.db);
    const cross = await server.api("DELETE", `/members/${other.agent.id}`, { token: team.owner.token });
    expect(cross.status).toBe(404);
    expect(cross.headers.get("content-type")).toContain("application/problem+json");
    expect((await server.api("GET", "/me", { token: other.agent.token })).status).toBe(200);
    expect((await server.api("DELETE", "/members/mem_unknown", { token: team.owner.token })).status).toBe(404);
  });

  it("leaves the chats they were responsible for unassigned, with a chat.unassign entry each", async () => {
    const account = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const first = await insertChatDirectly(server.database.db, team.workspace, account, { responsibleId: team.agent.id });
    const second = await insertChatDirectly(server.database.db, team.workspace, account, { responsibleId: team.agent.id });
    const others = await insertChatDirectly(server.database.db, team.workspace, account, { responsibleId: team.teammate.id });
    expect((await server.api("DELETE", `/members/${team.agent.id}`, { token: team.owner.token })).status).toBe(204);
    const rows = await server.database.db
      .select({ id: chats.id, responsibleId: chats.responsibleId })
      .from(chats)
      .where(eq(chats.workspaceId, team.workspace.id));
    const responsible = Object.fromEntries(rows.map((row) => [row.id, row.responsibleId]));
    expect(responsible).toEqual({ [first.id]: null, [second.id]: null, [others.id]: team.teammate.id });
    const unassigns = await server.database.db
      .select({ targetId: auditLog.targetId })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.action, "chat.unassign")));
    expect(unassigns.map((entry) => entry.targetId).sort()).toEqual([first.id, second.id].sort());
    // The WhatsApp account the Agent connected stays with the workspace.
    const accounts = await server.api("GET", "/whatsapp-accounts", { token: team.owner.token });
    expect(accounts.body.data.map((row: { id: string }) => row.id)).toContain(account.id);
  });

  it("can invite the removed person again by e-mail; they come back with the new role", async () => {
    expect((await server.api("DELETE", `/members/${team.agent.id}`, { token: team.owner.token })).status).toBe(204);
    const invite = await server.api("POST", "/invitations", { token: team.owner.token, body: { email: team.agent.email, roleId: "teammate" } });
    expect(invite.status).toBe(201);
    const accepted = await server.api("POST", `/invitations/${invite.body.acceptToken}/accept`, { body: { name: "Back again", password: testPassword } });
    expect(accepted.status).toBe(201);
    expect(accepted.body.member).toMatchObject({ email: team.agent.email, roleId: "teammate", status: "active" });
    expect((await server.api("GET", "/me", { token: accepted.body.token })).body.member.roleId).toBe("teammate");
    const list = await server.api("GET", "/members", { token: team.owner.token });
    expect(list.body.data.filter((member: { email: string }) => member.email === team.agent.email)).toHaveLength(1);
  });
});
