import { eq } from "drizzle-orm";
import { pipedriveInstallationRoutes, pipedriveInstallations, pipedriveUnclaimedInstallations } from "../../../server/db/schema";
import type { FakePipedrive } from "../../fakes/pipedrive";
import type { TestServer } from "../../support/server";
import type { Team } from "../../support/team";
import { callback, connect, otherUser, pipedriveSuite } from "./server-support";

// "Install now" in Pipedrive's Marketplace sends the browser to the callback with a code and no
// state: the installation is kept, and the browser that finished it (an HttpOnly cookie) lets an
// Owner or Admin who signs in link the company to their workspace.

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

async function marketplaceInstall(user = fake.user) {
  const at = Date.now();
  const landed = await callback(server, { code: fake.issueAuthorizationCode(user) });
  return { ...landed, at, cookie: landed.setCookie.split(";")[0] ?? "" };
}

describe("a Marketplace install (code, no state)", () => {
  it("is kept, and an Admin who signs in in that browser links the company to the workspace", async () => {
    const landed = await marketplaceInstall();
    expect(landed.status).toBe(302);
    expect(landed.outcome.get("pipedrive")).toBe("install");
    expect(landed.setCookie).toContain("HttpOnly");

    const pending = await server.api("GET", "/integrations/pipedrive/install", { token: team.admin.token, headers: { cookie: landed.cookie } });
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ companyId: 67890, companyDomain: fake.user.company_domain, installedBy: fake.user.name });

    const linked = await server.api("POST", "/integrations/pipedrive/install", { token: team.admin.token, headers: { cookie: landed.cookie } });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ companyDomain: fake.user.company_domain });
    const state = await server.api("GET", "/integrations", { token: team.admin.token });
    expect(state.body.pipedrive).toMatchObject({ status: "connected", companyId: 67890, connectedBy: team.admin.id });
    // The company's users can be listed with the kept installation's token.
    expect((await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token })).status).toBe(200);
    const log = await server.api("GET", "/audit-log?action=pipedrive.connect", { token: team.owner.token });
    expect(log.body.data[0]).toMatchObject({ actorId: team.admin.id, details: { via: "marketplace" } });
  });

  it("is linked only by someone who may change the workspace's connection, and only from the browser that installed", async () => {
    const landed = await marketplaceInstall();
    const byAgent = await server.api("POST", "/integrations/pipedrive/install", { token: team.agent.token, headers: { cookie: landed.cookie } });
    expect(byAgent.status).toBe(403);
    const otherBrowser = await server.api("POST", "/integrations/pipedrive/install", { token: team.admin.token });
    expect(otherBrowser.status).toBe(404);
    const forged = await server.api("POST", "/integrations/pipedrive/install", {
      token: team.admin.token,
      headers: { cookie: `${landed.cookie.split("=")[0]}=forged.value` },
    });
    expect(forged.status).toBe(404);
    expect((await server.api("GET", "/integrations", { token: team.admin.token })).body.pipedrive.status).toBe("not_connected");
  });

  it("installed by a member who links no companies, it becomes that member's own Pipedrive connection", async () => {
    // The Admin linked the company; then Grace, a regular Pipedrive user, installs from the Marketplace and signs in as the Agent.
    await connect(server, fake, team.admin.token, "workspace");
    const grace = otherUser();
    const landed = await marketplaceInstall(grace);
    const asAgent = { token: team.agent.token, headers: { cookie: landed.cookie } };
    expect((await server.api("GET", "/integrations/pipedrive/install", asAgent)).body).toMatchObject({ installedBy: "Grace Hopper" });

    const kept = await server.api("POST", "/integrations/pipedrive/install/individual", asAgent);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ companyId: 67890, pipedriveUserId: grace.id });
    expect(kept.headers.get("set-cookie")).toContain("Max-Age=0");
    const mine = await server.api("GET", "/me/integrations", { token: team.agent.token });
    expect(mine.body.pipedrive).toMatchObject({ status: "connected", pipedriveUserId: grace.id, workspace: { status: "connected" } });
    // The workspace is still served by the Admin's installation.
    expect((await server.api("GET", "/integrations", { token: team.admin.token })).body.pipedrive).toMatchObject({ servedBy: fake.user.id });
    const log = await server.api("GET", "/audit-log?action=pipedrive.connect_individual", { token: team.owner.token });
    expect(log.body.data[0]).toMatchObject({ actorId: team.agent.id, details: { pipedriveUserId: grace.id, via: "marketplace" } });
  });

  it("is kept as one's own only with integrations.individual, from the browser that installed, for the workspace's company", async () => {
    const landed = await marketplaceInstall(otherUser());
    const byCollaborator = await server.api("POST", "/integrations/pipedrive/install/individual", {
      token: team.collaborator.token,
      headers: { cookie: landed.cookie },
    });
    expect(byCollaborator.status).toBe(403);
    expect((await server.api("POST", "/integrations/pipedrive/install/individual", { token: team.agent.token })).status).toBe(404);

    // A workspace connected to another Pipedrive company keeps its own.
    await connect(server, fake, team.admin.token, "workspace", { ...fake.user, id: 777, company_id: 55555, company_domain: "other" });
    const wrongCompany = await server.api("POST", "/integrations/pipedrive/install/individual", {
      token: team.agent.token,
      headers: { cookie: landed.cookie },
    });
    expect(wrongCompany.status).toBe(409);
    expect((await server.api("GET", "/me/integrations", { token: team.agent.token })).body.pipedrive.status).toBe("not_connected");
  });

  it("of an installation a workspace already holds, keeps it there with the new tokens; nothing waits to be claimed", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    const landed = await marketplaceInstall();
    expect(landed.outcome.get("pipedrive")).toBe("install");
    const db = server.database.db;
    expect(await db.select().from(pipedriveUnclaimedInstallations).where(eq(pipedriveUnclaimedInstallations.pipedriveUserId, fake.user.id))).toEqual([]);
    const installations = await db.select().from(pipedriveInstallations).where(eq(pipedriveInstallations.pipedriveUserId, fake.user.id));
    expect(installations).toHaveLength(1);
    const [installation] = installations;
    expect(installation).toMatchObject({ workspaceId: team.workspace.id, companyId: 67890 });
    expect(installation?.updatedAt.getTime()).toBeGreaterThanOrEqual(landed.at);
    expect((await server.api("GET", "/integrations", { token: team.admin.token })).body.pipedrive).toMatchObject({
      status: "connected",
      servedBy: fake.user.id,
    });
  });

  it("uninstalled before anyone claims it, it is gone", async () => {
    // A Pipedrive user no workspace holds an installation of.
    const alan = otherUser({ id: 33333, name: "Alan Turing", email: "alan@acme.test" });
    const unclaimed = () =>
      server.database.db.select().from(pipedriveUnclaimedInstallations).where(eq(pipedriveUnclaimedInstallations.pipedriveUserId, alan.id));
    const landed = await marketplaceInstall(alan);
    expect(await unclaimed()).toMatchObject([{ companyId: 67890, name: "Alan Turing" }]);
    expect((await fake.uninstall(67890, alan.id)).status).toBe(200);
    expect(await unclaimed()).toEqual([]);
    expect((await server.api("POST", "/integrations/pipedrive/install", { token: team.admin.token, headers: { cookie: landed.cookie } })).status).toBe(404);
  });

  it("of a user whose member was removed (their installation and its route went), waits to be claimed again", async () => {
    const ida = otherUser({ id: 44444, name: "Ida Rhodes", email: "ida@acme.test" });
    expect((await connect(server, fake, team.agent.token, "individual", ida)).outcome.get("pipedrive")).toBe("connected");
    const routeOfIda = () => server.database.db.select().from(pipedriveInstallationRoutes).where(eq(pipedriveInstallationRoutes.pipedriveUserId, ida.id));
    expect(await routeOfIda()).toHaveLength(1);
    expect((await server.api("DELETE", `/members/${team.agent.id}`, { token: team.owner.token })).status).toBe(204);
    expect(await routeOfIda()).toEqual([]);

    const landed = await marketplaceInstall(ida);
    expect(
      await server.database.db.select().from(pipedriveUnclaimedInstallations).where(eq(pipedriveUnclaimedInstallations.pipedriveUserId, ida.id)),
    ).toHaveLength(1);
    const asTeammate = { token: team.teammate.token, headers: { cookie: landed.cookie } };
    expect((await server.api("POST", "/integrations/pipedrive/install/individual", asTeammate)).status).toBe(200);
    expect((await server.api("GET", "/me/integrations", { token: team.teammate.token })).body.pipedrive).toMatchObject({
      status: "connected",
      pipedriveUserId: ida.id,
    });
  });
});
