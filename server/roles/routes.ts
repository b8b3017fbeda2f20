import { and, asc, count, eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/client";
import { members, roles } from "../db/schema";
import { publish } from "../events/bus";
import { conflict, notFound } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { newId } from "../ids";
import {
  assertGrantWithinOwn,
  assertKeepsOwnManagement,
  builtinRoles,
  CustomPermissionsSchema,
  completePermissions,
  isBuiltinRoleId,
  type PermissionMap,
  roleAbilities,
} from "../permissions";
import { deleteOverridesOf } from "../whatsapp/access-overrides";
import { presentableRole } from "./lookup";

const RoleName = z.string().trim().min(1).max(60);
const NewRole = z.object({ name: RoleName, permissions: CustomPermissionsSchema }).strict();
const RoleUpdate = z.object({ name: RoleName.optional(), permissions: CustomPermissionsSchema.optional() }).strict();

function assertNameFree(name: string) {
  if (Object.values(builtinRoles).some((role) => role.name.toLowerCase() === name.toLowerCase())) {
    throw conflict(`"${name}" is the name of a built-in role.`);
  }
}

async function requireCustomRole(db: Executor, workspaceId: string, id: string) {
  if (isBuiltinRoleId(id)) throw conflict("Built-in roles are read-only; create a custom role instead.");
  const [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, id)))
    .for("update");
  if (!row) throw notFound("role");
  return row;
}

export const roleRoutes = [
  route({
    method: "get",
    path: "/roles",
    summary: "Built-in and custom roles with their permissions",
    tag: "Roles",
    access: anyMember,
    responses: { 200: "{data: [{id, name, builtin, permissions}]}" },
    async handler({ actor, db }) {
      const custom = await db.select().from(roles).where(eq(roles.workspaceId, actor.workspaceId)).orderBy(asc(roles.name));
      const all = [...Object.values(builtinRoles), ...custom.map(presentableRole)];
      return { status: 200, body: { data: all.map((role) => ({ ...role, abilities: roleAbilities(actor, role) })), nextCursor: null } };
    },
  }),
  route({
    method: "post",
    path: "/roles",
    summary: "Create a custom role",
    tag: "Roles",
    access: requires("roles.manage"),
    body: NewRole,
    responses: { 201: "{role}", 400: "Unknown permission or value, or an owner-only permission", 403: "Grants more than the caller holds", 409: "Name taken" },
    async handler({ actor, body, db, audit }) {
      assertNameFree(body.name);
      const permissions = completePermissions(body.permissions as Partial<PermissionMap>);
      assertGrantWithinOwn(actor, permissions);
      const id = newId("role");
      await db.insert(roles).values({ workspaceId: actor.workspaceId, id, name: body.name, permissions: body.permissions });
      await audit({ action: "role.create", targetType: "role", targetId: id, details: { after: { name: body.name, permissions } } });
      return { status: 201, body: { role: { id, name: body.name, builtin: false, permissions } } };
    },
  }),
  route({
    method: "patch",
    path: "/roles/:id",
    summary: "Edit a custom role; members holding it are affected on their next request",
    tag: "Roles",
    access: requires("roles.manage"),
    params: IdParam,
    body: RoleUpdate,
    responses: { 200: "{role}", 409: "Built-in role, or the edit would remove the caller's own management" },
    async handler({ actor, params, body, db, audit }) {
      const existing = presentableRole(await requireCustomRole(db, actor.workspaceId, params.id));
      if (body.name && body.name.toLowerCase() !== existing.name.toLowerCase()) assertNameFree(body.name);
      const permissions = body.permissions ? completePermissions(body.permissions as Partial<PermissionMap>) : existing.permissions;
      assertGrantWithinOwn(actor, permissions);
      if (actor.roleId === existing.id) assertKeepsOwnManagement(actor, permissions);
      const name = body.name ?? existing.name;
      await db
        .update(roles)
        .set({ name, permissions })
        .where(and(eq(roles.workspaceId, actor.workspaceId), eq(roles.id, existing.id)));
      await publish(db, { type: "access.changed", workspaceId: actor.workspaceId });
      await audit({
        action: "role.update",
        targetType: "role",
        targetId: existing.id,
        details: { before: { name: existing.name, permissions: existing.permissions }, after: { name, permissions } },
      });
      return { status: 200, body: { role: { id: existing.id, name, builtin: false, permissions } } };
    },
  }),
  route({
    method: "delete",
    path: "/roles/:id",
    summary: "Delete a custom role that no member holds",
    tag: "Roles",
    access: requires("roles.manage"),
    params: IdParam,
    responses: { 204: "Deleted", 409: "Built-in, or held by a member" },
    async handler({ actor, params, db, audit }) {
      const existing = await requireCustomRole(db, actor.workspaceId, params.id);
      const [usage] = await db
        .select({ holders: count() })
        .from(members)
        .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.roleId, existing.id)));
      if ((usage?.holders ?? 0) > 0) throw conflict(`The role is held by ${usage?.holders} member(s); give them another role first.`);
      await db.delete(roles).where(and(eq(roles.workspaceId, actor.workspaceId), eq(roles.id, existing.id)));
      // Its per-number overrides go with it .
      await deleteOverridesOf(db, actor.workspaceId, "role", existing.id);
      await audit({
        action: "role.delete",
        targetType: "role",
        targetId: existing.id,
        details: { before: { name: existing.name, permissions: existing.permissions } },
      });
      return { status: 204 };
    },
  }),
];
