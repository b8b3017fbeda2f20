import {
  type Actor,
  assertCrmLinkChange,
  assertGrantWithinOwn,
  assertKeepsOwnManagement,
  assertNotTheOwner,
  assertOwnerOnlyByTransfer,
  assertOwnershipTarget,
  builtinRoles,
  completePermissions,
  InvariantViolation,
  PermissionDenied,
} from "../../../server/permissions";
import { insertMemberDirectly, insertRoleDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

const actorWith = (roleId: keyof typeof builtinRoles): Actor => ({
  workspaceId: "ws_1",
  memberId: "mem_1",
  roleId,
  roleName: builtinRoles[roleId].name,
  status: "active",
  permissions: builtinRoles[roleId].permissions,
  ownershipLock: false,
});

describe("role-administration invariants (predicates)", () => {
  it("owner_only_by_transfer: the owner role is never assigned directly", () => {
    expect(() => assertOwnerOnlyByTransfer("owner")).toThrow(InvariantViolation);
    expect(() => assertOwnerOnlyByTransfer("admin")).not.toThrow();
  });

  it("owner_untouchable: the Owner cannot be suspended or given another role", () => {
    expect(() => assertNotTheOwner({ roleId: "owner" }, "suspend")).toThrow(/cannot be suspended/);
    expect(() => assertNotTheOwner({ roleId: "owner" }, "role_change")).toThrow(/another role/);
    expect(() => assertNotTheOwner({ roleId: "admin" }, "suspend")).not.toThrow();
  });

  it("grant_within_own: nobody grants more than they hold, and the denial names the permission", () => {
    const custom = { ...completePermissions({ "team.manage": true, "chats.view": "own" }) };
    expect(() => assertGrantWithinOwn(actorWith("admin"), builtinRoles.admin.permissions)).not.toThrow();
    expect(() => assertGrantWithinOwn(actorWith("admin"), builtinRoles.owner.permissions)).toThrow(PermissionDenied);
    try {
      assertGrantWithinOwn({ ...actorWith("agent"), permissions: custom }, builtinRoles.teammate.permissions);
      expect.unreachable();
    } catch (error) {
      expect((error as PermissionDenied).permission).toBe("chats.view");
    }
  });

  it("ownership_to_active_admin: ownership moves only to an active Admin", () => {
    expect(() => assertOwnershipTarget({ roleId: "admin", status: "active" })).not.toThrow();
    expect(() => assertOwnershipTarget({ roleId: "teammate", status: "active" })).toThrow(InvariantViolation);
    expect(() => assertOwnershipTarget({ roleId: "admin", status: "suspended" })).toThrow(/active Admin/);
  });

  it("keeps_own_management: nobody removes their own team.manage or roles.manage", () => {
    expect(() => assertKeepsOwnManagement(actorWith("admin"), builtinRoles.teammate.permissions)).toThrow(/team.manage/);
    expect(() => assertKeepsOwnManagement(actorWith("admin"), { ...builtinRoles.admin.permissions, "roles.manage": false })).toThrow(/roles.manage/);
    expect(() => assertKeepsOwnManagement(actorWith("teammate"), builtinRoles.agent.permissions)).not.toThrow();
  });

  it("crm links: the linked member's role within the actor's own, the Owner's link by the Owner, own-connection links untouched", () => {
    const linked = (roleId: keyof typeof builtinRoles, ownConnection = false) => ({ roleId, permissions: builtinRoles[roleId].permissions, ownConnection });
    expect(() => assertCrmLinkChange(actorWith("admin"), { gains: linked("teammate"), loses: [linked("agent")] })).not.toThrow();
    expect(() => assertCrmLinkChange(actorWith("admin"), { gains: linked("owner"), loses: [] })).toThrow(/Only the Owner/);
    expect(() => assertCrmLinkChange(actorWith("admin"), { gains: null, loses: [linked("owner")] })).toThrow(InvariantViolation);
    expect(() => assertCrmLinkChange(actorWith("owner"), { gains: linked("owner"), loses: [] })).not.toThrow();
    expect(() => assertCrmLinkChange(actorWith("owner"), { gains: linked("agent"), loses: [linked("teammate", true)] })).toThrow(/own CRM connection/);
    expect(() => assertCrmLinkChange(actorWith("owner"), { gains: linked("agent", true), loses: [] })).toThrow(/own CRM connection/);
    expect(() => assertCrmLinkChange(actorWith("teammate"), { gains: linked("admin"), loses: [] })).toThrow(PermissionDenied);
  });
});

describe("role-administration invariants (HTTP)", () => {
  let server: TestServer;
  let team: Team;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    team = await insertTeamDirectly(server.database.db);
  });
  afterAll(() => server.close());

  it("an invitation or role change to owner is a 409", async () => {
    const invite = await server.api("POST", "/invitations", { token: team.admin.token, body: { email: "x@acme.test", roleId: "owner" } });
    expect([invite.status, invite.body.code]).toEqual([409, "conflict"]);
    const change = await server.api("PATCH", `/members/${team.agent.id}`, { token: team.owner.token, body: { roleId: "owner" } });
    expect(change.status).toBe(409);
  });

  it("the Owner cannot be suspended or have their role changed, even by an Admin", async () => {
    expect((await server.api("POST", `/members/${team.owner.id}/suspend`, { token: team.admin.token })).status).toBe(409);
    expect((await server.api("PATCH", `/members/${team.owner.id}`, { token: team.admin.token, body: { roleId: "agent" } })).status).toBe(409);
  });

  it("a manager with a narrower custom role cannot grant a broader one (403 naming the permission)", async () => {
    const manager = await insertRoleDirectly(server.database.db, team.workspace, {
      "team.manage": true,
      "chats.view": "own",
      "chats.reply": "own",
      "contacts.view_numbers": true,
    });
    const member = await insertMemberDirectly(server.database.db, team.workspace, { roleId: manager.id });
    const invite = await server.api("POST", "/invitations", { token: member.token, body: { email: "y@acme.test", roleId: "teammate" } });
    expect(invite.status).toBe(403);
    expect(invite.body.permission).toBe("chats.view");
    const narrower = await server.api("POST", "/invitations", { token: member.token, body: { email: "y@acme.test", roleId: "collaborator" } });
    expect(narrower.status).toBe(201);
  });

  it("an Admin cannot demote themselves out of team.manage, nor edit their own custom role to drop roles.manage", async () => {
    const self = await server.api("PATCH", `/members/${team.admin.id}`, { token: team.admin.token, body: { roleId: "teammate" } });
    expect([self.status, self.body.code]).toEqual([409, "conflict"]);
    const own = await insertRoleDirectly(server.database.db, team.workspace, { "team.manage": true, "roles.manage": true });
    const manager = await insertMemberDirectly(server.database.db, team.workspace, { roleId: own.id });
    const edit = await server.api("PATCH", `/roles/${own.id}`, { token: manager.token, body: { permissions: { "team.manage": true } } });
    expect(edit.status).toBe(409);
    expect(edit.body.detail).toMatch(/roles.manage/);
  });
});
