import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import express from "express";
import { auditLog, hubspotInstallations, members, users } from "../../../server/db/schema";
import { connectDemoWorkspaceToDemoHubspot } from "../../../server/demo/hubspot-journey";
import { demoEmail } from "../../../server/demo/members";
import { seedDemo } from "../../../server/demo/seed";
import { createDemoHubspot, demoHubspotContacts, demoHubspotPortal } from "../../../server/demo-crm/hubspot/demo-portal";
import { hubspotApi } from "../../../server/hubspot/api";
import { openTokens } from "../../../server/hubspot/installations";
import { startTestServer, type TestServer, testConfig, testPasswordCost } from "../../support/server";

// The demo workspace connects the demo HubSpot portal through the real install journey over HTTP
// (sign-in, Connect, the connect link, HubSpot's install page as its super admin, the callback),
// and the portal's grants outlive a restart of the process.

let server: TestServer;
let workspaceId: string;
beforeAll(async () => {
  server = await startTestServer({ DEMO_CRM: "on", LOG_LEVEL: "warn" }, { ownPublicUrl: true });
  await seedDemo(server.database.db, testPasswordCost, server.services.config.auditChainKey, server.services.mediaStorage);
  const [owner] = await server.database.db
    .select({ workspaceId: members.workspaceId })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(users.email, demoEmail("owner")));
  workspaceId = owner?.workspaceId as string;
});
afterAll(() => server.close());

const installation = async () => (await server.database.db.select().from(hubspotInstallations).where(eq(hubspotInstallations.workspaceId, workspaceId)))[0];

/** A demo portal in a process of its own (a restart), served over HTTP with `config`'s registration. */
async function restartedPortal(config = server.services.config) {
  const portal = createDemoHubspot(config);
  const listening: Server = await new Promise((resolve) => {
    const started = express()
      .use(portal.router)
      .listen(0, "127.0.0.1", () => resolve(started));
  });
  const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => listening.close(() => resolve())) };
}

describe("the demo workspace's connection to the demo HubSpot portal", () => {
  it("is made by the Owner through HubSpot's install page, over HTTP, and stored by the callback with its activity-log entry", async () => {
    expect(server.services.config.hubspot).toMatchObject({ usesDemoPortal: true, apiUrl: `${server.url}/dev/demo-hubspot` });
    expect(await installation()).toBeUndefined();
    expect(await connectDemoWorkspaceToDemoHubspot(server.services, server.url)).toBe("connected");
    expect(await installation()).toMatchObject({ hubId: demoHubspotPortal.hubId, status: "connected", hubDomain: demoHubspotPortal.domain });
    const demo = server.services.demoHubspot;
    const hops = (demo?.controls.requests ?? []).map((request) => `${request.method} ${request.path.split("?")[0]}`);
    expect(hops).toEqual(
      expect.arrayContaining([
        "GET /dev/demo-hubspot/oauth/authorize",
        "GET /dev/demo-hubspot/oauth/authorize/decision",
        "POST /dev/demo-hubspot/oauth/2026-03/token",
      ]),
    );
    const entries = await server.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, workspaceId));
    expect(entries.filter((entry) => entry.action === "hubspot.connect")).toHaveLength(1);
    // The app reads the portal with what it stored.
    const api = await hubspotApi(server.services, workspaceId);
    const grace = await api.request<{ id: string }>("GET", `/crm/objects/2026-03/contacts/${demoHubspotContacts.grace.id}?properties=firstname`);
    expect(grace.id).toBe(demoHubspotContacts.grace.id);
  });

  it("is left alone on the next start", async () => {
    expect(await connectDemoWorkspaceToDemoHubspot(server.services, server.url)).toBe("unchanged");
  });

  it("holds tokens a restarted demo portal still accepts (same ENCRYPTION_KEY), and one under another key refuses", async () => {
    const row = await installation();
    if (!row) throw new Error("connected in the first test");
    const { accessToken, refreshToken } = openTokens(server.services.config.encryptionKey, row);
    const { clientId, clientSecret } = server.services.config.demoHubspot;
    const restarted = await restartedPortal();
    try {
      const read = await fetch(`${restarted.url}/crm/objects/2026-03/contacts/${demoHubspotContacts.ada.id}`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(read.status).toBe(200);
      const refreshed = await fetch(`${restarted.url}/oauth/2026-03/token`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "refresh_token", client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken ?? "" }),
      });
      expect(refreshed.status).toBe(200);
      expect(await refreshed.json()).toMatchObject({ hub_id: demoHubspotPortal.hubId, token_type: "bearer" });
    } finally {
      await restarted.close();
    }
    const otherKey = testConfig({ DEMO_CRM: "on", PUBLIC_URL: server.url, ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64") });
    const stranger = await restartedPortal(otherKey);
    try {
      const refused = await fetch(`${stranger.url}/oauth/2026-03/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "refresh_token",
          client_id: otherKey.demoHubspot.clientId,
          client_secret: otherKey.demoHubspot.clientSecret,
          refresh_token: refreshToken ?? "",
        }),
      });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: "invalid_grant", status: "BAD_REFRESH_TOKEN" });
    } finally {
      await stranger.close();
    }
  });

  it("is made again on the next start once HubSpot stops accepting it (the app uninstalled there)", async () => {
    const demo = server.services.demoHubspot;
    if (!demo) throw new Error("the demo portal is on");
    demo.portals.uninstall(demoHubspotPortal.hubId);
    demo.portals.expireAccessTokens();
    // The app finds out on its next call: the refresh is refused and the connection marked.
    await expect(hubspotApi(server.services, workspaceId, () => Date.now() + 60 * 60 * 1000)).rejects.toThrow();
    expect(await installation()).toMatchObject({ status: "reconnect_required" });
    expect(await connectDemoWorkspaceToDemoHubspot(server.services, server.url)).toBe("connected");
    expect(await installation()).toMatchObject({ status: "connected" });
    const entries = await server.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, workspaceId));
    expect(entries.map((entry) => entry.action)).toEqual(expect.arrayContaining(["hubspot.uninstalled", "hubspot.reconnect"]));
  });
});
