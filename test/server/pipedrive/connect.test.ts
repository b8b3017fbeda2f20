import { and, eq } from "drizzle-orm";
import { pipedriveCompanyRoutes, pipedriveConnections, pipedriveInstallations } from "../../../server/db/schema";
import { basicHeader, type FakePipedrive } from "../../fakes/pipedrive";
import type { TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { callback, callbackUrl, connect, openConnectLink, otherUser, pipedriveSuite, publicUrl, startConnect } from "./server-support";

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

const integrations = () => server.api("GET", "/integrations", { token: team.admin.token });
const workspaceRow = async () =>
  (await server.database.db.select().from(pipedriveConnections).where(eq(pipedriveConnections.workspaceId, team.workspace.id)))[0];
/** The installation of Pipedrive user `userId` (company 67890), as stored. */
const installationRow = async (userId: number) =>
  (
    await server.database.db
      .select()
      .from(pipedriveInstallations)
      .where(and(eq(pipedriveInstallations.companyId, 67890), eq(pipedriveInstallations.pipedriveUserId, userId)))
  )[0];

describe("connecting the workspace", () => {
  it("an Admin connects: tokens are stored encrypted, the company is routed, GET /integrations shows it", async () => {
    const before = await integrations();
    expect(before.body).toEqual({
      pipedrive: { status: "not_connected", companyId: null, companyDomain: null, connectedBy: null, connectedAt: null },
      // This server has no HubSpot app (test/server/hubspot covers it).
      hubspot: { status: "not_configured", hubId: null, hubDomain: null, connectedBy: null, connectedAt: null },
    });

    const result = await connect(server, fake, team.admin.token, "workspace");

    expect(new URL(result.authorizeUrl).origin).toBe(fake.url);
    expect(new URL(result.authorizeUrl).searchParams.get("redirect_uri")).toBe(callbackUrl);
    expect(result.status).toBe(302);
    expect(result.location).toBe(`${publicUrl}/#/integrations?pipedrive=connected`);
    const after = await integrations();
    expect(after.body.pipedrive).toEqual({
      status: "connected",
      companyId: 67890,
      companyDomain: "acme",
      connectedBy: team.admin.id,
      connectedAt: expect.any(String),
      servedBy: 12345,
      sharedWith: [],
      // The consent granted every scope the app needs.
      missingScopes: [],
    });
    expect(await workspaceRow()).toMatchObject({ companyId: 67890, pipedriveUserId: 12345 });
    const row = await installationRow(12345);
    expect(row).toMatchObject({ workspaceId: team.workspace.id, memberId: null });
    const issued = fake.requests.find((request) => request.path === "/api/v1/users/me")?.authorization?.replace("Bearer ", "");
    expect(issued).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain(issued as string);
    expect(row?.refreshTokenEncrypted).not.toContain("67890:12345");
    expect(after.text).not.toContain("Encrypted");
    const log = await server.api("GET", "/audit-log?action=pipedrive.connect", { token: team.owner.token });
    expect(log.body.data).toHaveLength(1);
  });

  it("a Teammate can't connect the workspace (403 integrations.workspace)", async () => {
    const denied = await server.api("POST", "/integrations/pipedrive/connect", { token: team.teammate.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: "permission_denied", permission: "integrations.workspace" });
  });

  it("a forged state stores nothing and redirects with the reason", async () => {
    const { state, cookie } = await startConnect(server, team.admin.token, "workspace");
    const [payload] = state.split(".");
    const forged = await callback(server, { code: fake.issueAuthorizationCode(), state: `${payload}.AAAA` }, cookie);
    expect(forged.status).toBe(302);
    expect(forged.outcome.get("pipedrive")).toBe("error");
    expect(["forged", "tampered"]).toContain(forged.outcome.get("reason"));
    expect(await workspaceRow()).toBeUndefined();
    expect(fake.requests.some((request) => request.path === "/oauth/token")).toBe(false);
  });

  it("a replayed state is refused the second time", async () => {
    const first = await connect(server, fake, team.admin.token, "workspace");
    expect(first.outcome.get("pipedrive")).toBe("connected");
    await server.api("DELETE", "/integrations/pipedrive", { token: team.admin.token });
    const replay = await callback(server, { code: fake.issueAuthorizationCode(), state: first.state }, first.cookie);
    expect(replay.outcome.get("pipedrive")).toBe("error");
    expect(replay.outcome.get("reason")).toBe("replayed");
    expect(await workspaceRow()).toBeUndefined();
  });

  it("a Marketplace install without state lands on onboarding, never an error page", async () => {
    const install = await callback(server, { code: fake.issueAuthorizationCode() });
    expect(install.status).toBe(302);
    expect(install.location).toBe(`${publicUrl}/#/integrations?pipedrive=install`);
    expect(await workspaceRow()).toBeUndefined();
  });

  it("consent denied redirects with an error", async () => {
    const denied = await callback(server, { error: "user_denied" });
    expect(denied.outcome.get("pipedrive")).toBe("error");
    expect(denied.outcome.get("reason")).toBe("denied");
  });

  it("an expired access token is refreshed and the new tokens saved", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    const before = await installationRow(12345);
    await server.database.db
      .update(pipedriveInstallations)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(and(eq(pipedriveInstallations.companyId, 67890), eq(pipedriveInstallations.pipedriveUserId, 12345)));
    fake.requests.length = 0;

    const users = await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token });

    expect(users.status).toBe(200);
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /oauth/token", "GET /api/v1/users"]);
    const after = await installationRow(12345);
    expect(after?.accessTokenEncrypted).not.toBe(before?.accessTokenEncrypted);
    expect(after?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it("a revoked refresh token marks the connection reconnect_required, shown with a hint", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    fake.revokeRefreshTokens();
    const users = await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token });
    expect(users.status).toBe(409);
    const state = await integrations();
    expect(state.body.pipedrive).toMatchObject({
      status: "reconnect_required",
      reconnectReason: "refused",
      reconnectHint: expect.stringContaining("/#/integrations"),
    });
    // Reconnecting clears it.
    await connect(server, fake, team.admin.token, "workspace");
    expect((await integrations()).body.pipedrive.status).toBe("connected");
  });

  it("a company already linked to another workspace is refused", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    const elsewhere = await insertTeamDirectly(server.database.db);
    const second = await connect(server, fake, elsewhere.admin.token, "workspace");
    expect(second.outcome.get("reason")).toBe("company_linked_elsewhere");
  });

  it("disconnecting removes the tokens", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    expect((await server.api("DELETE", "/integrations/pipedrive", { token: team.admin.token })).status).toBe(204);
    expect((await integrations()).body.pipedrive.status).toBe("not_connected");
  });
});

