import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { pipedriveConnections, pipedriveInstallationRoutes, pipedriveInstallations, pipedriveUnclaimedInstallations } from "../db/schema";
import { HttpProblem } from "../http/problem";
import type { Services } from "../services";
import { createPipedriveConnector, type PipedriveClient, type PipedriveConnector } from "./client";
import { PipedriveError } from "./errors";
import type { PipedriveApp, PipedriveTokens } from "./oauth";
import { openPipedriveTokens, sealPipedriveTokens } from "./token-storage";

// Stored Pipedrive installations, one per (company, user) as Pipedrive installs; the workspace's
// company connection names the one serving it. A connection id names its installation
// (`pd:<companyId>:<pipedriveUserId>`), so saveTokens and markReconnectRequired know which row to write.

export type InstallationRow = typeof pipedriveInstallations.$inferSelect;
export type InstallationKey = { companyId: number; pipedriveUserId: number };

/** The workspace connection with the state of the installation serving it (null: uninstalled). */
export type WorkspaceConnection = typeof pipedriveConnections.$inferSelect & {
  status: "connected" | "reconnect_required";
  statusReason: string | null;
  installation: InstallationRow | null;
};

export const installationId = (key: InstallationKey) => `pd:${key.companyId}:${key.pipedriveUserId}`;

function parseInstallationId(id: string): InstallationKey {
  const [kind, companyId, pipedriveUserId] = id.split(":");
  if (kind === "pd" && /^\d+$/.test(companyId ?? "") && /^\d+$/.test(pipedriveUserId ?? "")) {
    return { companyId: Number(companyId), pipedriveUserId: Number(pipedriveUserId) };
  }
  throw new Error(`Not a Pipedrive connection id: ${id}`);
}

/** Our Marketplace app from config; 409 when this server has no Pipedrive app configured. */
export function pipedriveApp(services: Services): PipedriveApp {
  const { clientId, clientSecret, oauthHost, redirectUri } = services.config.pipedrive;
  if (!clientId || !clientSecret) {
    throw new HttpProblem(409, "conflict", "Pipedrive is not configured", "This server has no Pipedrive app (PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET).");
  }
  return { clientId, clientSecret, redirectUri, oauthHost };
}

export const isPipedriveConfigured = (services: Services) => Boolean(services.config.pipedrive.clientId && services.config.pipedrive.clientSecret);

const connectors = new WeakMap<Services, PipedriveConnector>();

/** One connector per process (it shares in-flight refreshes), saving refreshed tokens to their row. */
function connectorFor(services: Services): PipedriveConnector {
  let connector = connectors.get(services);
  if (!connector) {
    connector = createPipedriveConnector({ app: pipedriveApp(services), saveTokens: (id, tokens) => saveTokens(services, id, tokens) });
    connectors.set(services, connector);
  }
  return connector;
}

async function saveTokens(services: Services, connectionId: string, tokens: PipedriveTokens): Promise<void> {
  const sealed = { ...sealPipedriveTokens(services.config.encryptionKey, tokens), status: "connected" as const, statusReason: null, updatedAt: new Date() };
  await services.database.db
    .update(pipedriveInstallations)
    .set(sealed)
    .where(installationWhere(parseInstallationId(connectionId)));
}

/** Records that Pipedrive refused the installation's refresh token: shown with a reconnect hint. */
export async function markReconnectRequired(services: Services, connectionId: string, reason: string): Promise<void> {
  const change = { status: "reconnect_required" as const, statusReason: reason.slice(0, 300), updatedAt: new Date() };
  await services.database.db
    .update(pipedriveInstallations)
    .set(change)
    .where(installationWhere(parseInstallationId(connectionId)));
}

/**
 * Where to find one installation: Pipedrive keys them by (company, user), and its route keeps it in
 * one workspace (pipedrive_installations_user_idx finds it without the workspace).
 */
