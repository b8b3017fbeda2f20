import { z } from "zod";
import { hubspotLoggingModes, hubspotSettings } from "../db/schema";
import { anyMember, requires, route } from "../http/route";
import { holds } from "../permissions";
import { loadHubspotLoggingMode } from "./settings";

// How conversations are logged to HubSpot: one WhatsApp Communication per chat per UTC day
// (grown in place as the day goes on), one per message, or none. An Owner or Admin chooses.

const Settings = z.strictObject({ logging: z.enum(hubspotLoggingModes) });

export const hubspotSettingsRoutes = [
  route({
    method: "get",
    path: "/integrations/hubspot/settings",
    summary: "How conversations are logged to HubSpot",
    tag: "Integrations",
    access: anyMember,
    responses: { 200: "{logging: off|per_day|per_message, abilities: {edit}}" },
    async handler({ actor, db }) {
      return {
        status: 200,
        body: { logging: await loadHubspotLoggingMode(db, actor.workspaceId), abilities: { edit: holds(actor, "integrations.workspace") } },
      };
    },
  }),
  route({
    method: "put",
    path: "/integrations/hubspot/settings",
    summary: "Change how conversations are logged to HubSpot (per day, per message, or off); applies to messages from now on",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    body: Settings,
    responses: { 200: "{logging, abilities}" },
    async handler({ actor, db, body, audit }) {
      const values = { logging: body.logging, updatedBy: actor.memberId, updatedAt: new Date() };
      const [saved] = await db
        .insert(hubspotSettings)
        .values({ workspaceId: actor.workspaceId, ...values })
        .onConflictDoUpdate({ target: hubspotSettings.workspaceId, set: values })
        .returning({ logging: hubspotSettings.logging });
      await audit({ action: "hubspot.settings_change", targetType: "workspace", targetId: actor.workspaceId, details: { ...saved } });
      return { status: 200, body: { ...saved, abilities: { edit: true } } };
    },
  }),
];