describe("connecting a member's own Pipedrive user", () => {
  it("an Agent connects: GET /me/integrations shows it and their Pipedrive user is mapped to them", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    expect((await server.api("GET", "/me/integrations", { token: team.agent.token })).body).toEqual({
      pipedrive: { status: "not_connected", pipedriveUserId: null, workspace: { status: "connected" } },
    });

    const result = await connect(server, fake, team.agent.token, "individual", otherUser());

    expect(result.outcome.get("pipedrive")).toBe("connected");
    const mine = await server.api("GET", "/me/integrations", { token: team.agent.token });
    expect(mine.body).toEqual({
      pipedrive: { status: "connected", pipedriveUserId: 22222, name: "Grace Hopper", missingScopes: [], workspace: { status: "connected" } },
    });
    const users = await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token });
    expect(users.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pipedriveUserId: 22222, memberId: team.agent.id }),
        expect.objectContaining({ pipedriveUserId: 12345, memberId: team.admin.id }),
      ]),
    );
    const row = await installationRow(22222);
    expect(row).toMatchObject({ workspaceId: team.workspace.id, memberId: team.agent.id });
    expect(row?.accessTokenEncrypted).not.toContain("v1u:");
  });

  it("a Collaborator can't connect individually (403 integrations.individual)", async () => {
    const denied = await server.api("POST", "/me/integrations/pipedrive/connect", { token: team.collaborator.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: "permission_denied", permission: "integrations.individual" });
  });

  it("a state issued for an individual connect finishes the member's own connection, not the workspace's", async () => {
    const { state, cookie } = await startConnect(server, team.teammate.token, "individual");
    const result = await callback(server, { code: fake.issueAuthorizationCode(), state }, cookie);
    expect(result.outcome.get("pipedrive")).toBe("connected");
    expect((await server.api("GET", "/me/integrations", { token: team.teammate.token })).body.pipedrive.status).toBe("connected");
    expect(await workspaceRow()).toBeUndefined();
    expect((await integrations()).body.pipedrive.status).toBe("not_connected");
  });

  it("a connection made in a popup (from the panel) ends on the popup's own page, the outcome in the fragment; a denial there too", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    const inPopup = async (allow: boolean) => {
      const started = await server.api("POST", "/me/integrations/pipedrive/connect", { token: team.agent.token, body: { landing: "popup" } });
      expect(started.status).toBe(200);
      const opened = await openConnectLink(server, started.body.authorizeUrl);
      if (!opened.authorizeUrl) throw new Error(`the connect link answered ${opened.status}`);
      const consented = await fake.consent(opened.authorizeUrl, { user: otherUser(), allow });
      const back = new URL(consented.location);
      return callback(server, Object.fromEntries(back.searchParams), opened.cookie);
    };
    expect((await inPopup(false)).location).toBe(`${publicUrl}/pipedrive/connected/#pipedrive=error&reason=denied`);
    expect((await inPopup(true)).location).toBe(`${publicUrl}/pipedrive/connected/#pipedrive=connected&scope=me`);
    // A popup's link opened a second time is refused on the popup's page too.
    const again = await server.api("POST", "/me/integrations/pipedrive/connect", { token: team.agent.token, body: { landing: "popup" } });
    await openConnectLink(server, again.body.authorizeUrl);
    expect((await openConnectLink(server, again.body.authorizeUrl)).location).toBe(`${publicUrl}/pipedrive/connected/#pipedrive=error&reason=replayed`);
    expect((await server.api("GET", "/me/integrations", { token: team.agent.token })).body.pipedrive.status).toBe("connected");
    // Anything else is refused, and without a body the link lands on the console as before.
    const odd = await server.api("POST", "/me/integrations/pipedrive/connect", { token: team.agent.token, body: { landing: "https://evil.test" } });
    expect(odd.status).toBe(400);
  });

  it("a consent that grants less than the app needs says which access is missing at connect time, and GET /me/integrations keeps saying it", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    fake.setAppScopes(["base", "deals:full", "contacts:full", "users:read"]);
    const result = await connect(server, fake, team.agent.token, "individual", otherUser());
    expect(result.location).toBe(`${publicUrl}/#/integrations?pipedrive=connected&scope=me&missing=activities%3Afull`);
    expect((await server.api("GET", "/me/integrations", { token: team.agent.token })).body.pipedrive.missingScopes).toEqual([
      { scope: "activities:full", stops: "conversations cannot be logged as activities" },
    ]);
  });

  it("disconnecting your own user", async () => {
    await connect(server, fake, team.agent.token, "individual", otherUser());
    expect((await server.api("DELETE", "/me/integrations/pipedrive", { token: team.agent.token })).status).toBe(204);
    expect((await server.api("GET", "/me/integrations", { token: team.agent.token })).body.pipedrive.status).toBe("not_connected");
  });
});

