import type { ProxiedFetch } from "./ui-extensions-host";

// HubSpot's part of hubspot.fetch for the demo portal: the server signs the card's request with the
// app's client secret (POST /api/v1/dev/simulator/hubspot/sign, server/demo-crm/hubspot/
// simulator-routes.ts), appending what HubSpot appends, and the page sends it as signed. The secret
// never reaches the browser; against any other HubSpot app the signer does not exist.

export const devSignPath = "/api/v1/dev/simulator/hubspot/sign";

type Signed = { path: string; method: string; headers: Record<string, string>; body: string };

export function demoPortalProxy(identity: { portalId: number; userId: number }): ProxiedFetch {
  return async (url, options = {}) => {
    const method = (options.method ?? "GET").toUpperCase();
    const signing = await fetch(devSignPath, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url, method, body: options.body, ...identity }),
    });
    if (!signing.ok) {
      throw new Error(
        `HubSpot's proxy refused the request (${signing.status}): the simulator needs a development server whose HubSpot app is the demo portal (DEMO_CRM on, no HUBSPOT_CLIENT_ID), and one of its users.`,
      );
    }
    const signed = (await signing.json()) as Signed;
    // hubspot.fetch's timeout: 15 s unless the card asks for more (at most 120 s).
    const timeout = Math.min(options.timeout ?? 15_000, 120_000);
    return fetch(signed.path, { method: signed.method, headers: signed.headers, body: signed.body || undefined, signal: AbortSignal.timeout(timeout) });
  };
}
