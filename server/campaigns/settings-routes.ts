import { and, eq, inArray } from "drizzle-orm";
import { campaignSettings, roles } from "../db/schema";
import { invalidRequest } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { builtinRoleIds } from "../permissions";
import { lockCampaignSettings, readCampaignSettings, recipientsLaunchedToday } from "./guard-rails";
import { UpdateCampaignSettings } from "./schemas";

export const campaignSettingsRoutes = [
  route({
    method: "get",
    path: "/campaign-settings",
    summary: "The mass-sending guard rails, with today's use (UTC) by the workspace and by the caller",
    tag: "Campaigns",
    access: anyMember,
    responses: { 200: "{dailyRecipientCap, roleDailyCaps, approvalThreshold, today: {workspaceRecipients, yourRecipients, yourCap}}" },
    async handler({ actor, db }) {
      const settings = await readCampaignSettings(db, actor.workspaceId);
      const today = {
        workspaceRecipients: await recipientsLaunchedToday(db, actor.workspaceId),
        yourRecipients: await recipientsLaunchedToday(db, actor.workspaceId, actor.memberId),
        yourCap: settings.roleDailyCaps[actor.roleId] ?? null,
      };
      return { status: 200, body: { ...settings, today } };
    },
  }),
  route({
    method: "put",
    path: "/campaign-settings",
    summary: "Set the guard rails (team.manage); fields left out keep their value, null removes a cap",
    tag: "Campaigns",
    access: requires("team.manage"),
    body: UpdateCampaignSettings,
    responses: { 200: "{dailyRecipientCap, roleDailyCaps, approvalThreshold}", 400: "roleDailyCaps names a role the workspace does not have" },
    async handler({ actor, body, db, audit }) {
      if (body.roleDailyCaps) {
        const named = Object.keys(body.roleDailyCaps);
        const custom = await db
          .select({ id: roles.id })
          .from(roles)
          .where(and(eq(roles.workspaceId, actor.workspaceId), inArray(roles.id, named.length ? named : [""])));
        const known = new Set<string>([...builtinRoleIds, ...custom.map((role) => role.id)]);
        const unknown = named.filter((roleId) => !known.has(roleId));
        if (unknown.length)
          throw invalidRequest(
            "roleDailyCaps names roles this workspace does not have.",
            unknown.map((roleId) => ({ path: `body.roleDailyCaps.${roleId}`, message: "no such role" })),
          );
      }
      const before = await lockCampaignSettings(db, actor.workspaceId);
      const after = { ...before, ...body };
      await db.update(campaignSettings).set(after).where(eq(campaignSettings.workspaceId, actor.workspaceId));
      await audit({ action: "campaign_settings.update", targetType: "workspace", targetId: actor.workspaceId, details: { before, after } });
      return { status: 200, body: after };
    },
  }),
];
