import { insertMemberDirectly } from "../../support/factories";
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

const viewer = { "chats.view": "all" as const };

describe("custom roles", () => {
  it("lists the five built-ins first, read-only", async () => {
    const roles = await server.api("GET", "/roles", { token: team.agent.token });
    expect(roles.body.data.map((role: { id: string; builtin: boolean }) => [role.id, role.builtin])).toEqual([
      ["owner", true],
      ["admin", true],
      ["teammate", true],
      ["agent", true],
      ["collaborator", true],
    ]);
    expect(roles.body.data.every((role: { abilities: object }) => JSON.stringify(role.abilities) === '{"edit":false,"delete":false}')).toBe(true);
    expect((await server.api("PATCH", "/roles/agent", { token: team.admin.token, body: { name: "Rep" } })).status).toBe(409);
    expect((await server.api("DELETE", "/roles/agent", { token: team.admin.token })).status).toBe(409);
  });

  it("creates a Viewer; missing permissions mean none/false; members holding it get exactly that", async () => {
    const created = await server.api("POST", "/roles", { token: team.admin.token, body: { name: "Viewer", permissions: viewer } });
    expect(created.status).toBe(201);
    expect(created.body.role.permissions).toMatchObject({ "chats.view": "all", "chats.reply": "none", "team.manage": false });
    const listed = await server.api("GET", "/roles", { token: team.admin.token });
    expect(listed.body.data.at(-1)).toMatchObject({ id: created.body.role.id, builtin: false, abilities: { edit: true, delete: true } });
    const member = await insertMemberDirectly(server.database.db, team.workspace, { roleId: created.body.role.id });
    const me = await server.api("GET", "/me", { token: member.token });
    expect(me.body.permissions).toEqual(created.body.role.permissions);
    expect(me.body.role).toEqual({ id: created.body.role.id, name: "Viewer" });
  });

  it("validates on save: unknown permissions, bad values and owner-only permissions are a 400", async () => {
    const unknown = await server.api("POST", "/roles", { token: team.admin.token, body: { name: "X", permissions: { "chats.fly": "all" } } });
    expect(unknown.status).toBe(400);
    const badValue = await server.api("POST", "/roles", { token: team.admin.token, body: { name: "X", permissions: { "chats.start": "assigned" } } });
    expect(badValue.body.errors[0].path).toBe("body.permissions.chats.start");
    const ownerOnly = await server.api("POST", "/roles", { token: team.owner.token, body: { name: "X", permissions: { "billing.manage": true } } });
    expect(ownerOnly.status).toBe(400);
    expect(ownerOnly.body.errors[0].message).toMatch(/Owner alone/);
    expect((await server.api("POST", "/roles", { token: team.admin.token, body: { name: "admin", permissions: {} } })).status).toBe(409);
  });

  it("edits a role; the change reaches its holders on their next request", async () => {
    const created = await server.api("POST", "/roles", { token: team.admin.token, body: { name: "Manager", permissions: viewer } });
    const member = await insertMemberDirectly(server.database.db, team.workspace, { roleId: created.body.role.id });
    expect((await server.api("GET", "/audit-log", { token: member.token })).status).toBe(403);
    const edited = await server.api("PATCH", `/roles/${created.body.role.id}`, {
      token: team.admin.token,
      body: { permissions: { ...viewer, "audit.view": true } },
    });
    expect(edited.status).toBe(200);
    expect((await server.api("GET", "/audit-log", { token: member.token })).status).toBe(200);
  });

  it("a role in use cannot be deleted (409); an unused one can", async () => {
    const created = await server.api("POST", "/roles", { token: team.admin.token, body: { name: "Temp", permissions: viewer } });
    const member = await insertMemberDirectly(server.database.db, team.workspace, { roleId: created.body.role.id });
    expect((await server.api("DELETE", `/roles/${created.body.role.id}`, { token: team.admin.token })).status).toBe(409);
    await server.api("PATCH", `/members/${member.id}`, { token: team.admin.token, body: { roleId: "agent" } });
    expect((await server.api("DELETE", `/roles/${created.body.role.id}`, { token: team.admin.token })).status).toBe(204);
    expect((await server.api("DELETE", `/roles/${created.body.role.id}`, { token: team.admin.token })).status).toBe(404);
  });

  it("only roles.manage may create, edit or delete roles", async () => {
    const denied = await server.api("POST", "/roles", { token: team.teammate.token, body: { name: "Nope", permissions: viewer } });
    expect(denied.body).toMatchObject({ status: 403, permission: "roles.manage" });
  });
});
