import { and, eq, isNotNull } from "drizzle-orm";
import { z } from "zod";
import { messageMedia, workspaces } from "../db/schema";
import { publish } from "../events/bus";
import { invalidRequest, notFound } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { deleteStoredFiles } from "../media/deletion";
import { holds } from "../permissions";
import { presentWorkspace } from "../team/presenters";
import { isPhoneCountry } from "../whatsapp/phone";

export const plans = ["free", "pro", "business"] as const;
const SubscriptionUpdate = z.object({ plan: z.enum(plans) }).strict();
const WorkspaceSettings = z
  .object({
    /** ISO 3166 alpha-2 ("GB"): numbers typed without a country code are read in it; null clears it. */
    defaultCountry: z.string().trim().toUpperCase().refine(isPhoneCountry, "a two-letter country code such as GB").nullable(),
    /** Whether built-in Agents and Collaborators see contacts' full numbers (contacts.view_numbers). */
    agentsSeeNumbers: z.boolean(),
    /** The ownership lock: a chat held by someone else is taken, released or replied in only with chats.take_over. */
    ownershipLock: z.boolean(),
  })
  .partial()
  .strict()
  .refine((settings) => Object.keys(settings).length > 0, "name at least one setting");
const WorkspaceDeletion = z.object({ confirm: z.string().max(200) }).strict();

function presentSubscription(row: { plan: string }) {
  return { plan: row.plan, paymentProvider: null };
}

export const workspaceRoutes = [
  route({
    method: "get",
    path: "/workspace",
    summary: "The workspace; joinCode only for members with team.manage",
    tag: "Workspace",
    access: anyMember,
    responses: { 200: "{id, name, joinCode?}" },
    async handler({ actor, db }) {
      const [row] = await db.select().from(workspaces).where(eq(workspaces.id, actor.workspaceId));
      if (!row) throw notFound("workspace");
      return { status: 200, body: presentWorkspace(row, holds(actor, "team.manage")) };
    },
  }),
  route({
    method: "patch",
    path: "/workspace",
    summary: "Change the workspace settings (team.manage): the default country of typed phone numbers, whether Agents see full numbers, the ownership lock",
    tag: "Workspace",
    access: requires("team.manage"),
    body: WorkspaceSettings,
    responses: { 200: "{id, name, defaultCountry, joinCode}", 400: "Not a country libphonenumber knows" },
    async handler({ actor, body, db, audit }) {
      const [current] = await db
        .select({ defaultCountry: workspaces.defaultCountry, agentsSeeNumbers: workspaces.agentsSeeNumbers, ownershipLock: workspaces.ownershipLock })
        .from(workspaces)
        .where(eq(workspaces.id, actor.workspaceId))
        .for("no key update");
      if (!current) throw notFound("workspace");
      const changed = Object.keys(body) as (keyof typeof body)[];
      const [row] = await db.update(workspaces).set(body).where(eq(workspaces.id, actor.workspaceId)).returning();
      if (!row) throw notFound("workspace");
      // Settings that change what members may do: open live-update streams re-read their member.
      if (changed.some((key) => key === "ownershipLock" || key === "agentsSeeNumbers"))
        await publish(db, { type: "access.changed", workspaceId: actor.workspaceId });
      await audit({
        action: "workspace.update",
        targetType: "workspace",
        targetId: actor.workspaceId,
        details: { before: Object.fromEntries(changed.map((key) => [key, current[key]])), after: body },
      });
      return { status: 200, body: presentWorkspace(row, true) };
    },
  }),
  route({
    method: "get",
    path: "/workspace/subscription",
    summary: "The subscription plan",
    tag: "Workspace",
    access: requires("billing.manage"),
    responses: { 200: "{plan, paymentProvider}" },
    async handler({ actor, db }) {
      const [row] = await db.select({ plan: workspaces.plan }).from(workspaces).where(eq(workspaces.id, actor.workspaceId));
      if (!row) throw notFound("workspace");
      return { status: 200, body: presentSubscription(row) };
    },
  }),
  route({
    method: "put",
    path: "/workspace/subscription",
    summary: "Change the subscription plan (stored; no payment provider yet)",
    tag: "Workspace",
    access: requires("billing.manage"),
    body: SubscriptionUpdate,
    responses: { 200: "{plan, paymentProvider}" },
    async handler({ actor, body, db, audit }) {
      const [before] = await db.select({ plan: workspaces.plan }).from(workspaces).where(eq(workspaces.id, actor.workspaceId)).for("no key update");
      await db.update(workspaces).set({ plan: body.plan }).where(eq(workspaces.id, actor.workspaceId));
      await audit({ action: "subscription.update", targetType: "workspace", targetId: actor.workspaceId, details: { before, after: { plan: body.plan } } });
      return { status: 200, body: presentSubscription(body) };
    },
  }),
  route({
    method: "delete",
    path: "/workspace",
    summary: "Delete the workspace and all of its data; confirm with its exact name",
    tag: "Workspace",
    access: requires("workspace.delete"),
    body: WorkspaceDeletion,
    responses: { 204: "Deleted; every token of the workspace stops working", 400: "The confirmation does not match the name" },
    auditExempt: "the activity log is deleted with the workspace; the deletion goes to the server log",
    // The files go after the rows' commit: a deletion rolled back keeps every file its messages show.
    ownTransactions: true,
    async handler({ actor, body, db, services, meta }) {
      const storageKeys = await db.transaction(async (tx) => {
        const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, actor.workspaceId)).for("update");
        if (!row) throw notFound("workspace");
        if (body.confirm !== row.name) {
          throw invalidRequest("Type the workspace's exact name to confirm.", [{ path: "body.confirm", message: "does not match the workspace name" }]);
        }
        const stored = await tx
          .select({ key: messageMedia.storageKey })
          .from(messageMedia)
          .where(and(eq(messageMedia.workspaceId, actor.workspaceId), isNotNull(messageMedia.storageKey)));
        // Every tenant table references workspaces with ON DELETE CASCADE: one statement removes it all.
        await tx.delete(workspaces).where(eq(workspaces.id, actor.workspaceId));
        await publish(tx, { type: "access.changed", workspaceId: actor.workspaceId });
        return stored.flatMap((file) => (file.key ? [file.key] : []));
      });
      services.logger.warn({ workspaceId: actor.workspaceId, actorId: actor.memberId, ip: meta.ip }, "workspace deleted");
      await deleteStoredFiles(services.mediaStorage, storageKeys, services.logger);
      return { status: 204 };
    },
  }),
];
