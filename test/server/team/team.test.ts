import { eq } from "drizzle-orm";
import { invitations } from "../../../server/db/schema";
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

describe("members", () => {
  it("lists every member; emails only for team.manage", async () => {
    const asAdmin = await server.api("GET", "/members", { token: team.admin.token });
    expect(asAdmin.body.data.map((member: { roleId: string }) => member.roleId)).toEqual(["owner", "admin", "teammate", "agent", "collaborator"]);
    expect(asAdmin.body.data[0].email).toBe(team.owner.email);
    const asAgent = await server.api("GET", "/members", { token: team.agent.token });
    expect(asAgent.body.data[0]).toEqual({
      id: team.owner.id,
      name: "The owner",
      roleId: "owner",
      status: "active",
      abilities: { changeRole: false, suspend: false, activate: false, remove: false, transferOwnership: false },
    });
    const abilitiesFor = (id: string) => asAdmin.body.data.find((member: { id: string }) => member.id === id).abilities;
    expect(abilitiesFor(team.owner.id)).toEqual({ changeRole: false, suspend: false, activate: false, remove: false, transferOwnership: false });
    expect(abilitiesFor(team.admin.id)).toEqual({ changeRole: true, suspend: false, activate: false, remove: false, transferOwnership: false });
    expect(abilitiesFor(team.agent.id)).toEqual({ changeRole: true, suspend: true, activate: false, remove: true, transferOwnership: false });
    const asOwner = await server.api("GET", "/members", { token: team.owner.token });
    expect(asOwner.body.data[1].abilities.transferOwnership).toBe(true);
  });

  it("pages with limit and cursor", async () => {
    const first = await server.api("GET", "/members?limit=2", { token: team.owner.token });
    const second = await server.api("GET", `/members?limit=2&cursor=${first.body.nextCursor}`, { token: team.owner.token });
    const third = await server.api("GET", `/members?limit=2&cursor=${second.body.nextCursor}`, { token: team.owner.token });
    expect([...first.body.data, ...second.body.data, ...third.body.data].map((m: { id: string }) => m.id)).toEqual(
      [team.owner, team.admin, team.teammate, team.agent, team.collaborator].map((m) => m.id),
    );
    expect(third.body.nextCursor).toBeNull();
    expect((await server.api("GET", "/members?cursor=nonsense", { token: team.owner.token })).status).toBe(400);
  });

  it("changes a role; a Teammate may not (403 naming team.manage)", async () => {
    const changed = await server.api("PATCH", `/members/${team.agent.id}`, { token: team.admin.token, body: { roleId: "teammate" } });
    expect(changed.body.member).toMatchObject({ id: team.agent.id, roleId: "teammate" });
    const denied = await server.api("PATCH", `/members/${team.agent.id}`, { token: team.teammate.token, body: { roleId: "admin" } });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: "permission_denied", permission: "team.manage" });
    expect((await server.api("PATCH", `/members/${team.agent.id}`, { token: team.admin.token, body: { roleId: "no-such-role" } })).status).toBe(400);
    expect((await server.api("PATCH", "/members/mem_unknown", { token: team.admin.token, body: { roleId: "agent" } })).status).toBe(404);
  });

  it("suspends and activates; nobody suspends themselves", async () => {
    const suspended = await server.api("POST", `/members/${team.teammate.id}/suspend`, { token: team.admin.token });
    expect(suspended.body.member.status).toBe("suspended");
    expect((await server.api("POST", `/members/${team.teammate.id}/activate`, { token: team.admin.token })).body.member.status).toBe("active");
    expect((await server.api("POST", `/members/${team.admin.id}/suspend`, { token: team.admin.token })).status).toBe(409);
  });
});

