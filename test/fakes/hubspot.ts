import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { hubspotOptionalScopes, hubspotRequiredScopes } from "../../manifest/hubspot/generate";
import { type HubspotAppRegistration, HubspotPortals } from "../../server/demo-crm/hubspot/portal";
import { type HubspotFakeControls, hubspotFakeRouter } from "../../server/demo-crm/hubspot/router";

/**
 * A fake of HubSpot as a real HTTP server on 127.0.0.1: the install page, the dated 2026-03
 * OAuth endpoints, uninstall, and the CRM endpoints the app calls, from the same rules as the
 * demo portal (server/demo-crm/hubspot/, each rule citing HubSpot's page). The app registered
 * with it is manifest/hubspot's: its scopes, and the redirect URL the test gives.
 */
export type FakeHubspot = {
  url: string;
  app: HubspotAppRegistration;
  portals: HubspotPortals;
  controls: HubspotFakeControls;
  /**
   * What a browser does on the install page: opens `authorizeUrl`, picks the account and user
   * (a link on the page), and follows HubSpot's redirect; answers where HubSpot sent it back.
   */
  install(authorizeUrl: string, as: { hubId: number; userId: number }): Promise<{ status: number; location: string | null; page: string }>;
  close(): Promise<void>;
};

export async function startFakeHubspot(options: { redirectUri: string; clock?: () => number }): Promise<FakeHubspot> {
  const app: HubspotAppRegistration = {
    appId: 4_100_001,
    clientId: "7f2b9a34-hubspot-client-id-0001",
    clientSecret: "f3c1e2d4-hubspot-client-secret-0001",
    redirectUris: [options.redirectUri],
    requiredScopes: [...hubspotRequiredScopes],
    optionalScopes: [...hubspotOptionalScopes],
  };
  const portals = new HubspotPortals(options.clock);
  const { router, controls } = hubspotFakeRouter(app, portals);
  const server = express().use(router);
  const listening: Server = await new Promise((resolve) => {
    const started = server.listen(0, "127.0.0.1", () => resolve(started));
  });
  const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  return {
    url,
    app,
    portals,
    controls,
    async install(authorizeUrl, as) {
      const consent = await fetch(authorizeUrl, { redirect: "manual" });
      const page = await consent.text();
      if (consent.status !== 200) return { status: consent.status, location: null, page };
      const link = [...page.matchAll(/href="([^"]+)"/g)]
        .map((match) => (match[1] ?? "").replaceAll("&amp;", "&"))
        .find((href) => href.includes(`hub_id=${as.hubId}&user_id=${as.userId}`));
      if (!link) throw new Error(`the install page offers no choice for account ${as.hubId} as user ${as.userId}`);
      const decision = await fetch(new URL(link, new URL(authorizeUrl)), { redirect: "manual" });
      return { status: decision.status, location: decision.headers.get("location"), page: await decision.text() };
    },
    close: () => new Promise((resolve) => listening.close(() => resolve())),
  };
}
