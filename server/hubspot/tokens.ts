import { and, eq } from "drizzle-orm";
import { recordAudit } from "../audit/recorder";
import { hubspotInstallations } from "../db/schema";
import { HttpProblem } from "../http/problem";
import type { Services } from "../services";
import { hubspotApp } from "./app";
import { loadHubspotInstallation, openTokens, sealedTokens } from "./installations";
import { HubspotOAuthError, refreshHubspotTokens } from "./oauth";

// Access tokens live 30 minutes, and a 401 "is not a valid indicator" of expiry (hubspot.md §3):
// refresh before use, five minutes ahead. No transaction is held while HubSpot answers (on the
// embedded database that would stall every request): one refresh per portal at a time in this
// process, and the new tokens are written only over the refresh token they came from. A refused
// refresh (invalid_grant / BAD_REFRESH_TOKEN) means the app was uninstalled: the connection is
// marked for reconnecting, its tokens forgotten, and the activity log says so.

const refreshAheadMs = 5 * 60 * 1000;

/** HubSpot no longer accepts the workspace's connection (uninstalled, or refused); admins see it on Integrations. */
export class HubspotReconnectRequired extends HttpProblem {
  constructor() {
    super(
      409,
      "conflict",
      "HubSpot needs reconnecting",
      "HubSpot no longer accepts this workspace's connection; an admin reconnects it on the console's Integrations page (/#/integrations).",
    );
  }
}

const inFlight = new WeakMap<Services, Map<number, Promise<string>>>();

/** A usable access token for the workspace's portal, refreshed first when it is about to expire. */
export async function hubspotAccessToken(
  services: Services,
  workspaceId: string,
  now: () => number = Date.now,
): Promise<{ accessToken: string; hubId: number }> {
  const key = services.config.encryptionKey;
  const row = await loadHubspotInstallation(services.database.db, workspaceId);
  if (row?.status !== "connected") throw new HubspotReconnectRequired();
  const { accessToken, refreshToken } = openTokens(key, row);
  if (accessToken && row.accessTokenExpiresAt && row.accessTokenExpiresAt.getTime() - refreshAheadMs > now()) return { accessToken, hubId: row.hubId };
  if (!refreshToken || !row.refreshTokenEncrypted) throw new HubspotReconnectRequired();
  const refreshes = inFlight.get(services) ?? new Map<number, Promise<string>>();
  inFlight.set(services, refreshes);
  let refresh = refreshes.get(row.hubId);
  if (!refresh) {
    refresh = refreshFor(services, row.hubId, row.refreshTokenEncrypted, refreshToken, now).finally(() => refreshes.delete(row.hubId));
    refreshes.set(row.hubId, refresh);
  }
  return { accessToken: await refresh, hubId: row.hubId };
}

async function refreshFor(services: Services, hubId: number, sealedRefreshToken: string, refreshToken: string, now: () => number): Promise<string> {
  const { db } = services.database;
  const sameGrant = and(eq(hubspotInstallations.hubId, hubId), eq(hubspotInstallations.refreshTokenEncrypted, sealedRefreshToken));
  try {
    const tokens = await refreshHubspotTokens(hubspotApp(services), refreshToken, now);
    await db.update(hubspotInstallations).set(sealedTokens(services.config.encryptionKey, tokens)).where(sameGrant);
    return tokens.accessToken;
  } catch (error) {
    if (!(error instanceof HubspotOAuthError) || error.reason !== "invalid_grant") throw error;
    await db.transaction(async (tx) => {
      const [marked] = await tx
        .update(hubspotInstallations)
        .set({ status: "reconnect_required", statusReason: "uninstalled", accessTokenEncrypted: null, refreshTokenEncrypted: null, accessTokenExpiresAt: null })
        .where(sameGrant)
        .returning({ workspaceId: hubspotInstallations.workspaceId });
      // Reconnected meanwhile (a new grant): nothing to mark.
      if (!marked) return;
      await recordAudit(tx, services.config.auditChainKey, {
        workspaceId: marked.workspaceId,
        actorId: null,
        action: "hubspot.uninstalled",
        targetType: "hubspot_portal",
        targetId: String(hubId),
        details: { hubspotStatus: error.hubspotStatus, detail: error.message },
      });
    });
    throw new HubspotReconnectRequired();
  }
}