export const installationWhere = (key: InstallationKey) =>
  and(eq(pipedriveInstallations.companyId, key.companyId), eq(pipedriveInstallations.pipedriveUserId, key.pipedriveUserId));

export const installationRouteWhere = (key: InstallationKey) =>
  and(eq(pipedriveInstallationRoutes.companyId, key.companyId), eq(pipedriveInstallationRoutes.pipedriveUserId, key.pipedriveUserId));

export const unclaimedInstallationWhere = (key: InstallationKey) =>
  and(eq(pipedriveUnclaimedInstallations.companyId, key.companyId), eq(pipedriveUnclaimedInstallations.pipedriveUserId, key.pipedriveUserId));

/**
 * The workspace's connection with the installation serving it. It needs reconnecting when that
 * installation is gone (its user uninstalled the app) or Pipedrive refused its refresh token.
 */
export async function loadWorkspaceConnection(db: Executor, workspaceId: string): Promise<WorkspaceConnection | null> {
  const [row] = await db
    .select({ connection: pipedriveConnections, installation: pipedriveInstallations })
    .from(pipedriveConnections)
    .leftJoin(
      pipedriveInstallations,
      and(
        eq(pipedriveInstallations.companyId, pipedriveConnections.companyId),
        eq(pipedriveInstallations.pipedriveUserId, pipedriveConnections.pipedriveUserId),
        eq(pipedriveInstallations.workspaceId, pipedriveConnections.workspaceId),
      ),
    )
    .where(eq(pipedriveConnections.workspaceId, workspaceId));
  if (!row) return null;
  const { connection, installation } = row;
  if (!installation) return { ...connection, status: "reconnect_required", statusReason: "uninstalled", installation: null };
  return { ...connection, status: installation.status, statusReason: installation.statusReason, installation };
}

/** A member's own installation in the workspace (their individual connection), or null. */
export async function loadIndividualConnection(db: Executor, workspaceId: string, memberId: string): Promise<InstallationRow | null> {
  const [row] = await db
    .select()
    .from(pipedriveInstallations)
    .where(and(eq(pipedriveInstallations.workspaceId, workspaceId), eq(pipedriveInstallations.memberId, memberId)));
  return row ?? null;
}

/**
 * An authorised client for a stored connection. A refused refresh marks the row
 * reconnect_required before the error reaches the caller.
 */
export async function clientFor(services: Services, row: InstallationRow): Promise<PipedriveClient> {
  const id = installationId(row);
  const connection = { id, tokens: openPipedriveTokens(services.config.encryptionKey, row) };
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof PipedriveError && error.reason === "reconnect_required") await markReconnectRequired(services, id, error.message);
      throw error;
    }
  };
  const client = await guard(() => connectorFor(services).getClient(connection));
  return { ...client, run: (operation) => guard(() => client.run(operation)) };
}

/** The workspace connection's client for a route; 409 when there is none or it needs reconnecting. */
export async function workspaceClient(services: Services, workspaceId: string): Promise<PipedriveClient> {
  const connection = await loadWorkspaceConnection(services.database.db, workspaceId);
  if (!connection) throw new HttpProblem(409, "conflict", "Pipedrive not connected", "This workspace has no Pipedrive connection.");
  if (connection.status !== "connected" || !connection.installation) {
    throw new HttpProblem(409, "conflict", "Pipedrive needs reconnecting", reconnectHint("workspace"));
  }
  return clientFor(services, connection.installation);
}

/** What to tell someone whose connection Pipedrive no longer accepts. */
export function reconnectHint(purpose: "workspace" | "individual"): string {
  return purpose === "workspace"
    ? "Pipedrive no longer accepts this workspace's connection (the app was uninstalled or access was revoked). An Owner or Admin must press Reconnect Pipedrive on the Integrations page of the Switchboard console (/#/integrations)."
    : "Pipedrive no longer accepts your connection. Press Reconnect my account on the Integrations page of the Switchboard console (/#/integrations).";
}
