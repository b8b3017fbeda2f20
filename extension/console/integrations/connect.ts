import { callApi } from "../api/client";

/**
 * Starts a Pipedrive connection: the server answers a link that must be opened at the top level
 * (it passes through Switchboard, which ties the flow to this browser, then on to Pipedrive's
 * consent page); Pipedrive sends the browser back to `#/integrations?pipedrive=…`.
 */
export async function startPipedriveConnect(purpose: "workspace" | "individual"): Promise<void> {
  const path = purpose === "workspace" ? "/integrations/pipedrive/connect" : "/me/integrations/pipedrive/connect";
  const { authorizeUrl } = await callApi<{ authorizeUrl: string }>("POST", path);
  window.location.assign(authorizeUrl);
}

/** Starts connecting the workspace's HubSpot account: through Switchboard to HubSpot's install page, back to `#/integrations?hubspot=…`. */
export async function startHubspotConnect(): Promise<void> {
  const { authorizeUrl } = await callApi<{ authorizeUrl: string }>("POST", "/integrations/hubspot/connect");
  window.location.assign(authorizeUrl);
}
