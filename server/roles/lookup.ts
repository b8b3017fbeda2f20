import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { roles, workspaces } from "../db/schema";
import {
  builtinPermissions,
  builtinRoles,
  completePermissions,
  defaultRoleSettings,
  isBuiltinRoleId,
  type PermissionMap,
  type RoleDefinition,
  type RoleSettings,
} from "../permissions";

/** A built-in role or a custom role of the workspace, with its complete permission map. */
export async function findRole(db: Executor, workspaceId: string, roleId: string): Promise<RoleDefinition | null> {
  if (isBuiltinRoleId(roleId)) return builtinRoles[roleId];
  const [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, roleId)));
  return row ? presentableRole(row) : null;
}

/**
 * The complete permission map of a member's role in a workspace with these settings; a custom
 * role that vanished grants nothing.
 */
export function rolePermissions(roleId: string, customPermissions: unknown, settings: RoleSettings): PermissionMap {
  if (isBuiltinRoleId(roleId)) return builtinPermissions(roleId, settings);
  return completePermissions((customPermissions ?? {}) as Partial<PermissionMap>);
}

export function presentableRole(row: { id: string; name: string; permissions: unknown }): RoleDefinition {
  return {
    id: row.id,
    name: row.name,
    builtin: false,
    permissions: completePermissions(row.permissions as Partial<PermissionMap>),
  };
}

/** The workspace settings built-in roles depend on (see builtinPermissions). */
export async function roleSettings(db: Executor, workspaceId: string): Promise<RoleSettings> {
  const [row] = await db.select({ agentsSeeNumbers: workspaces.agentsSeeNumbers }).from(workspaces).where(eq(workspaces.id, workspaceId));
  return row ?? defaultRoleSettings;
}
