import { eq } from "drizzle-orm";
import { auditLog, hubspotInstallations } from "../../../server/db/schema";
import { HubspotReconnectRequired, hubspotAccessToken } from "../../../server/hubspot/tokens";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { connectThroughHubspot as connectAs, hubspotConfigFor, landingOutcome, newPortal as newPortalOf, startHubspotFakeForServer } from "./support";

// Connecting a workspace's HubSpot account the way an admin does: Connect in Switchboard, HubSpot's
// install page as the portal's super admin, back through the callback in the same browser. Nothing
// is written into storage by the test; HubSpot is the strict fake (server/demo-crm/hubspot).
let fake: Awaited<ReturnType<typeof startHubspotFakeForServer>>;
let server: TestServer;
let team: Team;

beforeAll(async () => {
  fake = await startHubspotFakeForServer();
  server = await startTestServer(hubspotConfigFor(fake), { ownPublicUrl: true });
  fake.registerServer(server);
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function connectThroughHubspot(token: string, hubId: number, options: { userId?: number; otherBrowser?: boolean } = {}) {
  const connected = await connectAs(server, fake, token, hubId, options);
  expect(connected.linkStatus).toBe(302);
  expect(connected.installPage.startsWith(`${fake.url}/oauth/authorize?`)).toBe(true);
  return connected;
}
const newPortal = () => newPortalOf(fake);
const outcome = landingOutcome;

describe("connecting HubSpot", () => {
  it("an Admin connects the portal as its super admin: Integrations shows it connected, tokens are sealed at rest, the activity log names it", async () => {
    const hubId = newPortal();
    const { landing } = await connectThroughHubspot(team.admin.token, hubId);
    expect(landing?.pathname).toBe("/");
    expect(outcome(landing)).toEqual({ hubspot: "connected" });

    const integrations = await server.api("GET", "/integrations", { token: team.admin.token });
    expect(integrations.body.hubspot).toMatchObject({
      status: "connected",
      hubId,
      hubDomain: `acme-${hubId}.hubspot.com`,
      connectedBy: team.admin.id,
      scopes: expect.arrayContaining(["oauth", "crm.objects.contacts.write"]),
    });
    // HubSpot was asked at its dated endpoint, with a form body.
    const exchange = fake.controls.requests.filter((request) => request.path === "/oauth/2026-03/token").at(-1);
    expect(exchange?.body).toMatchObject({ grant_type: "authorization_code", redirect_uri: server.services.config.hubspot.redirectUri });

    const [row] = await server.database.db.select().from(hubspotInstallations).where(eq(hubspotInstallations.hubId, hubId));
    const issued = fake.controls.requests.length;
    expect(row?.accessTokenEncrypted).toBeTruthy();
    expect(JSON.stringify(row)).not.toMatch(/"CO[A-Za-z0-9_-]{40,}|na1-[0-9a-f]{8}-/);
    expect(issued).toBeGreaterThan(0);
    const entries = await server.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id));
    expect(entries.map((entry) => entry.action)).toContain("hubspot.connect");
  });

  it("an Agent may not start it (403 naming integrations.workspace); a rep who is not a super admin gets HubSpot's refusal and nothing is stored", async () => {
    const refused = await server.api("POST", "/integrations/hubspot/connect", { token: team.agent.token });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain("integrations.workspace");

    const hubId = newPortal();
    const { installed, landing } = await connectThroughHubspot(team.admin.token, hubId, { userId: 2 });
    expect(installed.status).toBe(403);
    expect(landing).toBeNull();
    expect((await server.api("GET", "/integrations", { token: team.admin.token })).body.hubspot.status).toBe("not_connected");
  });

  it("a callback finished in another browser is refused and stores nothing", async () => {
    const hubId = newPortal();
    const { landing } = await connectThroughHubspot(team.admin.token, hubId, { otherBrowser: true });
    expect(outcome(landing)).toEqual({ hubspot: "error", reason: "other_browser" });
    expect((await server.api("GET", "/integrations", { token: team.admin.token })).body.hubspot.status).toBe("not_connected");
  });

  it("a portal connected to one workspace is refused to another, whose tokens are handed back to HubSpot", async () => {
    const hubId = newPortal();
    expect(outcome((await connectThroughHubspot(team.admin.token, hubId)).landing)).toEqual({ hubspot: "connected" });
    const otherTeam = await insertTeamDirectly(server.database.db);
    const { landing } = await connectThroughHubspot(otherTeam.owner.token, hubId);
    expect(outcome(landing)).toEqual({ hubspot: "error", reason: "portal_linked_elsewhere" });
    expect(fake.controls.requests.at(-1)?.path).toBe("/oauth/2026-03/token/revoke");
    expect((await server.api("GET", "/integrations", { token: otherTeam.owner.token })).body.hubspot.status).toBe("not_connected");
  });

  it("refreshes the 30-minute access token before it expires, and a refused refresh marks the connection uninstalled for admins", async () => {
    const hubId = newPortal();
    await connectThroughHubspot(team.admin.token, hubId);
    const first = await hubspotAccessToken(server.services, team.workspace.id);
    // Still fresh: no call to HubSpot.
    const before = fake.controls.requests.length;
    expect((await hubspotAccessToken(server.services, team.workspace.id)).accessToken).toBe(first.accessToken);
    expect(fake.controls.requests.length).toBe(before);

    // 26 minutes on, within five minutes of expiry: refreshed first.
    const later = () => Date.now() + 26 * 60 * 1000;
    const refreshed = await hubspotAccessToken(server.services, team.workspace.id, later);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(fake.controls.requests.at(-1)?.body).toMatchObject({ grant_type: "refresh_token" });

    // The super admin uninstalls the app in HubSpot: the next refresh is refused.
    fake.portals.uninstall(hubId);
    await expect(hubspotAccessToken(server.services, team.workspace.id, () => Date.now() + 60 * 60 * 1000)).rejects.toBeInstanceOf(HubspotReconnectRequired);
    const integrations = await server.api("GET", "/integrations", { token: team.owner.token });
    expect(integrations.body.hubspot).toMatchObject({ status: "reconnect_required", reconnectReason: "uninstalled" });
    const entries = await server.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id));
    expect(entries.map((entry) => entry.action)).toContain("hubspot.uninstalled");

    // Reconnecting the same portal makes it work again.
    expect(outcome((await connectThroughHubspot(team.admin.token, hubId)).landing)).toEqual({ hubspot: "connected" });
    expect((await hubspotAccessToken(server.services, team.workspace.id)).hubId).toBe(hubId);
  });

  it("disconnecting revokes the grant at HubSpot and forgets it", async () => {
    const hubId = newPortal();
    await connectThroughHubspot(team.admin.token, hubId);
    const { accessToken } = await hubspotAccessToken(server.services, team.workspace.id);
    const removed = await server.api("DELETE", "/integrations/hubspot", { token: team.admin.token });
    expect(removed.status).toBe(204);
    expect(fake.controls.requests.at(-1)?.path).toBe("/oauth/2026-03/token/revoke");
    expect(fake.portals.accessToken(accessToken)?.state).toBe("dead");
    expect((await server.api("GET", "/integrations", { token: team.admin.token })).body.hubspot.status).toBe("not_connected");
    expect((await server.api("DELETE", "/integrations/hubspot", { token: team.admin.token })).status).toBe(404);
    const entries = await server.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id));
    expect(entries.map((entry) => entry.action)).toContain("hubspot.disconnect");
  });
});
