import { pipedriveIntegrationRoutes } from "./integration-routes";
import { pipedriveMarketplaceInstallRoutes } from "./marketplace-install";
import { pipedriveOAuthRoutes } from "./oauth-routes";
import { pipedrivePanelRoutes } from "./panel-routes";

/** Every Pipedrive route: connecting, state and settings, and the panel's. */
export const pipedriveRoutes = [...pipedriveOAuthRoutes, ...pipedriveMarketplaceInstallRoutes, ...pipedriveIntegrationRoutes, ...pipedrivePanelRoutes];
