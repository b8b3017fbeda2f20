import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { roles } from "../db/schema";
import { builtinRoles, completePermissions, isBuiltinRoleId, type PermissionMap, type RoleDefinition } from "../permissions";

/** A built-in role or a custom role of the workspace, with its complete permission map. */
export async function findRole(db: Executor, workspaceId: string, roleId: string): Promise<RoleDefinition | null> {
  if (isBuiltinRoleId(roleId)) return builtinRoles[roleId];
  const [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, roleId)));
  return row ? presentableRole(row) : null;
}

/** The complete permission map of a member's role; a custom role that vanished grants nothing. */
export function rolePermissions(roleId: string, customPermissions: unknown): PermissionMap {
  if (isBuiltinRoleId(roleId)) return builtinRoles[roleId].permissions;
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
