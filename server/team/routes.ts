import { and, asc, eq, ne } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/client";
import {
  authTokens,
  chats,
  hubspotUserLinks,
  members,
  pipedriveInstallationRoutes,
  pipedriveInstallations,
  pipedriveUserLinks,
  roles,
  users,
  workspaces,
} from "../db/schema";
import { publish } from "../events/bus";
import { notFound } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { afterKeyset, decodeCursor, IdParam, ListQuery, page, timestampText } from "../http/schemas";
import { revokeTokens } from "../identity/tokens";
import { presentChat } from "../inbox/presenters";
import { type ChatRow, chatsWithAccount } from "../inbox/queries";
import {
  assertActsWithinOwn,
  assertGrantWithinOwn,
  assertKeepsOwnManagement,
  assertNotTheOwner,
  assertOwnershipTarget,
  holds,
  InvariantViolation,
  memberAbilities,
} from "../permissions";
import { installationRouteWhere } from "../pipedrive/connections";
import { findRole, rolePermissions, roleSettings } from "../roles/lookup";
import { emitInboxEvent } from "../webhooks/outbox";
import { deleteOverridesOf } from "../whatsapp/access-overrides";
import { grantableRole } from "./grants";
import { findMember } from "./membership";
import { presentMember } from "./presenters";

const RoleChange = z.object({ roleId: z.string().min(1).max(100) }).strict();
const OwnershipTransfer = z.object({ memberId: z.string().min(1).max(100) }).strict();

/** A member with their role's permissions: what act_within_own compares the actor against. */
async function requireMember(db: Executor, workspaceId: string, memberId: string) {
  const member = await findMember(db, workspaceId, memberId);
  if (!member) throw notFound("member");
  const custom = await findRole(db, workspaceId, member.roleId);
  return { ...member, permissions: rolePermissions(member.roleId, custom?.permissions ?? null, await roleSettings(db, workspaceId)) };
}

