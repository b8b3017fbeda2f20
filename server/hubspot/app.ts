import { HttpProblem } from "../http/problem";
import type { Services } from "../services";
import type { HubspotApp } from "./oauth";

export const isHubspotConfigured = (services: Services) => Boolean(services.config.hubspot.clientId && services.config.hubspot.clientSecret);

/** Our HubSpot app as configured; 409 when this server has none. */
export function hubspotApp(services: Services): HubspotApp {
  const { clientId, clientSecret, redirectUri, authUrl, apiUrl } = services.config.hubspot;
  if (!clientId || !clientSecret) {
    throw new HttpProblem(409, "conflict", "HubSpot is not configured", "This server has no HubSpot app (HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET).");
  }
  return { clientId, clientSecret, redirectUri, authUrl, apiUrl };
}
