import { and, eq, isNotNull } from "drizzle-orm";
import { pipedriveConnections, pipedriveInstallations } from "../../server/db/schema";
import type { FakePipedrive } from "../fakes/pipedrive";
import { callback, openConnectLink, otherUser, pipedriveSuite, startConnect } from "../server/pipedrive/server-support";
import type { TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";

// A connect link is tied to the browser that opened it: the state Pipedrive hands back carries the
// hash of a secret only that browser's cookie holds, so someone else's browser completing it with
// their own Pipedrive account stores nothing in the member's workspace.

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

const attacker = otherUser({ id: 66666, company_id: 13131, name: "Eve", email: "eve@evil.test", company_domain: "evil" });
const workspaceRow = async () =>
  (await server.database.db.select().from(pipedriveConnections).where(eq(pipedriveConnections.workspaceId, team.workspace.id)))[0];
const individualRows = () =>
  server.database.db
    .select()
    .from(pipedriveInstallations)
    .where(and(eq(pipedriveInstallations.workspaceId, team.workspace.id), isNotNull(pipedriveInstallations.memberId)));
const exchangedCodes = () => fake.requests.filter((request) => request.path === "/oauth/token").length;

describe("a member starts connecting Pipedrive and another person's browser completes the callback with their own account", () => {
  it("without the member's cookie: refused, nothing stored, no code exchanged; the member's own browser still completes", async () => {
    const started = await startConnect(server, team.admin.token, "workspace");
    expect(started.cookie).toMatch(/^\w+=[\w-]{40,}$/);

    const elsewhere = await callback(server, { code: fake.issueAuthorizationCode(attacker), state: started.state });

    expect(elsewhere.status).toBe(302);
    expect(elsewhere.outcome.get("pipedrive")).toBe("error");
    expect(elsewhere.outcome.get("reason")).toBe("other_browser");
    expect(await workspaceRow()).toBeUndefined();
    expect(exchangedCodes()).toBe(0);

    const own = await callback(server, { code: fake.issueAuthorizationCode(), state: started.state }, started.cookie);
    expect(own.outcome.get("pipedrive")).toBe("connected");
    expect((await workspaceRow())?.companyId).toBe(67890);
  });

  it("with a cookie from a connection of their own: refused, nothing stored", async () => {
    const started = await startConnect(server, team.admin.token, "workspace");
    const outsider = await insertTeamDirectly(server.database.db);
    const theirs = await startConnect(server, outsider.admin.token, "workspace");

    const elsewhere = await callback(server, { code: fake.issueAuthorizationCode(attacker), state: started.state }, theirs.cookie);

    expect(elsewhere.outcome.get("reason")).toBe("other_browser");
    expect(await workspaceRow()).toBeUndefined();
    expect(exchangedCodes()).toBe(0);
  });

  it("a member's own connection: refused without their cookie, no individual connection stored", async () => {
    const started = await startConnect(server, team.agent.token, "individual");

    const elsewhere = await callback(server, { code: fake.issueAuthorizationCode(attacker), state: started.state }, "sb_pipedrive_oauth=someone-elses-secret");

    expect(elsewhere.outcome.get("reason")).toBe("other_browser");
    expect(await individualRows()).toEqual([]);
    expect((await server.api("GET", "/me/integrations", { token: team.agent.token })).body.pipedrive.status).toBe("not_connected");
  });
});

describe("a connect link opened a second time, in another browser", () => {
  it("is refused: the link ties the flow to the first browser that opens it, once", async () => {
    const started = await startConnect(server, team.admin.token, "workspace");

    const again = await openConnectLink(server, started.link);

    expect(again.status).toBe(302);
    expect(again.authorizeUrl).toBeNull();
    expect(new URLSearchParams(again.location.split("?")[1]).get("reason")).toBe("replayed");
    expect(again.cookie).toBe("");
  });
});

describe("the browser cookie", () => {
  it("is HttpOnly, SameSite=Lax, Secure on an https PUBLIC_URL, scoped to the callback, and cleared by the callback", async () => {
    const link = await server.api("POST", "/integrations/pipedrive/connect", { token: team.admin.token });
    const url = new URL(link.body.authorizeUrl);
    const opened = await fetch(`${server.url}${url.pathname}${url.search}`, { redirect: "manual" });
    const setCookie = opened.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/Path=\/api\/v1\/integrations\/pipedrive\/callback/);

    const state = new URL(opened.headers.get("location") ?? "").searchParams.get("state") as string;
    const done = await callback(server, { code: fake.issueAuthorizationCode(), state }, setCookie.split(";")[0]);
    expect(done.outcome.get("pipedrive")).toBe("connected");
    expect(done.setCookie).toMatch(/Max-Age=0/i);
  });
});
