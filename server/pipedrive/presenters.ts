import type { InstallationRow, WorkspaceConnection } from "./connections";
import { reconnectHint } from "./connections";
import { presentMissingScopes } from "./scopes";

/** A member who can reconnect the workspace (holds integrations.workspace). */
export type Fixer = { memberId: string; name: string };
/** A Pipedrive user an admin shared the app with (Pipedrive's app-sharing notice). */
export type SharedUser = { pipedriveUserId: number; memberId: string | null; connected: boolean };

/** The workspace connection as GET /integrations shows it: never its tokens. */
export function presentWorkspaceConnection(connection: WorkspaceConnection | null, extras: { fixers: Fixer[]; sharedWith: SharedUser[] }) {
  if (!connection) return { status: "not_connected" as const, companyId: null, companyDomain: null, connectedBy: null, connectedAt: null };
  return {
    status: connection.status,
    companyId: connection.companyId,
    companyDomain: connection.companyDomain,
    connectedBy: connection.connectedBy,
    connectedAt: connection.createdAt.toISOString(),
    /** The Pipedrive user whose installation serves company-wide work. */
    servedBy: connection.pipedriveUserId,
    sharedWith: extras.sharedWith,
    /** The access the app needs that the serving installation's consent did not grant, and what stops working. */
    missingScopes: connection.installation ? presentMissingScopes(connection.installation.scope) : [],
    ...presentReconnect(connection, extras.fixers),
  };
}

/** Why the workspace connection needs reconnecting, and who can do it. */
export function presentReconnect(connection: WorkspaceConnection, fixers: Fixer[]) {
  if (connection.status !== "reconnect_required") return {};
  return {
    reconnectReason: connection.statusReason === "uninstalled" ? ("uninstalled" as const) : ("refused" as const),
    reconnectHint: reconnectHint("workspace"),
    reconnectBy: fixers,
  };
}

/** The member's own installation as GET /me/integrations shows it. */
export function presentIndividualConnection(row: InstallationRow | null) {
  if (!row) return { status: "not_connected" as const, pipedriveUserId: null };
  return {
    status: row.status,
    pipedriveUserId: row.pipedriveUserId,
    name: row.name,
    missingScopes: presentMissingScopes(row.scope),
    ...(row.status === "reconnect_required" ? { reconnectHint: reconnectHint("individual") } : {}),
  };
}
