import { type BuiltinRoleId, builtinPermissions, builtinRoles, type Permission, permissionNames } from "../../../server/permissions";

// Written out by hand from the role descriptions, so the module cannot drift from them silently.
const expected: Record<Permission, Record<BuiltinRoleId, string | boolean>> = {
  "chats.view": { owner: "all", admin: "all", teammate: "all", agent: "own", collaborator: "assigned" },
  "chats.reply": { owner: "all", admin: "all", teammate: "all", agent: "own", collaborator: "assigned" },
  "chats.start": { owner: "all", admin: "all", teammate: "all", agent: "own", collaborator: "none" },
  "chats.assign": { owner: "all", admin: "all", teammate: "all", agent: "own", collaborator: "none" },
  "campaigns.send": { owner: "all", admin: "all", teammate: "all", agent: "own", collaborator: "none" },
  "campaigns.reports": { owner: "all", admin: "all", teammate: "all", agent: "own", collaborator: "none" },
  "templates.use": { owner: "all", admin: "all", teammate: "all", agent: "own", collaborator: "none" },
  "chats.take_over": { owner: "all", admin: "all", teammate: "own", agent: "own", collaborator: "none" },
  "messages.delete": { owner: "all", admin: "all", teammate: "none", agent: "none", collaborator: "none" },
  "contacts.view_numbers": { owner: true, admin: true, teammate: true, agent: true, collaborator: true },
  "whatsapp.connect": { owner: true, admin: true, teammate: true, agent: true, collaborator: false },
  "team.manage": { owner: true, admin: true, teammate: false, agent: false, collaborator: false },
  "roles.manage": { owner: true, admin: true, teammate: false, agent: false, collaborator: false },
  "integrations.workspace": { owner: true, admin: true, teammate: false, agent: false, collaborator: false },
  "integrations.individual": { owner: true, admin: true, teammate: true, agent: true, collaborator: false },
  "data.export": { owner: true, admin: true, teammate: false, agent: false, collaborator: false },
  "audit.view": { owner: true, admin: true, teammate: false, agent: false, collaborator: false },
  "billing.manage": { owner: true, admin: false, teammate: false, agent: false, collaborator: false },
  "workspace.delete": { owner: true, admin: false, teammate: false, agent: false, collaborator: false },
  "workspace.transfer": { owner: true, admin: false, teammate: false, agent: false, collaborator: false },
};

describe("built-in role matrix", () => {
  it("covers exactly the catalogue", () => {
    expect(Object.keys(expected).sort()).toEqual([...permissionNames].sort());
  });

  describe.each(Object.keys(builtinRoles) as BuiltinRoleId[])("%s", (roleId) => {
    it("holds exactly the expected permission map", () => {
      const column = Object.fromEntries(permissionNames.map((name) => [name, expected[name][roleId]]));
      expect(builtinRoles[roleId].permissions).toEqual(column);
    });
  });
});

describe("the workspace setting behind contacts.view_numbers", () => {
  it("masks numbers for built-in Agents and Collaborators only, and only when the setting says so", () => {
    for (const roleId of Object.keys(builtinRoles) as BuiltinRoleId[]) {
      expect(builtinPermissions(roleId, { agentsSeeNumbers: true })).toEqual(builtinRoles[roleId].permissions);
      const masked = builtinPermissions(roleId, { agentsSeeNumbers: false });
      const expectedValue = !(roleId === "agent" || roleId === "collaborator");
      expect(masked["contacts.view_numbers"]).toBe(expectedValue);
      expect({ ...masked, "contacts.view_numbers": true }).toEqual(builtinRoles[roleId].permissions);
    }
  });
});
