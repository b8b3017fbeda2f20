import { cookieHeader } from "../http/cookies";

// The browser side of connecting a CRM, the same for each: Connect answers a link beside the
// CRM's OAuth callback carrying a signed single-use ticket; the browser that opens it gets a secret
// in an HttpOnly cookie scoped to the callback's path and goes on to the CRM with a state bound to
// that secret; the callback ends on the console's Integrations page with the outcome in the hash.
// The detour exists because Connect may be pressed inside a CRM's iframe, where a cookie would be
// a third-party one the callback never sees.

const browserCookieSeconds = 10 * 60;

/** The cookie that holds the starting browser's secret (null: forget it), sent only to the callback. */
export function oauthBrowserCookie(name: string, redirectUri: string, secret: string | null): string {
  const callback = new URL(redirectUri);
  const options = { path: callback.pathname, secure: callback.protocol === "https:" };
  return cookieHeader(name, secret ?? "", { ...options, maxAgeSeconds: secret ? browserCookieSeconds : 0 });
}

/** The connect link: `authorize` beside the callback, on the origin whose cookies the callback will receive. */
export const connectLink = (redirectUri: string, ticket: string) => `${new URL("authorize", redirectUri).toString()}?${new URLSearchParams({ ticket })}`;

/** The console's Integrations page with an outcome, e.g. `{hubspot: "connected"}`. */
export const integrationsPage = (publicUrl: string, outcome: Record<string, string>) =>
  `${publicUrl}/#/integrations?${new URLSearchParams(outcome).toString()}`;

/**
 * The page that ends a connection made in a popup (extension/pipedrive/connected/): it says how it
 * went and closes. The outcome travels in the fragment, so no server log or Referer carries it,
 * and the popup sends nothing to the window that opened it: that window asks Switchboard instead.
 */
export const popupLandingPage = (publicUrl: string, outcome: Record<string, string>) =>
  `${publicUrl}/pipedrive/connected/#${new URLSearchParams(outcome).toString()}`;

/** A redirect answer that no cache keeps and no Referer carries (it may hold a code or state). */
export const redirectTo = (location: string, headers: Record<string, string> = {}) => ({
  status: 302,
  headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer", ...headers },
});
