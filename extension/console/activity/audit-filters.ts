/** The Activity log filters as the form holds them; from/to are datetime-local strings. */
export type AuditFilters = { actorId: string; action: string; from: string; to: string };

export const noAuditFilters: AuditFilters = { actorId: "", action: "", from: "", to: "" };

/** Actions the server writes today (`<resource>.<verb>`), the choices of the filter's list. */
export const knownAuditActions = [
  "workspace.create",
  "session.create",
  "session.delete",
  "invitation.create",
  "invitation.delete",
  "invitation.accept",
  "join_request.create",
  "join_request.accept",
  "join_request.reject",
  "member.role_change",
  "member.suspend",
  "member.activate",
  "member.remove",
  "chat.start",
  "chat.assign",
  "chat.unassign",
  "message.send",
  "message.react",
  "message.unreact",
  "message.delete",
  "whatsapp_account.connect",
  "whatsapp_account.disconnect",
  "whatsapp_account.access",
  "template.create",
  "template.update",
  "template.delete",
  "template.sync",
  "campaign.launch",
  "webhook.create",
  "webhook.delete",
  "webhook.enable",
  "webhook.disable",
  "webhook.delivery_retry",
  "api_key.rotate",
  "api_key.revoke",
  "export.chats",
  "export.campaign_report",
  "pipedrive.connect",
  "pipedrive.disconnect",
  "pipedrive.user_map",
  "hubspot.disconnect",
  "hubspot.user_link",
  "hubspot.user_unlink",
  "hubspot.chat_link",
  "password.change",
  "password.reset",
  "profile.update",
  "role.create",
  "role.update",
  "role.delete",
  "subscription.update",
  "workspace.update",
  "workspace.transfer",
  "api_token.create",
  "api_token.delete",
  "export.audit_log",
  "permission.denied",
] as const;

/** The query string for GET /audit-log and /audit-log/export; local times become ISO instants. */
export function auditQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(extra);
  if (filters.actorId) params.set("actorId", filters.actorId);
  if (filters.action.trim()) params.set("action", filters.action.trim());
  if (filters.from) params.set("from", new Date(filters.from).toISOString());
  if (filters.to) params.set("to", new Date(filters.to).toISOString());
  const query = params.toString();
  return query ? `?${query}` : "";
}
