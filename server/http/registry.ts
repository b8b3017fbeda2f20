import { auditRoutes } from "../audit/routes";
import { campaignRoutes } from "../campaigns/campaign-routes";
import { campaignSettingsRoutes } from "../campaigns/settings-routes";
import { templateRoutes } from "../campaigns/template-routes";
import { demoHubspotSimulatorRoutes } from "../demo-crm/hubspot/simulator-routes";
import { demoCrmSimulatorRoutes } from "../demo-crm/simulator-routes";
import { eventRoutes } from "../events/routes";
import { hubspotCardRoutes } from "../hubspot/card-routes";
import { hubspotRoutes } from "../hubspot/routes";
import { hubspotSettingsRoutes } from "../hubspot/settings-routes";
import { passwordAndProfileRoutes } from "../identity/account-routes";
import { explainRoutes } from "../identity/explain-routes";
import { identityRoutes } from "../identity/routes";
import { deletionRoutes } from "../inbox/deletion-routes";
import { exportRoutes } from "../inbox/export-routes";
import { mediaSendRoutes } from "../inbox/media-routes";
import { reactionRoutes } from "../inbox/reaction-routes";
import { readStateRoutes } from "../inbox/read-routes";
import { chatRoutes } from "../inbox/routes";
import { takeOverRoutes } from "../inbox/take-over-routes";
import { apiKeyRoutes } from "../integrations/api-key-routes";
import { devMailRoutes } from "../mail/dev-routes";
import { mediaRoutes } from "../media/routes";
import { pipedriveRoutes } from "../pipedrive/routes";
import { roleRoutes } from "../roles/routes";
import { invitationRoutes } from "../team/invitations";
import { joinRequestRoutes } from "../team/join-requests";
import { teamRoutes } from "../team/routes";
import { webhookManageRoutes } from "../webhooks/manage-routes";
import { webhookRoutes } from "../webhooks/routes";
import { accessRoutes } from "../whatsapp/access-routes";
import { accountRoutes } from "../whatsapp/account-routes";
import { inboundRoutes } from "../whatsapp/inbound-routes";
import { workspaceRoutes } from "../workspace/routes";
import type { RouteDefinition } from "./route";

/** Every API route; a new capability adds its list here. */
export const allRoutes: RouteDefinition[] = [
  ...identityRoutes,
  ...passwordAndProfileRoutes,
  ...explainRoutes,
  ...teamRoutes,
  ...invitationRoutes,
  ...joinRequestRoutes,
  ...roleRoutes,
  ...workspaceRoutes,
  ...auditRoutes,
  ...accountRoutes,
  ...accessRoutes,
  ...inboundRoutes,
  ...chatRoutes,
  ...takeOverRoutes,
  ...reactionRoutes,
  ...deletionRoutes,
  ...mediaSendRoutes,
  ...readStateRoutes,
  ...exportRoutes,
  ...mediaRoutes,
  ...eventRoutes,
  ...templateRoutes,
  ...campaignRoutes,
  ...campaignSettingsRoutes,
  ...webhookRoutes,
  ...webhookManageRoutes,
  ...apiKeyRoutes,
  ...pipedriveRoutes,
  ...hubspotRoutes,
  ...hubspotCardRoutes,
  ...hubspotSettingsRoutes,
  ...demoCrmSimulatorRoutes,
  ...demoHubspotSimulatorRoutes,
  ...devMailRoutes,
];
