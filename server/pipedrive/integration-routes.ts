import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { pipedriveIndividualConnections, pipedriveLoggingModes, pipedriveSettings, pipedriveUserLinks } from "../db/schema";
import { notFound } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { holds } from "../permissions";
import { loadIndividualConnection, loadWorkspaceConnection, workspaceClient } from "./connections";
import { answeringPipedriveErrors } from "./http-errors";
import { mapPipedriveUser, removeWorkspaceConnection } from "./installations";
import { presentIndividualConnection, presentWorkspaceConnection } from "./presenters";
import { ActivityTypeKey, loadLoggingSettings } from "./settings";

// `:id` is the Pipedrive user id.
const PipedriveUserParam = z.strictObject({ id: z.coerce.number().int().positive() });
const UserMapping = z.strictObject({ memberId: z.string().min(1).max(100).nullable() });
// The activity type is kept when a change leaves it out.
const Settings = z.strictObject({ logging: z.enum(pipedriveLoggingModes), activityType: ActivityTypeKey.optional() });

export const pipedriveIntegrationRoutes = [
  route({
    method: "get",
    path: "/integrations",
    summary: "The workspace's CRM connections and their state",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: { 200: "{pipedrive: {status, companyId, companyDomain, connectedBy, connectedAt, reconnectHint?}, hubspot: {status}}" },
    async handler({ actor, db }) {
      const connection = await loadWorkspaceConnection(db, actor.workspaceId);
      return { status: 200, body: { pipedrive: presentWorkspaceConnection(connection), hubspot: { status: "not_connected" } } };
    },
  }),
  route({
    method: "get",
    path: "/me/integrations",
    summary: "Your own CRM connections",
    tag: "Integrations",
    access: anyMember,
    responses: { 200: "{pipedrive: {status, pipedriveUserId, name?, reconnectHint?}}" },
    async handler({ actor, db }) {
      return { status: 200, body: { pipedrive: presentIndividualConnection(await loadIndividualConnection(db, actor.workspaceId, actor.memberId)) } };
    },
  }),
  route({
    method: "delete",
    path: "/integrations/pipedrive",
    summary: "Disconnect the workspace's Pipedrive company (members' own connections to it go too)",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: { 204: "Disconnected", 404: "Not connected" },
    async handler({ actor, db, audit }) {
      const removed = await removeWorkspaceConnection(db, actor.workspaceId);
      if (!removed) throw notFound("Pipedrive connection");
      await audit({ action: "pipedrive.disconnect", targetType: "pipedrive_company", targetId: String(removed.companyId) });
      return { status: 204 };
    },
  }),
  route({
    method: "delete",
    path: "/me/integrations/pipedrive",
    summary: "Disconnect your own Pipedrive user",
    tag: "Integrations",
    access: anyMember,
    responses: { 204: "Disconnected (or was not connected)" },
    async handler({ actor, db, audit }) {
      const removed = await db
        .delete(pipedriveIndividualConnections)
        .where(and(eq(pipedriveIndividualConnections.workspaceId, actor.workspaceId), eq(pipedriveIndividualConnections.memberId, actor.memberId)))
        .returning({ pipedriveUserId: pipedriveIndividualConnections.pipedriveUserId });
      // The user mapping stays: the panel still knows who this member is.
      await audit({ action: "pipedrive.disconnect_individual", targetType: "member", targetId: actor.memberId, details: { removed: removed.length } });
      return { status: 204 };
    },
  }),
  route({
    method: "get",
    path: "/integrations/pipedrive/settings",
    summary: "How conversations are logged to Pipedrive",
    tag: "Integrations",
    access: anyMember,
    responses: { 200: "{logging: off|note|activity|both, activityType, abilities: {edit}}" },
    async handler({ actor, db }) {
      return { status: 200, body: { ...(await loadLoggingSettings(db, actor.workspaceId)), abilities: { edit: holds(actor, "integrations.workspace") } } };
    },
  }),
  route({
    method: "put",
    path: "/integrations/pipedrive/settings",
    summary: "Change how conversations are logged to Pipedrive",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    body: Settings,
    responses: { 200: "{logging, activityType, abilities}" },
    async handler({ actor, db, body, audit }) {
      const values = {
        logging: body.logging,
        ...(body.activityType ? { activityType: body.activityType } : {}),
        updatedBy: actor.memberId,
        updatedAt: new Date(),
      };
      const [saved] = await db
        .insert(pipedriveSettings)
        .values({ workspaceId: actor.workspaceId, ...values })
        .onConflictDoUpdate({ target: pipedriveSettings.workspaceId, set: values })
        .returning({ logging: pipedriveSettings.logging, activityType: pipedriveSettings.activityType });
      await audit({ action: "pipedrive.settings_change", targetType: "workspace", targetId: actor.workspaceId, details: { ...saved } });
      return { status: 200, body: { ...saved, abilities: { edit: true } } };
    },
  }),
  route({
    method: "get",
    path: "/integrations/pipedrive/users",
    summary: "The Pipedrive company's users and the member each is mapped to",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: { 200: "{data: [{pipedriveUserId, name, email, active, memberId}]}", 409: "Pipedrive is not connected" },
    async handler({ actor, db, services }) {
      const client = await answeringPipedriveErrors(() => workspaceClient(services, actor.workspaceId));
      const response = await answeringPipedriveErrors(() => client.run((apis) => apis.users.getUsers()));
      const links = await db.select().from(pipedriveUserLinks).where(eq(pipedriveUserLinks.workspaceId, actor.workspaceId));
      const memberOf = new Map(links.map((link) => [link.pipedriveUserId, link.memberId]));
      const data = (response.data ?? []).flatMap((user) =>
        typeof user.id === "number"
          ? [
              {
                pipedriveUserId: user.id,
                name: user.name ?? "",
                email: user.email ?? "",
                active: user.active_flag ?? true,
                memberId: memberOf.get(user.id) ?? null,
              },
            ]
          : [],
      );
      return { status: 200, body: { data } };
    },
  }),
  route({
    method: "put",
    path: "/integrations/pipedrive/users/:id",
    summary: "Map a Pipedrive user to a member (null removes the mapping)",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    params: PipedriveUserParam,
    body: UserMapping,
    responses: {
      200: "{pipedriveUserId, memberId}",
      403: "The member's role grants more than yours",
      404: "No such member in this workspace",
      409: "The Owner's link (only the Owner changes it), or a link made by the member's own Pipedrive connection",
    },
    async handler({ actor, db, params, body, audit }) {
      await mapPipedriveUser(db, actor, params.id, body.memberId);
      await audit({ action: "pipedrive.user_map", targetType: "pipedrive_user", targetId: String(params.id), details: { memberId: body.memberId } });
      return { status: 200, body: { pipedriveUserId: params.id, memberId: body.memberId } };
    },
  }),
];
