// The OAuth scopes Switchboard's Pipedrive app asks for (the app's scopes in Developer Hub:
// manifest/pipedrive/app.json is generated from this list), and what stops working without each.
// Scopes are set per app in Developer Hub and a user accepts them all or none
// (https://pipedrive.readme.io/docs/marketplace-oauth-authorization); the token response's `scope`
// says what was granted (https://pipedrive.readme.io/docs/marketplace-oauth-authorization-code-flow),
// so an app registered without one, or an older installation, shows here at connect time.

export const requiredPipedriveScopes = ["base", "deals:full", "contacts:full", "activities:full", "users:read"] as const;
export type RequiredPipedriveScope = (typeof requiredPipedriveScopes)[number];

/** What stops working without each scope, as the Integrations page says it. */
export const scopeConsequences: Record<RequiredPipedriveScope, string> = {
  base: "Switchboard cannot tell which Pipedrive user connected",
  "deals:full": "the panel cannot read deals, and conversations are not logged on deals",
  "contacts:full": "the panel cannot read people and their phone numbers, and conversations are not logged on people",
  "activities:full": "conversations cannot be logged as activities",
  "users:read": "Pipedrive users cannot be listed and mapped to members",
};

/** The required scopes a token's `scope` (Pipedrive's comma-separated list) lacks, in the order above. */
export function missingPipedriveScopes(granted: string): RequiredPipedriveScope[] {
  const have = new Set(granted.split(/[\s,]+/).filter(Boolean));
  return requiredPipedriveScopes.filter((scope) => !have.has(scope));
}

/** Each missing scope with what stops working, for the connection's presenters. */
export const presentMissingScopes = (granted: string) => missingPipedriveScopes(granted).map((scope) => ({ scope, stops: scopeConsequences[scope] }));
