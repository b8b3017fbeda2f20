// The Pipedrive callback lands on `#/integrations?pipedrive=connected|install|error&reason=…`
// (server/pipedrive/oauth-routes.ts): what happened, in a sentence.

import { requiredPipedriveScopes, scopeConsequences } from "../../../server/pipedrive/scopes";

export type OAuthOutcome = { kind: "success" | "error"; message: string };

/**
 * A connection Pipedrive granted less access than the app needs (`missing`, the scopes the
 * callback found absent): which, what stops working, and who fixes it.
 */
export function missingScopesSentence(missing: readonly string[]): string {
  if (missing.length === 0) return "";
  const known = missing.filter((scope): scope is keyof typeof scopeConsequences => scope in scopeConsequences);
  const each = known.map((scope) => `${scope} (without it ${scopeConsequences[scope]})`).join("; ");
  return (
    `Pipedrive did not grant all the access Switchboard needs: ${each}. ` +
    "An admin of the Pipedrive app must add the missing scopes to the app in Pipedrive Developer Hub, then connect again here so the access can be allowed."
  );
}

/** Why a connection did not go through, for each `reason` the callback and connect link send. */
const reasonSentences: Record<string, string> = {
  denied: "Pipedrive was not connected: access was not allowed on Pipedrive's consent page.",
  not_configured: "Pipedrive is not set up on this Switchboard server yet: the server's operator must add the Pipedrive app's credentials.",
  expired: "The connection took too long (links are valid for 5 minutes). Press Connect again.",
  replayed: "This connection link was already used. Press Connect again.",
  other_browser: "The connection was finished in a different browser from the one that started it. Press Connect again in this browser.",
  malformed: "The connection link was damaged on its way. Press Connect again.",
  forged: "The connection link was not one Switchboard made. Press Connect again.",
  tampered: "The connection link was changed on its way. Press Connect again.",
  wrong_purpose: "The connection link was made for another kind of connection. Press Connect again.",
  member_inactive: "Your membership is suspended or was removed, so the connection was not stored.",
  permission_denied: "Your role no longer allows this connection, so it was not stored. Ask an Owner or Admin.",
  company_linked_elsewhere: "This Pipedrive company is already connected to another Switchboard workspace. Disconnect it there first.",
  wrong_company: "You signed in to a different Pipedrive company from the one this workspace is connected to. Connect with your account in that company.",
  workspace_not_connected: "Connect the workspace's Pipedrive company first (an Owner or Admin does it on this page).",
  code_rejected: "Pipedrive did not accept the connection (the approval expired or was already used). Press Connect again.",
  client_rejected: "Pipedrive did not recognize this Switchboard server's app credentials: the server's operator must check them.",
  rate_limited: "Pipedrive is receiving too many requests right now. Wait a minute and press Connect again.",
  unreachable: "Pipedrive could not be reached. Check that Pipedrive is up and press Connect again.",
  server_error: "Pipedrive had a problem finishing the connection. Press Connect again.",
};

const fallback = "Pipedrive was not connected. Press Connect again; if it keeps failing, tell the server's operator.";

/** Why HubSpot was not connected, for each `reason` its callback sends (server/hubspot/routes.ts). */
const hubspotReasonSentences: Record<string, string> = {
  denied: "HubSpot was not connected: the install was cancelled on HubSpot's page.",
  not_configured: "HubSpot is not set up on this Switchboard server yet: the server's operator must add the HubSpot app's credentials.",
  portal_linked_elsewhere: "This HubSpot account is already connected to another Switchboard workspace. Disconnect it there first.",
  other_portal_connected: "This workspace is connected to another HubSpot account. Disconnect it first, then connect this one.",
  code_refused: "HubSpot did not accept the connection (the approval expired or was already used). Press Connect again.",
  hubspot_unavailable: "HubSpot could not be reached. Press Connect again in a minute.",
  member_inactive: "Your membership is suspended or was removed, so the connection was not stored.",
  permission_denied: "Your role no longer allows this connection, so it was not stored. Ask an Owner or Admin.",
};

/** The outcome in the hash's query, or null when the page was opened normally. */
export function readOAuthOutcome(hashQuery: string): OAuthOutcome | null {
  const query = new URLSearchParams(hashQuery);
  const hubspot = query.get("hubspot");
  if (hubspot === "connected") return { kind: "success", message: "HubSpot is connected to this workspace." };
  if (hubspot === "error") {
    const reason = query.get("reason") ?? "";
    // The connect link's own refusals (expired, replayed, other browser…) read the same for every CRM.
    const sentence = hubspotReasonSentences[reason] ?? reasonSentences[reason]?.replace("Pipedrive", "HubSpot");
    return { kind: "error", message: sentence ?? "HubSpot was not connected. Press Connect again; if it keeps failing, tell the server's operator." };
  }
  const result = query.get("pipedrive");
  const missing = (query.get("missing") ?? "").split(",").filter((scope) => (requiredPipedriveScopes as readonly string[]).includes(scope));
  if (result === "connected" && missing.length > 0) {
    const connected = query.get("scope") === "me" ? "Your Pipedrive account is connected" : "Pipedrive is connected to this workspace";
    return { kind: "error", message: `${connected}, but with less access than it needs. ${missingScopesSentence(missing)}` };
  }
  if (result === "connected") {
    return {
      kind: "success",
      message: query.get("scope") === "me" ? "Your Pipedrive account is connected." : "Pipedrive is connected to this workspace.",
    };
  }
  if (result === "install") {
    const installed = "Switchboard was installed in Pipedrive: finish below.";
    return missing.length > 0 ? { kind: "error", message: `${installed} ${missingScopesSentence(missing)}` } : { kind: "success", message: installed };
  }
  if (result === "error") return { kind: "error", message: reasonSentences[query.get("reason") ?? ""] ?? fallback };
  return null;
}
