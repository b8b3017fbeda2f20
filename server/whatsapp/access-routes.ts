import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/client";
import { accountAccessOverrides, whatsappAccounts } from "../db/schema";
import { publish } from "../events/bus";
import { notFound } from "../http/problem";
import { requires, route } from "../http/route";
import { IdParam } from "../http/schemas";
import type { Principal } from "../identity/tokens";
import { accountAccessLevels, assertAccessWithinOwn, assertMayOverride, type OverrideSubject } from "../permissions";
import { findRole, rolePermissions, roleSettings } from "../roles/lookup";
import { findMember } from "../team/membership";
import { loadVisibleAccount } from "./accounts";

// Per-number access overrides, administered with team.manage: who reaches which line is team
// administration, and the WhatsApp numbers page (every account) and the Roles page both edit them.

const SubjectType = z.enum(["member", "role"]);
/** `access: null` removes the override, so the subject's role (or, for a member, their role's override) applies again. */
const SetAccess = z.object({ subjectType: SubjectType, subjectId: z.string().min(1).max(100), access: z.enum(accountAccessLevels).nullable() }).strict();

/** The member or role an override is for, with its permissions; 404 when the workspace has no such subject. */
async function loadSubject(db: Executor, actor: Principal, type: "member" | "role", id: string): Promise<OverrideSubject> {
  const settings = await roleSettings(db, actor.workspaceId);
  if (type === "member") {
    const member = await findMember(db, actor.workspaceId, id);
    const role = member ? await findRole(db, actor.workspaceId, member.roleId) : null;
    if (!member) throw notFound("member");
    return { type, id, roleId: member.roleId, permissions: rolePermissions(member.roleId, role?.permissions ?? null, settings) };
  }
  const role = await findRole(db, actor.workspaceId, id);
  if (!role) throw notFound("role");
  return { type, id, name: role.name, permissions: rolePermissions(role.id, role.permissions, settings) };
}

const overrideColumns = {
  accountId: accountAccessOverrides.accountId,
  subjectType: accountAccessOverrides.subjectType,
  subjectId: accountAccessOverrides.subjectId,
  access: accountAccessOverrides.access,
  setBy: accountAccessOverrides.setBy,
  updatedAt: accountAccessOverrides.updatedAt,
};
type OverrideRow = { accountId: string; subjectType: "member" | "role"; subjectId: string; access: string; setBy: string; updatedAt: Date };
const presentOverride = (row: OverrideRow) => ({
  accountId: row.accountId,
  subject: { type: row.subjectType, id: row.subjectId },
  access: row.access,
  setBy: row.setBy,
  updatedAt: row.updatedAt.toISOString(),
});

export const accessRoutes = [
  route({
    method: "get",
    path: "/whatsapp-accounts/:id/access",
    summary: "The per-number access overrides on one WhatsApp account (members and roles: full, read or none)",
    tag: "WhatsApp accounts",
    access: requires("team.manage"),
    params: IdParam,
    responses: { 200: "{data: [{accountId, subject: {type, id}, access, setBy, updatedAt}]}", 404: "No such account in this workspace" },
    async handler({ actor, params, db }) {
      const account = await loadVisibleAccount(db, actor, params.id);
      const rows = await db
        .select(overrideColumns)
        .from(accountAccessOverrides)
        .where(and(eq(accountAccessOverrides.workspaceId, actor.workspaceId), eq(accountAccessOverrides.accountId, account.id)))
        .orderBy(asc(accountAccessOverrides.subjectType), asc(accountAccessOverrides.subjectId));
      return { status: 200, body: { data: rows.map(presentOverride), nextCursor: null } };
    },
  }),
  route({
    method: "get",
    path: "/roles/:id/access",
    summary: "The per-number access overrides of one role, on every WhatsApp account",
    tag: "Roles",
    access: requires("team.manage"),
    params: IdParam,
    responses: { 200: "{data: [{accountId, subject: {type, id}, access, setBy, updatedAt}]}", 404: "No such role in this workspace" },
    async handler({ actor, params, db }) {
      const role = await findRole(db, actor.workspaceId, params.id);
      if (!role) throw notFound("role");
      const rows = await db
        .select(overrideColumns)
        .from(accountAccessOverrides)
        .innerJoin(
          whatsappAccounts,
          and(eq(whatsappAccounts.workspaceId, accountAccessOverrides.workspaceId), eq(whatsappAccounts.id, accountAccessOverrides.accountId)),
        )
        .where(
          and(
            eq(accountAccessOverrides.workspaceId, actor.workspaceId),
            eq(accountAccessOverrides.subjectType, "role"),
            eq(accountAccessOverrides.subjectId, role.id),
          ),
        )
        .orderBy(asc(whatsappAccounts.createdAt));
      return { status: 200, body: { data: rows.map(presentOverride), nextCursor: null } };
    },
  }),
  route({
    method: "put",
    path: "/whatsapp-accounts/:id/access",
    summary: "Set a member's or a role's access to one WhatsApp account: full, read (read-only) or none; null removes the override",
    tag: "WhatsApp accounts",
    access: requires("team.manage"),
    params: IdParam,
    body: SetAccess,
    responses: {
      200: "{override: {accountId, subject, access, setBy, updatedAt} | null}",
      403: "The subject holds more than you, or the access granted is more than you hold on the account",
      404: "No such account, member or role in this workspace",
      409: "The Owner, your own access, or the Admin role / an Admin by anyone but the Owner",
    },
    async handler({ actor, params, body, db, audit }) {
      const account = await loadVisibleAccount(db, actor, params.id);
      const subject = await loadSubject(db, actor, body.subjectType, body.subjectId);
      assertMayOverride(actor, subject);
      const key = and(
        eq(accountAccessOverrides.workspaceId, actor.workspaceId),
        eq(accountAccessOverrides.accountId, account.id),
        eq(accountAccessOverrides.subjectType, body.subjectType),
        eq(accountAccessOverrides.subjectId, body.subjectId),
      );
      const [before] = await db.select({ access: accountAccessOverrides.access }).from(accountAccessOverrides).where(key).for("update");
      let row: OverrideRow | undefined;
      if (body.access === null) {
        await db.delete(accountAccessOverrides).where(key);
      } else {
        assertAccessWithinOwn(actor, account.id, body.access);
        const values = { access: body.access, setBy: actor.memberId, updatedAt: new Date() };
        [row] = await db
          .insert(accountAccessOverrides)
          .values({ workspaceId: actor.workspaceId, accountId: account.id, subjectType: body.subjectType, subjectId: body.subjectId, ...values })
          .onConflictDoUpdate({
            target: [
              accountAccessOverrides.workspaceId,
              accountAccessOverrides.accountId,
              accountAccessOverrides.subjectType,
              accountAccessOverrides.subjectId,
            ],
            set: values,
          })
          .returning(overrideColumns);
      }
      // Open live streams re-check what their members may see.
      await publish(db, { type: "access.changed", workspaceId: actor.workspaceId });
      await audit({
        action: "whatsapp_account.access",
        targetType: "whatsapp_account",
        targetId: account.id,
        details: { subjectType: body.subjectType, subjectId: body.subjectId, before: before?.access ?? null, after: body.access },
      });
      return { status: 200, body: { override: row ? presentOverride(row) : null } };
    },
  }),
];
