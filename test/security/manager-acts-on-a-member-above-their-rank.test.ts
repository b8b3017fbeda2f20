import { randomBytes } from "node:crypto";
import { startTestServer, type TestServer } from "../support/server";

// A custom role holding team.manage (and little else) could suspend an Admin or change an
// Admin's role, and an Admin could demote or suspend another Admin: team.manage was the only
// check, whatever the target's rank.

const teamLeadPermissions = { "team.manage": true, "chats.view": "all", "chats.reply": "all", "contacts.view_numbers": true } as const;

type Member = { id: string; token: string };
type Workspace = { owner: Member; lead: Member; firstAdmin: Member; secondAdmin: Member; collaborator: Member };

async function joinAs(server: TestServer, owner: Member, roleId: string): Promise<Member> {
  const email = `member-${randomBytes(4).toString("hex")}@example.test`;
  const invitation = await server.api("POST", "/invitations", { token: owner.token, body: { email, roleId } });
  expect(invitation.status).toBe(201);
  const accepted = await server.api("POST", `/invitations/${invitation.body.acceptToken}/accept`, {
    body: { name: `The ${roleId}`, password: "a member's password" },
  });
  expect(accepted.status).toBe(201);
  return { id: accepted.body.member.id, token: accepted.body.token };
}

async function buildWorkspaceWithTeamLead(server: TestServer): Promise<Workspace> {
  const email = `owner-${randomBytes(4).toString("hex")}@example.test`;
  const signup = await server.api("POST", "/signup", { body: { workspaceName: "Acme", name: "The Owner", email, password: "the owner's password" } });
  const owner = { id: signup.body.member.id, token: signup.body.token };
  const role = await server.api("POST", "/roles", { token: owner.token, body: { name: "Team lead", permissions: teamLeadPermissions } });
  expect(role.status).toBe(201);
  return {
    owner,
    lead: await joinAs(server, owner, role.body.role.id),
    firstAdmin: await joinAs(server, owner, "admin"),
    secondAdmin: await joinAs(server, owner, "admin"),
    collaborator: await joinAs(server, owner, "collaborator"),
  };
}

async function statusAndRole(server: TestServer, owner: Member, memberId: string) {
  const members = await server.api("GET", "/members", { token: owner.token });
  const member = members.body.data.find((row: { id: string }) => row.id === memberId);
  return { status: member.status, roleId: member.roleId };
}

describe("a manager acts on a member whose role ranks above their own", () => {
  let server: TestServer;
  let workspace: Workspace;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    workspace = await buildWorkspaceWithTeamLead(server);
  });
  afterAll(() => server.close());

  it("a custom role with team.manage cannot suspend an Admin (403 naming a permission the Admin holds beyond it)", async () => {
    const { owner, lead, firstAdmin } = workspace;
    const suspend = await server.api("POST", `/members/${firstAdmin.id}/suspend`, { token: lead.token });
    expect(suspend.status).toBe(403);
    expect(suspend.body).toMatchObject({ code: "permission_denied", permission: "chats.start" });
    expect(await statusAndRole(server, owner, firstAdmin.id)).toEqual({ status: "active", roleId: "admin" });
  });

  it("a custom role with team.manage cannot change an Admin's role", async () => {
    const { owner, lead, firstAdmin } = workspace;
    const demote = await server.api("PATCH", `/members/${firstAdmin.id}`, { token: lead.token, body: { roleId: "collaborator" } });
    expect(demote.status).toBe(403);
    expect(demote.body.permission).toBe("chats.start");
    expect(await statusAndRole(server, owner, firstAdmin.id)).toEqual({ status: "active", roleId: "admin" });
  });

  it("an Admin cannot suspend or re-role another Admin (409 admins_by_owner_only)", async () => {
    const { owner, firstAdmin, secondAdmin } = workspace;
    const demote = await server.api("PATCH", `/members/${secondAdmin.id}`, { token: firstAdmin.token, body: { roleId: "agent" } });
    expect([demote.status, demote.body.code]).toEqual([409, "conflict"]);
    expect(demote.body.detail).toMatch(/Only the Owner/);
    expect((await server.api("POST", `/members/${secondAdmin.id}/suspend`, { token: firstAdmin.token })).status).toBe(409);
    expect(await statusAndRole(server, owner, secondAdmin.id)).toEqual({ status: "active", roleId: "admin" });
  });

  it("the console is told the same: no abilities on Admins for the team lead or another Admin", async () => {
    const { lead, firstAdmin, secondAdmin, collaborator } = workspace;
    const abilitiesOf = async (viewer: Member, targetId: string) =>
      (await server.api("GET", "/members", { token: viewer.token })).body.data.find((row: { id: string }) => row.id === targetId).abilities;
    expect(await abilitiesOf(lead, firstAdmin.id)).toMatchObject({ changeRole: false, suspend: false });
    expect(await abilitiesOf(firstAdmin, secondAdmin.id)).toMatchObject({ changeRole: false, suspend: false });
    expect(await abilitiesOf(lead, collaborator.id)).toMatchObject({ changeRole: true, suspend: true });
  });

  it("the Owner can suspend, activate and re-role an Admin, and the team lead still manages members below them", async () => {
    const { owner, lead, firstAdmin, collaborator } = workspace;
    expect((await server.api("POST", `/members/${firstAdmin.id}/suspend`, { token: owner.token })).status).toBe(200);
    expect((await server.api("POST", `/members/${firstAdmin.id}/activate`, { token: lead.token })).status).toBe(403);
    expect((await server.api("POST", `/members/${firstAdmin.id}/activate`, { token: owner.token })).status).toBe(200);
    expect((await server.api("PATCH", `/members/${firstAdmin.id}`, { token: owner.token, body: { roleId: "teammate" } })).status).toBe(200);
    expect((await server.api("POST", `/members/${collaborator.id}/suspend`, { token: lead.token })).status).toBe(200);
    expect(await statusAndRole(server, owner, collaborator.id)).toEqual({ status: "suspended", roleId: "collaborator" });
  });

  it("removing a member falls under the same check: the team lead cannot remove an Admin, nor an Admin another Admin; the Owner can", async () => {
    const { owner, lead, firstAdmin, secondAdmin, collaborator } = workspace;
    const byLead = await server.api("DELETE", `/members/${firstAdmin.id}`, { token: lead.token });
    expect(byLead.status).toBe(403);
    const byAdmin = await server.api("DELETE", `/members/${secondAdmin.id}`, { token: firstAdmin.token });
    expect(byAdmin.status).toBe(409);
    expect(await statusAndRole(server, owner, firstAdmin.id)).toEqual({ status: "active", roleId: "admin" });
    expect(await statusAndRole(server, owner, secondAdmin.id)).toEqual({ status: "active", roleId: "admin" });
    expect((await server.api("DELETE", `/members/${collaborator.id}`, { token: lead.token })).status).toBe(204);
    expect((await server.api("DELETE", `/members/${firstAdmin.id}`, { token: owner.token })).status).toBe(204);
    const listed = await server.api("GET", "/members", { token: owner.token });
    expect(listed.body.data.map((row: { id: string }) => row.id)).not.toContain(firstAdmin.id);
  });
});