describe("invitations", () => {
  it("invites with a role; the accept token works once and logs the new member in", async () => {
    const invite = await server.api("POST", "/invitations", { token: team.admin.token, body: { email: "new@acme.test", roleId: "agent" } });
    expect(invite.status).toBe(201);
    expect(invite.body).toMatchObject({ email: "new@acme.test", roleId: "agent", acceptToken: expect.stringMatching(/^inv\./) });
    const pending = await server.api("GET", "/invitations", { token: team.admin.token });
    expect(pending.body.data.map((row: { id: string }) => row.id)).toContain(invite.body.id);
    const accepted = await server.api("POST", `/invitations/${invite.body.acceptToken}/accept`, { body: { name: "New Agent", password: "another long one" } });
    expect(accepted.status).toBe(201);
    expect(accepted.body.member).toMatchObject({ name: "New Agent", email: "new@acme.test", roleId: "agent", status: "active" });
    expect((await server.api("GET", "/me", { token: accepted.body.token })).body.member.roleId).toBe("agent");
    const again = await server.api("POST", `/invitations/${invite.body.acceptToken}/accept`, { body: { name: "Twice", password: "another long one" } });
    expect(again.status).toBe(404);
  });

  it("an expired invitation cannot be accepted (409)", async () => {
    const invite = await server.api("POST", "/invitations", { token: team.admin.token, body: { email: "late@acme.test", roleId: "agent" } });
    await server.database.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, invite.body.id));
    const late = await server.api("POST", `/invitations/${invite.body.acceptToken}/accept`, { body: { name: "Late", password: "another long one" } });
    expect([late.status, late.body.detail]).toEqual([409, "This invitation has expired; ask for a new one."]);
  });

  it("refuses to invite an existing member, and withdraws pending invitations", async () => {
    expect((await server.api("POST", "/invitations", { token: team.admin.token, body: { email: team.agent.email, roleId: "agent" } })).status).toBe(409);
    const invite = await server.api("POST", "/invitations", { token: team.admin.token, body: { email: "gone@acme.test", roleId: "agent" } });
    expect((await server.api("DELETE", `/invitations/${invite.body.id}`, { token: team.admin.token })).status).toBe(204);
    expect((await server.api("POST", `/invitations/${invite.body.acceptToken}/accept`, { body: { name: "Gone", password: "another long one" } })).status).toBe(
      404,
    );
  });

  it("a forged accept token is a 404", async () => {
    const forged = await server.api("POST", `/invitations/inv.${team.workspace.id}.forged/accept`, { body: { name: "Eve", password: "another long one" } });
    expect(forged.status).toBe(404);
  });
});

describe("join requests", () => {
  it("someone with the join code asks; a manager accepts with a role", async () => {
    const workspace = await server.api("GET", "/workspace", { token: team.admin.token });
    expect(workspace.body.joinCode).toBe(team.workspace.joinCode);
    expect((await server.api("GET", "/workspace", { token: team.agent.token })).body.joinCode).toBeUndefined();
    const asked = await server.api("POST", "/join-requests", {
      body: { joinCode: team.workspace.joinCode, name: "Joiner", email: "joiner@acme.test", password: "joining password" },
    });
    expect(asked.status).toBe(202);
    const list = await server.api("GET", "/join-requests", { token: team.admin.token });
    expect(list.body.data).toEqual([{ id: asked.body.id, name: "Joiner", email: "joiner@acme.test", createdAt: expect.any(String) }]);
    const accepted = await server.api("POST", `/join-requests/${asked.body.id}/accept`, { token: team.admin.token, body: { roleId: "collaborator" } });
    expect(accepted.status).toBe(201);
    expect(accepted.body.member).toMatchObject({ email: "joiner@acme.test", roleId: "collaborator" });
    const login = await server.api("POST", "/sessions", { body: { email: "joiner@acme.test", password: "joining password" } });
    expect(login.body.member.id).toBe(accepted.body.member.id);
    expect((await server.api("POST", `/join-requests/${asked.body.id}/reject`, { token: team.admin.token })).status).toBe(409);
  });

  it("rejects a request; unknown join codes are a 404; owner is never a target role", async () => {
    const asked = await server.api("POST", "/join-requests", {
      body: { joinCode: team.workspace.joinCode, name: "Nope", email: "nope@acme.test", password: "joining password" },
    });
    expect((await server.api("POST", `/join-requests/${asked.body.id}/accept`, { token: team.admin.token, body: { roleId: "owner" } })).status).toBe(409);
    expect((await server.api("POST", `/join-requests/${asked.body.id}/reject`, { token: team.admin.token })).body.status).toBe("rejected");
    const unknown = await server.api("POST", "/join-requests", { body: { joinCode: "nope", name: "X", email: "x@acme.test", password: "joining password" } });
    expect(unknown.status).toBe(404);
  });
});

describe("ownership transfer", () => {
  it("moves ownership to an active Admin; the old Owner becomes Admin", async () => {
    const transfer = await server.api("POST", "/workspace/ownership", { token: team.owner.token, body: { memberId: team.admin.id } });
    expect(transfer.body.member).toMatchObject({ id: team.admin.id, roleId: "owner" });
    expect((await server.api("GET", "/me", { token: team.owner.token })).body.member.roleId).toBe("admin");
    expect((await server.api("GET", "/me", { token: team.admin.token })).body.permissions["workspace.delete"]).toBe(true);
  });

  it("refuses a non-admin or suspended target (409) and non-owners (403)", async () => {
    expect((await server.api("POST", "/workspace/ownership", { token: team.owner.token, body: { memberId: team.teammate.id } })).status).toBe(409);
    await server.api("POST", `/members/${team.admin.id}/suspend`, { token: team.owner.token });
    expect((await server.api("POST", "/workspace/ownership", { token: team.owner.token, body: { memberId: team.admin.id } })).status).toBe(409);
    const denied = await server.api("POST", "/workspace/ownership", { token: team.teammate.token, body: { memberId: team.teammate.id } });
    expect(denied.body.permission).toBe("workspace.transfer");
  });
});
