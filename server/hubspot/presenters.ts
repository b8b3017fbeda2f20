import type { HubspotInstallation } from "./installations";

/** The workspace's HubSpot connection as GET /integrations shows it (never a token). */
export function presentHubspotConnection(row: HubspotInstallation | null, configured: boolean) {
  if (!row)
    return {
      status: configured ? ("not_connected" as const) : ("not_configured" as const),
      hubId: null,
      hubDomain: null,
      connectedBy: null,
      connectedAt: null,
    };
  return {
    status: row.status,
    hubId: row.hubId,
    hubDomain: row.hubDomain,
    connectedBy: row.connectedBy,
    connectedAt: row.connectedAt.toISOString(),
    scopes: row.scopes.split(" ").filter(Boolean),
    ...(row.status === "reconnect_required"
      ? {
          reconnectReason: row.statusReason === "uninstalled" ? ("uninstalled" as const) : ("refused" as const),
          reconnectHint: "An admin reconnects HubSpot on the console's Integrations page (/#/integrations).",
        }
      : {}),
  };
}
