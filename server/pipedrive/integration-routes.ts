import { eq } from "drizzle-orm";
import { z } from "zod";
import { pipedriveLoggingModes, pipedriveSettings, pipedriveUserLinks } from "../db/schema";
import { notFound } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { isHubspotConfigured } from "../hubspot/app";
import { loadHubspotInstallation } from "../hubspot/installations";
import { presentHubspotConnection } from "../hubspot/presenters";
import { holds } from "../permissions";
import { loadIndividualConnection, loadWorkspaceConnection, workspaceClient } from "./connections";
import { revokeInstallations } from "./disconnect";
import { answeringPipedriveErrors } from "./http-errors";
import { mapPipedriveUser, removeInstallation, removeWorkspaceConnection, workspaceInstallations } from "./installations";
import { presentIndividualConnection, presentReconnect, presentWorkspaceConnection } from "./presenters";
import { ActivityTypeKey, loadLoggingSettings } from "./settings";
import { appSharedWith, workspaceFixers } from "./workspace-status";

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
    responses: {
      200: "{pipedrive: {status, companyId, companyDomain, connectedBy, connectedAt, servedBy, sharedWith: [{pipedriveUserId, memberId, connected}], reconnectReason?, reconnectHint?, reconnectBy?: [{memberId, name}]}, hubspot: {status: not_configured|not_connected|connected|reconnect_required, hubId, hubDomain, connectedBy, connectedAt, scopes?, reconnectReason?}}",
    },
    async handler({ actor, db, services }) {
      const connection = await loadWorkspaceConnection(db, actor.workspaceId);
      const extras = connection
        ? { fixers: await workspaceFixers(db, actor.workspaceId), sharedWith: await appSharedWith(db, actor.workspaceId, connection.companyId) }
        : { fixers: [], sharedWith: [] };
      const hubspot = presentHubspotConnection(await loadHubspotInstallation(db, actor.workspaceId), isHubspotConfigured(services));
      return { status: 200, body: { pipedrive: presentWorkspaceConnection(connection, extras), hubspot } };
    },
  }),
  route({
    method: "get",
    path: "/me/integrations",
    summary: "Your own CRM connections, and whether the workspace's works",
    tag: "Integrations",
    access: anyMember,
    responses: {
      200: "{pipedrive: {status, pipedriveUserId, name?, reconnectHint?, workspace: {status, reconnectReason?, reconnectHint?, reconnectBy?}}}",
    },
    async handler({ actor, db }) {
      const own = presentIndividualConnection(await loadIndividualConnection(db, actor.workspaceId, actor.memberId));
      const connection = await loadWorkspaceConnection(db, actor.workspaceId);
      const workspace = connection
        ? { status: connection.status, ...presentReconnect(connection, connection.status === "connected" ? [] : await workspaceFixers(db, actor.workspaceId)) }
        : { status: "not_connected" as const };
      return { status: 200, body: { pipedrive: { ...own, workspace } } };
    },
  }),
  route({
    method: "delete",
    path: "/integrations/pipedrive",
    summary: "Disconnect the workspace's Pipedrive company: its installations are revoked at Pipedrive, then removed (members' own ones too)",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: { 204: "Disconnected (also when Pipedrive could not be reached to revoke; that is logged)", 404: "Not connected" },
    ownTransactions: true,
    async handler({ actor, services, audit }) {
      const db = services.database.db;
      // Revoked first, outside the transaction: a slow Pipedrive must not hold the database.
      const revokes = await revokeInstallations(services, await workspaceInstallations(db, actor.workspaceId));
      await db.transaction(async (tx) => {
        const removed = await removeWorkspaceConnection(tx, actor.workspaceId);
        if (!removed) throw notFound("Pipedrive connection");
        await audit({ action: "pipedrive.disconnect", targetType: "pipedrive_company", targetId: String(removed.companyId), details: { revokes } }, tx);
      });
      return { status: 204 };
    },
  }),
  route({
    method: "delete",
    path: "/me/integrations/pipedrive",
    summary: "Disconnect your own Pipedrive user: revoked at Pipedrive, then removed",
    tag: "Integrations",
    access: anyMember,
    responses: { 204: "Disconnected (or was not connected; also when Pipedrive could not be reached to revoke, which is logged)" },
    ownTransactions: true,
    async handler({ actor, services, audit }) {
      const db = services.database.db;
      const installation = await loadIndividualConnection(db, actor.workspaceId, actor.memberId);
      const revokes = installation ? await revokeInstallations(services, [installation]) : [];
      await db.transaction(async (tx) => {
        const removed = installation ? await removeInstallation(tx, installation) : null;
        // The user mapping stays: the panel still knows who this member is. If this installation
        // served the workspace, the workspace connection now needs reconnecting.
        await audit(
          {
            action: "pipedrive.disconnect_individual",
            targetType: "member",
            targetId: actor.memberId,
            details: { removed: removed ? 1 : 0, pipedriveUserId: removed?.pipedriveUserId ?? null, revokes },
          },
          tx,
        );
      });
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
    responses: {
      200: "{data: [{pipedriveUserId, name, email, active, memberId, linkedBy, ownConnection}]}: ownConnection, the member is linked through their own Pipedrive connection (only they change it); linkedBy, the member who made the link",
      409: "Pipedrive is not connected",
    },
    async handler({ actor, db, services }) {
      const client = await answeringPipedriveErrors(() => workspaceClient(services, actor.workspaceId));
      const response = await answeringPipedriveErrors(() => client.run((apis) => apis.users.getUsers()));
      const links = await db.select().from(pipedriveUserLinks).where(eq(pipedriveUserLinks.workspaceId, actor.workspaceId));
      const linkOf = new Map(links.map((link) => [link.pipedriveUserId, link]));
      const ownConnections = new Set((await workspaceInstallations(db, actor.workspaceId)).flatMap((row) => (row.memberId ? [row.pipedriveUserId] : [])));
      const data = (response.data ?? []).flatMap((user) =>
        typeof user.id === "number"
          ? [
              {
                pipedriveUserId: user.id,
                name: user.name ?? "",
                email: user.email ?? "",
                active: user.active_flag ?? true,
                memberId: linkOf.get(user.id)?.memberId ?? null,
                linkedBy: linkOf.get(user.id)?.linkedBy ?? null,
                ownConnection: ownConnections.has(user.id),
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
