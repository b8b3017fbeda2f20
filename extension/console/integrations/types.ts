// The Integrations API's answers, as server/pipedrive/integration-routes.ts documents them.

export type ConnectionStatus = "connected" | "reconnect_required" | "not_connected";
export type Fixer = { memberId: string; name: string };
/** A scope the app needs that the connection's consent did not grant, and what stops working without it. */
export type MissingScope = { scope: string; stops: string };

/** GET /integrations → pipedrive. */
export type WorkspacePipedrive = {
  status: ConnectionStatus;
  companyId: number | null;
  companyDomain: string | null;
  connectedBy: string | null;
  connectedAt: string | null;
  servedBy?: number;
  missingScopes?: MissingScope[];
  reconnectReason?: "uninstalled" | "refused";
  reconnectHint?: string;
  reconnectBy?: Fixer[];
};

/** GET /me/integrations → pipedrive. */
export type MyPipedrive = {
  status: ConnectionStatus;
  pipedriveUserId: number | null;
  name?: string;
  missingScopes?: MissingScope[];
  reconnectHint?: string;
  workspace: { status: ConnectionStatus; reconnectReason?: "uninstalled" | "refused"; reconnectHint?: string; reconnectBy?: Fixer[] };
};

/** GET /integrations/pipedrive/users → data[]. */
export type PipedriveUser = {
  pipedriveUserId: number;
  name: string;
  email: string;
  active: boolean;
  memberId: string | null;
  linkedBy: string | null;
  ownConnection: boolean;
};

/** GET /integrations → hubspot (server/hubspot/presenters.ts). */
export type WorkspaceHubspot = {
  status: ConnectionStatus | "not_configured";
  hubId: number | null;
  hubDomain: string | null;
  connectedBy: string | null;
  connectedAt: string | null;
  scopes?: string[];
  reconnectReason?: "uninstalled" | "refused";
  reconnectHint?: string;
};