describe("uninstall callback", () => {
  // Changed with issue 11: this test asserted that one user's notice removed every token of the
  // company (an Agent's uninstall disconnected the Admin and the workspace). Pipedrive installs per user.
  it("with Pipedrive's Basic credentials removes only that user's installation", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    await connect(server, fake, team.agent.token, "individual", otherUser());

    const delivered = await fake.uninstall(67890, 22222);

    expect(delivered.status).toBe(200);
    expect((await integrations()).body.pipedrive.status).toBe("connected");
    expect((await server.api("GET", "/me/integrations", { token: team.agent.token })).body.pipedrive.status).toBe("not_connected");
    expect(await installationRow(22222)).toBeUndefined();
    expect(await installationRow(12345)).toBeDefined();
    const routes = await server.database.db.select().from(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.workspaceId, team.workspace.id));
    expect(routes).toEqual([{ companyId: 67890, workspaceId: team.workspace.id }]);
  });

  it.each([
    ["wrong secret", basicHeader("fake-client-id", "not-the-secret")],
    ["no credentials", null],
  ])("refused with %s: nothing is removed", async (_name, credentials) => {
    await connect(server, fake, team.admin.token, "workspace");
    const delivered = await fake.deliverUninstall(`${server.url}/api/v1/integrations/pipedrive/callback`, { credentials });
    expect(delivered.status).toBe(401);
    expect((await integrations()).body.pipedrive.status).toBe("connected");
  });
});

describe("settings and user mapping", () => {
  it("anyone reads the settings (edit only with integrations.workspace); an Admin changes them", async () => {
    expect((await server.api("GET", "/integrations/pipedrive/settings", { token: team.agent.token })).body).toEqual({
      logging: "note",
      activityType: "call",
      abilities: { edit: false },
    });
    expect((await server.api("PUT", "/integrations/pipedrive/settings", { token: team.agent.token, body: { logging: "off" } })).status).toBe(403);
    const changed = await server.api("PUT", "/integrations/pipedrive/settings", { token: team.admin.token, body: { logging: "activity" } });
    expect(changed.body).toEqual({ logging: "activity", activityType: "call", abilities: { edit: true } });
    expect((await server.api("GET", "/integrations/pipedrive/settings", { token: team.admin.token })).body).toEqual({
      logging: "activity",
      activityType: "call",
      abilities: { edit: true },
    });
  });

  it("an Admin maps and unmaps a Pipedrive user", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    fake.addUser(otherUser());
    const mapped = await server.api("PUT", "/integrations/pipedrive/users/22222", { token: team.admin.token, body: { memberId: team.teammate.id } });
    expect(mapped.body).toEqual({ pipedriveUserId: 22222, memberId: team.teammate.id });
    let users = await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token });
    expect(users.body.data.find((user: { pipedriveUserId: number }) => user.pipedriveUserId === 22222)).toMatchObject({
      name: "Grace Hopper",
      memberId: team.teammate.id,
    });
    await server.api("PUT", "/integrations/pipedrive/users/22222", { token: team.admin.token, body: { memberId: null } });
    users = await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token });
    expect(users.body.data.find((user: { pipedriveUserId: number }) => user.pipedriveUserId === 22222).memberId).toBeNull();
    const strangers = await server.api("PUT", "/integrations/pipedrive/users/22222", { token: team.admin.token, body: { memberId: "mem_nobody" } });
    expect(strangers.status).toBe(404);
  });
});
