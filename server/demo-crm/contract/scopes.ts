// OAuth scopes and the endpoints each one opens, for both imitations of Pipedrive.
// https://pipedrive.readme.io/docs/marketplace-scopes-and-permissions-explanations ("List of
// scopes": each scope with the endpoints grouped under it; paths there carry no /api/v1|v2
// prefix, and v2's PATCH takes the place of v1's PUT — inferred, the table predates v2). A token
// reaches an endpoint only if one of its granted scopes lists it; otherwise Pipedrive answers 403
// `{success: false, error: "Scope and URL mismatch", errorCode: 403}`
// (https://github.com/pipedrive/client-php/issues/14, https://github.com/solspace/craft-freeform/issues/1596).
// Scopes are fixed per app in Developer Hub; the authorize URL carries none, and a user accepts
// all of them or none (same page; https://pipedrive.readme.io/docs/marketplace-oauth-authorization).

export const scopeMismatch = "Scope and URL mismatch";

export const pipedriveScopeNames = [
  "base",
  "deals:read",
  "deals:full",
  "activities:read",
  "activities:full",
  "contacts:read",
  "contacts:full",
  "users:read",
  "search:read",
] as const;
export type PipedriveScope = (typeof pipedriveScopeNames)[number];

type EndpointRule = { method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; path: string; scopes: PipedriveScope[] };

/** The endpoints the imitations serve, each with the scopes that open it (from the table above). */
export const endpointScopes: EndpointRule[] = [
  { method: "GET", path: "/users/me", scopes: ["base"] },
  { method: "GET", path: "/users", scopes: ["users:read"] },
  { method: "GET", path: "/deals/{id}", scopes: ["deals:read", "deals:full"] },
  { method: "GET", path: "/deals/{id}/permittedUsers", scopes: ["deals:read", "deals:full"] },
  { method: "GET", path: "/persons", scopes: ["contacts:read", "contacts:full"] },
  { method: "GET", path: "/persons/search", scopes: ["contacts:read", "contacts:full", "search:read"] },
  { method: "GET", path: "/persons/{id}", scopes: ["contacts:read", "contacts:full"] },
  { method: "GET", path: "/persons/{id}/permittedUsers", scopes: ["contacts:read", "contacts:full"] },
  { method: "GET", path: "/notes", scopes: ["deals:read", "deals:full", "contacts:read", "contacts:full"] },
  { method: "POST", path: "/notes", scopes: ["deals:full", "contacts:full"] },
  { method: "PUT", path: "/notes/{id}", scopes: ["deals:full", "contacts:full"] },
  { method: "POST", path: "/activities", scopes: ["activities:full"] },
  { method: "PATCH", path: "/activities/{id}", scopes: ["activities:full"] },
];

const compiled = endpointScopes.map((rule) => ({
  ...rule,
  pattern: new RegExp(`^${rule.path.replace(/\{id\}/g, "[^/]+")}$`),
}));

/**
 * The scopes that open `method path` (path as the API sees it, e.g. `/api/v2/persons/search` or
 * `/v1/notes`); null for an endpoint outside the table. Literal paths win over `{id}` ones, so
 * `/persons/search` is never read as the person "search".
 */
export function scopesOpening(method: string, path: string): PipedriveScope[] | null {
  const bare = path.replace(/^(\/api)?\/v[12]/, "");
  const candidates = compiled.filter((rule) => rule.method === method.toUpperCase() && rule.pattern.test(bare));
  const best = candidates.find((rule) => !rule.path.includes("{")) ?? candidates[0];
  return best ? best.scopes : null;
}

/** Whether a token with `granted` (Pipedrive's comma-separated `scope`, or a list) may call `method path`. */
export function scopeAllows(granted: string | readonly string[], method: string, path: string): boolean {
  const have = new Set(typeof granted === "string" ? granted.split(",").map((scope) => scope.trim()) : granted);
  const opening = scopesOpening(method, path);
  return opening?.some((scope) => have.has(scope)) ?? false;
}