export const teamRoutes = [
  route({
    method: "get",
    path: "/members",
    summary: "Every member of the workspace",
    tag: "Team",
    access: anyMember,
    query: ListQuery,
    responses: { 200: "{data: [{id, name, email?, roleId, status}], nextCursor}" },
    async handler({ actor, query, db }) {
      const after = decodeCursor(query.cursor, 2);
      const rows = await db
        .select({
          id: members.id,
          name: users.name,
          email: users.email,
          roleId: members.roleId,
          status: members.status,
          customPermissions: roles.permissions,
          cursorAt: timestampText(members.createdAt),
        })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .leftJoin(roles, and(eq(roles.workspaceId, members.workspaceId), eq(roles.id, members.roleId)))
        .where(and(eq(members.workspaceId, actor.workspaceId), ne(members.status, "removed"), afterKeyset(members.createdAt, members.id, after, "asc")))
        .orderBy(asc(members.createdAt), asc(members.id))
        .limit(query.limit + 1);
      const showEmail = holds(actor, "team.manage");
      const settings = await roleSettings(db, actor.workspaceId);
      return {
        status: 200,
        body: page(
          rows,
          query.limit,
          (row) => [row.cursorAt, row.id],
          (row) => {
            const { email, ...rest } = presentMember(row);
            return {
              ...rest,
              ...(showEmail ? { email } : {}),
              abilities: memberAbilities(actor, { ...row, permissions: rolePermissions(row.roleId, row.customPermissions, settings) }),
            };
          },
        ),
      };
    },
  }),
  route({
    method: "patch",
    path: "/members/:id",
    summary: "Change a member's role",
    tag: "Team",
    access: requires("team.manage"),
    params: IdParam,
    body: RoleChange,
    responses: {
      200: "{member}",
      403: "The role, or the member's current role, grants more than the caller holds",
      409: "The owner's role, the owner role, or an Admin's role changed by someone other than the Owner",
    },
    async handler({ actor, params, body, db, audit }) {
      const target = await requireMember(db, actor.workspaceId, params.id);
      assertNotTheOwner(target, "role_change");
      assertActsWithinOwn(actor, target, "role_change");
      const role = await grantableRole(db, actor.workspaceId, body.roleId);
      assertGrantWithinOwn(actor, role.permissions);
      if (target.id === actor.memberId) assertKeepsOwnManagement(actor, role.permissions);
      await db
        .update(members)
        .set({ roleId: role.id })
        .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.id, target.id)));
      await publish(db, { type: "access.changed", workspaceId: actor.workspaceId });
      await audit({
        action: "member.role_change",
        targetType: "member",
        targetId: target.id,
        details: { before: { roleId: target.roleId }, after: { roleId: role.id } },
      });
      return { status: 200, body: { member: presentMember({ ...target, roleId: role.id }) } };
    },
  }),
  ...(["suspend", "activate"] as const).map((change) =>
    route({
      method: "post",
      path: `/members/:id/${change}`,
      summary: change === "suspend" ? "Suspend a member: every token stops working at once" : "Re-activate a suspended member",
      tag: "Team",
      access: requires("team.manage"),
      params: IdParam,
      responses: {
        200: "{member}",
        403: "The member's role grants more than the caller holds",
        409: "The owner, oneself, or an Admin (by someone other than the Owner)",
      },
      async handler({ actor, params, db, audit }) {
        const target = await requireMember(db, actor.workspaceId, params.id);
        const status = change === "suspend" ? "suspended" : "active";
        if (change === "suspend") {
          assertNotTheOwner(target, "suspend");
          if (target.id === actor.memberId) throw new InvariantViolation("no_self_suspend", "You cannot suspend yourself.");
        }
        assertActsWithinOwn(actor, target, change);
        await db
          .update(members)
          .set({ status })
          .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.id, target.id)));
        await publish(db, { type: "access.changed", workspaceId: actor.workspaceId });
        await audit({
          action: `member.${change}`,
          targetType: "member",
          targetId: target.id,
          details: { before: { status: target.status }, after: { status } },
        });
        return { status: 200, body: { member: presentMember({ ...target, status }) } };
      },
    }),
  ),
  route({
    method: "delete",
    path: "/members/:id",
    summary: "Remove a member: their tokens stop at once, their chats become unassigned, their CRM links go",
    tag: "Team",
    access: requires("team.manage"),
    params: IdParam,
    responses: {
      204: "Removed",
      403: "The member's role grants more than the caller holds",
      409: "The owner, oneself, or an Admin (by someone other than the Owner)",
    },
    async handler({ actor, params, db, audit }) {
      const target = await requireMember(db, actor.workspaceId, params.id);
      assertNotTheOwner(target, "remove");
      if (target.id === actor.memberId) throw new InvariantViolation("no_self_remove", "You cannot remove yourself; ask another member who manages the team.");
      assertActsWithinOwn(actor, target, "remove");
      await db
        .update(members)
        .set({ status: "removed" })
        .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.id, target.id)));
      const revokedTokens = await revokeTokens(db, actor.workspaceId, eq(authTokens.memberId, target.id));
      // Their per-number overrides end with the membership (a later invitation starts from the role alone).
      await deleteOverridesOf(db, actor.workspaceId, "member", target.id);
      // Their chats become unassigned exactly as PUT /chats/{id}/responsible with null would leave them.
      const owned = (await chatsWithAccount(db)
        .where(and(eq(chats.workspaceId, actor.workspaceId), eq(chats.responsibleId, target.id)))
        .for("update", { of: chats })) as ChatRow[];
      if (owned.length > 0) {
        await db
          .update(chats)
          .set({ responsibleId: null })
          .where(and(eq(chats.workspaceId, actor.workspaceId), eq(chats.responsibleId, target.id)));
      }
      for (const chat of owned) {
        await audit({
          action: "chat.unassign",
          targetType: "chat",
          targetId: chat.id,
          details: { before: { responsibleId: target.id }, after: { responsibleId: null }, reason: "member.remove" },
        });
        await emitInboxEvent(
          db,
          { type: "chat.unassigned", workspaceId: actor.workspaceId, chatId: chat.id, previousResponsibleId: target.id },
          { chat: presentChat({ ...chat, responsibleId: null }, "outbox"), byMemberId: actor.memberId },
        );
      }
      // CRM users linked to them no longer act as anyone; a Pipedrive connection of their own goes with them.
      const crmMember = and(eq(pipedriveUserLinks.workspaceId, actor.workspaceId), eq(pipedriveUserLinks.memberId, target.id));
      const pipedriveLinks = await db.delete(pipedriveUserLinks).where(crmMember).returning({ id: pipedriveUserLinks.memberId });
      const pipedriveOwn = await db
        .delete(pipedriveInstallations)
        .where(and(eq(pipedriveInstallations.workspaceId, actor.workspaceId), eq(pipedriveInstallations.memberId, target.id)))
        .returning({ companyId: pipedriveInstallations.companyId, pipedriveUserId: pipedriveInstallations.pipedriveUserId });
      // Their routes go too: the (company, user) is free for whichever workspace installs it next.
      for (const key of pipedriveOwn) {
        await db.delete(pipedriveInstallationRoutes).where(and(installationRouteWhere(key), eq(pipedriveInstallationRoutes.workspaceId, actor.workspaceId)));
      }
      const hubspotLinks = await db
        .delete(hubspotUserLinks)
        .where(and(eq(hubspotUserLinks.workspaceId, actor.workspaceId), eq(hubspotUserLinks.memberId, target.id)))
        .returning({ id: hubspotUserLinks.memberId });
      await publish(db, { type: "access.changed", workspaceId: actor.workspaceId });
      await audit({
        action: "member.remove",
        targetType: "member",
        targetId: target.id,
        details: {
          before: { status: target.status, roleId: target.roleId },
          after: { status: "removed" },
          revokedTokens: revokedTokens.length,
          unassignedChats: owned.map((chat) => chat.id),
          removedCrmLinks: { pipedriveUserLinks: pipedriveLinks.length, pipedriveInstallations: pipedriveOwn.length, hubspotUserLinks: hubspotLinks.length },
        },
      });
      return { status: 204 };
    },
  }),
  route({
    method: "post",
    path: "/workspace/ownership",
    summary: "Hand ownership to an active Admin; the old Owner becomes an Admin",
    tag: "Workspace",
    access: requires("workspace.transfer"),
    body: OwnershipTransfer,
    responses: { 200: "{member}: the new Owner", 409: "The target is not an active Admin" },
    async handler({ actor, body, db, audit }) {
      const target = await findMember(db, actor.workspaceId, body.memberId);
      if (!target) throw notFound("member");
      assertOwnershipTarget(target);
      // Lock the workspace so two transfers cannot interleave; the one-owner index backs this up.
      await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, actor.workspaceId)).for("no key update");
      await db
        .update(members)
        .set({ roleId: "admin" })
        .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.id, actor.memberId)));
      await db
        .update(members)
        .set({ roleId: "owner" })
        .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.id, target.id)));
      await publish(db, { type: "access.changed", workspaceId: actor.workspaceId });
      await audit({
        action: "workspace.transfer",
        targetType: "member",
        targetId: target.id,
        details: { before: { ownerId: actor.memberId }, after: { ownerId: target.id } },
      });
      return { status: 200, body: { member: presentMember({ ...target, roleId: "owner" }) } };
    },
  }),
];
