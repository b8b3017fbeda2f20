import type { IndividualConnectionRow, WorkspaceConnectionRow } from "./connections";
import { reconnectHint } from "./connections";

/** The workspace connection as GET /integrations shows it: never its tokens. */
export function presentWorkspaceConnection(row: WorkspaceConnectionRow | null) {
  if (!row) return { status: "not_connected" as const, companyId: null, companyDomain: null, connectedBy: null, connectedAt: null };
  return {
    status: row.status,
    companyId: row.companyId,
    companyDomain: row.companyDomain,
    connectedBy: row.connectedBy,
    connectedAt: row.createdAt.toISOString(),
    ...(row.status === "reconnect_required" ? { reconnectHint: reconnectHint("workspace") } : {}),
  };
}

/** The member's own connection as GET /me/integrations shows it. */
export function presentIndividualConnection(row: IndividualConnectionRow | null) {
  if (!row) return { status: "not_connected" as const, pipedriveUserId: null };
  return {
    status: row.status,
    pipedriveUserId: row.pipedriveUserId,
    name: row.name,
    ...(row.status === "reconnect_required" ? { reconnectHint: reconnectHint("individual") } : {}),
  };
}
