import { and, eq, lt, sql } from "drizzle-orm";
import type { Database, Executor } from "../db/client";
import { pipedriveConnections, pipedriveIndividualConnections, pipedriveOAuthNonces } from "../db/schema";
import { HttpProblem } from "../http/problem";
import type { Services } from "../services";
import { createPipedriveConnector, type PipedriveClient, type PipedriveConnector } from "./client";
import { PipedriveError } from "./errors";
import type { PipedriveApp, PipedriveTokens } from "./oauth";
import type { OAuthNonceStore } from "./oauth-state";
import { openPipedriveTokens, sealPipedriveTokens } from "./token-storage";

// Stored Pipedrive installations: the workspace's company connection and members' own ones.
// Connection ids name the row they came from, so saveTokens and markReconnectRequired know
// which table to write: `ws:<workspaceId>` or `member:<workspaceId>:<memberId>`.

export type WorkspaceConnectionRow = typeof pipedriveConnections.$inferSelect;
export type IndividualConnectionRow = typeof pipedriveIndividualConnections.$inferSelect;

/** Our Marketplace app from config; 409 when this server has no Pipedrive app configured. */
export function pipedriveApp(services: Services): PipedriveApp {
  const { clientId, clientSecret, oauthHost, redirectUri } = services.config.pipedrive;
  if (!clientId || !clientSecret) {
    throw new HttpProblem(409, "conflict", "Pipedrive is not configured", "This server has no Pipedrive app (PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET).");
  }
  return { clientId, clientSecret, redirectUri, oauthHost };
}

export const isPipedriveConfigured = (services: Services) => Boolean(services.config.pipedrive.clientId && services.config.pipedrive.clientSecret);

/** Single-use values in the database (OAuth state nonces, used panel tokens), burnt for every server process at once. */
export function databaseNonceStore(db: Database): OAuthNonceStore {
  return {
    async consume(nonce, expiresAt) {
      await db.delete(pipedriveOAuthNonces).where(lt(pipedriveOAuthNonces.expiresAt, sql`now()`));
      const inserted = await db
        .insert(pipedriveOAuthNonces)
        .values({ nonce, expiresAt })
        .onConflictDoNothing()
        .returning({ nonce: pipedriveOAuthNonces.nonce });
      return inserted.length === 1;
    },
  };
}

type ConnectionKey = { kind: "workspace"; workspaceId: string } | { kind: "member"; workspaceId: string; memberId: string };

export const workspaceConnectionId = (workspaceId: string) => `ws:${workspaceId}`;
export const individualConnectionId = (workspaceId: string, memberId: string) => `member:${workspaceId}:${memberId}`;

function parseConnectionId(id: string): ConnectionKey {
  const [kind, workspaceId, memberId] = id.split(":");
  if (kind === "ws" && workspaceId) return { kind: "workspace", workspaceId };
  if (kind === "member" && workspaceId && memberId) return { kind: "member", workspaceId, memberId };
  throw new Error(`Not a Pipedrive connection id: ${id}`);
}

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
  const key = parseConnectionId(connectionId);
  const db = services.database.db;
  if (key.kind === "workspace") await db.update(pipedriveConnections).set(sealed).where(eq(pipedriveConnections.workspaceId, key.workspaceId));
  else await db.update(pipedriveIndividualConnections).set(sealed).where(individualWhere(key.workspaceId, key.memberId));
}

/** Records that Pipedrive refused the connection's refresh token: shown with a reconnect hint. */
export async function markReconnectRequired(services: Services, connectionId: string, reason: string): Promise<void> {
  const key = parseConnectionId(connectionId);
  const change = { status: "reconnect_required" as const, statusReason: reason.slice(0, 300), updatedAt: new Date() };
  const db = services.database.db;
  if (key.kind === "workspace") await db.update(pipedriveConnections).set(change).where(eq(pipedriveConnections.workspaceId, key.workspaceId));
  else await db.update(pipedriveIndividualConnections).set(change).where(individualWhere(key.workspaceId, key.memberId));
}

const individualWhere = (workspaceId: string, memberId: string) =>
  and(eq(pipedriveIndividualConnections.workspaceId, workspaceId), eq(pipedriveIndividualConnections.memberId, memberId));

export async function loadWorkspaceConnection(db: Executor, workspaceId: string): Promise<WorkspaceConnectionRow | null> {
  const [row] = await db.select().from(pipedriveConnections).where(eq(pipedriveConnections.workspaceId, workspaceId));
  return row ?? null;
}

export async function loadIndividualConnection(db: Executor, workspaceId: string, memberId: string): Promise<IndividualConnectionRow | null> {
  const [row] = await db.select().from(pipedriveIndividualConnections).where(individualWhere(workspaceId, memberId));
  return row ?? null;
}

/**
 * An authorised client for a stored connection. A refused refresh marks the row
 * reconnect_required before the error reaches the caller.
 */
export async function clientFor(services: Services, row: WorkspaceConnectionRow | IndividualConnectionRow): Promise<PipedriveClient> {
  const id = "memberId" in row ? individualConnectionId(row.workspaceId, row.memberId) : workspaceConnectionId(row.workspaceId);
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
  const row = await loadWorkspaceConnection(services.database.db, workspaceId);
  if (!row) throw new HttpProblem(409, "conflict", "Pipedrive not connected", "This workspace has no Pipedrive connection.");
  if (row.status !== "connected") throw new HttpProblem(409, "conflict", "Pipedrive needs reconnecting", reconnectHint("workspace"));
  return clientFor(services, row);
}

/** What to tell someone whose connection Pipedrive no longer accepts. */
export function reconnectHint(purpose: "workspace" | "individual"): string {
  return purpose === "workspace"
    ? "Pipedrive no longer accepts this workspace's connection (the app was uninstalled or access was revoked). An Admin must press Connect in Settings → Integrations again."
    : "Pipedrive no longer accepts your connection. Press Connect under My integrations to reconnect your Pipedrive account.";
}
