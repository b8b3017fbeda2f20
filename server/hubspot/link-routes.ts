import { HttpProblem, notFound } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { loadHubspotInstallation } from "./installations";
import { listMemberLinks, unlinkHubspotMember } from "./user-links";

// Member ↔ HubSpot user links (the individual connection): made from the card's sign-in
// (card-routes.ts), listed for admins (each member: connected or missing) and removed by the
// member themselves or by an admin (integrations.workspace). Removing one makes the card ask that
// HubSpot user to sign in again.

const notConnected = () =>
  new HttpProblem(409, "conflict", "HubSpot is not connected", "This workspace has no HubSpot account connected: connect it on the Integrations page first.");

export const hubspotLinkRoutes = [
  route({
    method: "get",
    path: "/integrations/hubspot/links",
    summary: "Each member's link to a HubSpot user of the workspace's portal (made from the HubSpot card): connected or missing",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: {
      200: "{hubId, data: [{memberId, name, email, roleId, memberStatus, status: connected|missing, hubspotUserId, linkedAt}]}, by name",
      409: "No HubSpot account is connected",
    },
    async handler({ actor, db }) {
      const installation = await loadHubspotInstallation(db, actor.workspaceId);
      if (!installation) throw notConnected();
      return { status: 200, body: { hubId: installation.hubId, data: await listMemberLinks(db, actor.workspaceId, installation.hubId) } };
    },
  }),
  route({
    method: "delete",
    path: "/integrations/hubspot/links/:id",
    summary: "Remove a member's (`:id`) link to their HubSpot user: the card asks that HubSpot user to sign in again",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    params: IdParam,
    responses: { 204: "Removed", 404: "The member has no HubSpot link" },
    async handler({ actor, db, params, audit }) {
      const removed = await unlinkHubspotMember(db, actor.workspaceId, params.id);
      if (!removed) throw notFound("HubSpot link");
      await audit({
        action: "hubspot.user_unlink",
        targetType: "member",
        targetId: params.id,
        details: { hubId: removed.hubId, hubspotUserId: removed.hubspotUserId },
      });
      return { status: 204 };
    },
  }),
  route({
    method: "delete",
    path: "/me/integrations/hubspot",
    summary: "Remove your own link to your HubSpot user: the card asks you to sign in again",
    tag: "Integrations",
    access: anyMember,
    responses: { 204: "Removed (or there was none)" },
    async handler({ actor, db, audit }) {
      const removed = await unlinkHubspotMember(db, actor.workspaceId, actor.memberId);
      await audit({
        action: "hubspot.user_unlink",
        targetType: "member",
        targetId: actor.memberId,
        details: { hubId: removed?.hubId ?? null, hubspotUserId: removed?.hubspotUserId ?? null, removed: removed ? 1 : 0 },
      });
      return { status: 204 };
    },
  }),
];
