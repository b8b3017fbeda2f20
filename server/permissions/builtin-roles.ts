import type { PermissionMap } from "./catalogue";

export const builtinRoleIds = ["owner", "admin", "teammate", "agent", "collaborator"] as const;
export type BuiltinRoleId = (typeof builtinRoleIds)[number];

export type RoleDefinition = { id: string; name: string; builtin: boolean; permissions: PermissionMap };

const owner: PermissionMap = {
  "chats.view": "all",
  "chats.reply": "all",
  "chats.start": "all",
  "chats.assign": "all",
  "campaigns.send": "all",
  "campaigns.reports": "all",
  "templates.use": "all",
  "chats.take_over": "all",
  "messages.delete": "all",
  "contacts.view_numbers": true,
  "whatsapp.connect": true,
  "team.manage": true,
  "roles.manage": true,
  "integrations.workspace": true,
  "integrations.individual": true,
  "data.export": true,
  "audit.view": true,
  "billing.manage": true,
  "workspace.delete": true,
  "workspace.transfer": true,
};

const admin: PermissionMap = {
  ...owner,
  "billing.manage": false,
  "workspace.delete": false,
  "workspace.transfer": false,
};

const teammate: PermissionMap = {
  ...admin,
  "team.manage": false,
  "roles.manage": false,
  "integrations.workspace": false,
  "data.export": false,
  "audit.view": false,
  "chats.take_over": "own",
  "messages.delete": "none",
};

const agent: PermissionMap = {
  ...teammate,
  "chats.view": "own",
  "chats.reply": "own",
  "chats.start": "own",
  "chats.assign": "own",
  "campaigns.send": "own",
  "campaigns.reports": "own",
  "templates.use": "own",
};

const collaborator: PermissionMap = {
  ...agent,
  "chats.view": "assigned",
  "chats.reply": "assigned",
  "chats.start": "none",
  "chats.assign": "none",
  "campaigns.send": "none",
  "campaigns.reports": "none",
  "templates.use": "none",
  "chats.take_over": "none",
  "whatsapp.connect": false,
  "integrations.individual": false,
};

/** The five read-only presets, in order of decreasing access. */
export const builtinRoles: Record<BuiltinRoleId, RoleDefinition> = {
  owner: { id: "owner", name: "Owner", builtin: true, permissions: owner },
  admin: { id: "admin", name: "Admin", builtin: true, permissions: admin },
  teammate: { id: "teammate", name: "Teammate", builtin: true, permissions: teammate },
  agent: { id: "agent", name: "Agent", builtin: true, permissions: agent },
  collaborator: { id: "collaborator", name: "Collaborator", builtin: true, permissions: collaborator },
};

export function isBuiltinRoleId(id: string): id is BuiltinRoleId {
  return (builtinRoleIds as readonly string[]).includes(id);
}

/** The workspace settings that change what a built-in role holds. */
export type RoleSettings = { agentsSeeNumbers: boolean };
export const defaultRoleSettings: RoleSettings = { agentsSeeNumbers: true };

/**
 * A built-in role's permissions in a workspace: Agents and Collaborators see full phone numbers
 * unless the workspace's setting (agentsSeeNumbers) masks them; custom roles say it themselves.
 */
export function builtinPermissions(roleId: BuiltinRoleId, settings: RoleSettings): PermissionMap {
  const permissions = builtinRoles[roleId].permissions;
  if ((roleId === "agent" || roleId === "collaborator") && !settings.agentsSeeNumbers) return { ...permissions, "contacts.view_numbers": false };
  return permissions;
}
