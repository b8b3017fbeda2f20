import { hubspotSignatureV3 } from "../../../server/hubspot/signature";
import { type FakeHubspot, startFakeHubspot } from "../../fakes/hubspot";
import type { TestServer } from "../../support/server";

/** The server configuration that makes the fake HubSpot our HubSpot app's home. */
export function hubspotConfigFor(fake: FakeHubspot): Record<string, string> {
  return { HUBSPOT_CLIENT_ID: fake.app.clientId, HUBSPOT_CLIENT_SECRET: fake.app.clientSecret, HUBSPOT_AUTH_URL: fake.url, HUBSPOT_API_URL: fake.url };
}

/** A fake HubSpot whose app redirect URL is set once the server (and so its callback URL) exists: see registerServer. */
export async function startHubspotFakeForServer(): Promise<FakeHubspot & { registerServer(server: TestServer): void }> {
  const fake = await startFakeHubspot({ redirectUri: "https://placeholder.invalid/callback" });
  return Object.assign(fake, {
    // The app's registered redirect URL is the server's callback (manifest/hubspot, from PUBLIC_URL).
    registerServer: (server: TestServer) => void fake.app.redirectUris.splice(0, 1, server.services.config.hubspot.redirectUri),
  });
}

let nextHubId = 60_000_000;

/** A HubSpot account of its own, with a super admin (user 1) and a rep (user 2). */
export function newPortal(fake: FakeHubspot): number {
  nextHubId += 1;
  const hubId = nextHubId;
  fake.portals.addPortal({ hubId, domain: `acme-${hubId}.hubspot.com` });
  fake.portals.addUser(hubId, { userId: 1, email: "sam@acme.example", firstName: "Sam", lastName: "Super", superAdmin: true });
  fake.portals.addUser(hubId, { userId: 2, email: "rita@acme.example", firstName: "Rita", lastName: "Rep", superAdmin: false });
  return hubId;
}

/** A browser: Connect, the connect link (its cookie kept), HubSpot's install page as `userId`, the callback. */
export async function connectThroughHubspot(
  server: TestServer,
  fake: FakeHubspot,
  token: string,
  hubId: number,
  options: { userId?: number; otherBrowser?: boolean } = {},
) {
  const started = await server.api("POST", "/integrations/hubspot/connect", { token });
  if (started.status !== 200) throw new Error(`connect: ${started.status} ${started.text}`);
  // PUBLIC_URL may name another address (a proxy in front); the test's browser reaches this server.
  const viaServer = (url: string) => url.replace(server.services.config.publicUrl, server.url);
  const link = await fetch(viaServer(started.body.authorizeUrl), { redirect: "manual" });
  const cookie = (link.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const installPage = link.headers.get("location") ?? "";
  const installed = await fake.install(installPage, { hubId, userId: options.userId ?? 1 });
  if (installed.status !== 302 || !installed.location) return { linkStatus: link.status, installPage, installed, landing: null };
  const callback = await fetch(viaServer(installed.location), { redirect: "manual", headers: options.otherBrowser ? {} : { cookie } });
  return { linkStatus: link.status, installPage, installed, landing: new URL(callback.headers.get("location") ?? "") };
}

/** The Integrations page's outcome query, e.g. {hubspot: "connected"}. */
export const landingOutcome = (landing: URL | null) => Object.fromEntries(new URLSearchParams(landing?.hash.split("?")[1] ?? ""));

/**
 * What HubSpot's proxy sends for the card's hubspot.fetch to POST /hubspot/card: the body as JSON,
 * `query` appended (portalId, userId: what HubSpot appends), signed v3 with the app's client secret.
 */
export async function signedCardRequest(server: TestServer, fake: FakeHubspot, query: string, body: unknown) {
  const url = `${server.services.config.publicUrl}/api/v1/hubspot/card${query}`;
  const raw = JSON.stringify(body);
  const timestamp = String(Date.now());
  const signature = hubspotSignatureV3(fake.app.clientSecret, { method: "POST", uri: url, body: raw, timestamp });
  return server.api("POST", `/hubspot/card${query}`, {
    rawBody: raw,
    headers: { "content-type": "application/json", "x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": timestamp },
  });
}
