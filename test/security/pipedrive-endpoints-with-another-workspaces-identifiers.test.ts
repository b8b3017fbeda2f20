import { signPanelToken } from "../../server/pipedrive/panel-token";
import { basicHeader, type FakePipedrive, type FakeUser } from "../fakes/pipedrive";
import { callback, connect, openConnectLink, otherUser, panelSecret, startConnect, startPipedriveStack } from "../server/pipedrive/server-support";
import type { TestServer } from "../support/server";

// Pipedrive's public endpoints (connect link, OAuth callback, uninstall notice, panel session)
// driven by workspace A, the attacker, with A's own credentials and workspace B's identifiers:
// B's workspace id and member id, B's Pipedrive company and users. Nothing of B's is read or
// changed. The other public endpoints are in public-endpoints-with-another-workspaces-identifiers.test.ts.
const password = "correct horse battery";

let fake: FakePipedrive;
let server: TestServer;
let attacker: Workspace;
let victim: Workspace;
/** The victim's Pipedrive company and the Admin who connected it (the fake's default user). */
let victimUser: FakeUser;
const attackerUser = otherUser({
  id: 66666,
  company_id: 13131,
  name: "Eve",
  email: "eve@evil.test",
  company_domain: "evil",
  company_name: "Evil Ltd",
  is_admin: true,
});
/** The attacker also has a user in the victim's Pipedrive company (a former employee, say). */
const attackerInVictimsCompany = otherUser({ id: 77777, name: "Eve at Acme", email: "eve@acme.test" });

type Workspace = Awaited<ReturnType<typeof signUp>>;

async function signUp(label: string) {
  const email = `owner-${label}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const signup = await server.api("POST", "/signup", { body: { workspaceName: `Workspace ${label}`, name: `Owner ${label}`, email, password } });
  expect(signup.status).toBe(201);
  return { token: signup.body.token as string, workspaceId: signup.body.workspace.id as string, memberId: signup.body.member.id as string };
}

const integrations = async (workspace: Workspace) => (await server.api("GET", "/integrations", { token: workspace.token })).body.pipedrive;
const trade = (token: string) => server.api("POST", "/panel/pipedrive/session", { body: { token } });
const panelToken = (user: FakeUser) => signPanelToken(panelSecret, { userId: user.id, companyId: user.company_id });
const exchangedCodes = () => fake.requests.filter((request) => request.path === "/oauth/token").length;
const uninstallUrl = () => `${server.url}/api/v1/integrations/pipedrive/callback`;

/** A signed `payload.signature` (state, ticket) with its payload rewritten and its signature kept. */
function rewritten(signed: string, change: Record<string, unknown>): string {
  const [payload, signature] = signed.split(".");
  const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
  return `${Buffer.from(JSON.stringify({ ...claims, ...change })).toString("base64url")}.${signature}`;
}

beforeAll(async () => {
  ({ fake, server } = await startPipedriveStack());
  victimUser = fake.user;
  attacker = await signUp("attacker");
  victim = await signUp("victim");
  expect((await connect(server, fake, victim.token, "workspace")).outcome.get("pipedrive")).toBe("connected");
  expect((await connect(server, fake, attacker.token, "workspace", attackerUser)).outcome.get("pipedrive")).toBe("connected");
  expect((await integrations(victim)).companyId).toBe(victimUser.company_id);
  expect((await integrations(attacker)).companyId).toBe(attackerUser.company_id);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe("a connect link whose ticket is rewritten to name another workspace and its member", () => {
  it("is refused as tampered: no browser cookie, no way on to Pipedrive, the victim's connection unchanged", async () => {
    const before = await integrations(victim);
    const link = new URL((await server.api("POST", "/integrations/pipedrive/connect", { token: attacker.token })).body.authorizeUrl);
    const ticket = link.searchParams.get("ticket") as string;
    link.searchParams.set("ticket", rewritten(ticket, { workspaceId: victim.workspaceId, memberId: victim.memberId }));

    const opened = await openConnectLink(server, link.toString());

    expect(opened.authorizeUrl).toBeNull();
    expect(new URLSearchParams(opened.location.split("?")[1]).get("reason")).toBe("tampered");
    expect(opened.cookie).toBe("");
    expect(await integrations(victim)).toEqual(before);
  });
});

describe("an OAuth state rewritten to name another workspace and its member, completed in the attacker's own browser", () => {
  it("is refused as tampered before any code is exchanged; the victim's connection is unchanged", async () => {
    const before = await integrations(victim);
    const exchanged = exchangedCodes();
    const started = await startConnect(server, attacker.token, "workspace");
    const state = rewritten(started.state, { workspaceId: victim.workspaceId, memberId: victim.memberId });

    const completed = await callback(server, { code: fake.issueAuthorizationCode(attackerUser), state }, started.cookie);

    expect(completed.outcome.get("pipedrive")).toBe("error");
    expect(completed.outcome.get("reason")).toBe("tampered");
    expect(exchangedCodes()).toBe(exchanged);
    expect(await integrations(victim)).toEqual(before);
  });
});

describe("the attacker's own connect flow completed with an authorization code for the victim's Pipedrive company", () => {
  it("is refused as company_linked_elsewhere: the victim keeps its connection and its panel, the attacker keeps its own, and nobody is mapped", async () => {
    const victimBefore = await integrations(victim);
    const attackerBefore = await integrations(attacker);

    const completed = await connect(server, fake, attacker.token, "workspace", attackerInVictimsCompany);

    expect(completed.outcome.get("pipedrive")).toBe("error");
    expect(completed.outcome.get("reason")).toBe("company_linked_elsewhere");
    expect(await integrations(victim)).toEqual(victimBefore);
    expect(await integrations(attacker)).toEqual(attackerBefore);
    // The company's panel still opens in the victim's workspace only, and not for the attacker's user there.
    const victimPanel = await trade(await panelToken(victimUser));
    expect([victimPanel.status, victimPanel.body.workspace?.id, victimPanel.body.member?.id]).toEqual([201, victim.workspaceId, victim.memberId]);
    const attackerThere = await trade(await panelToken(attackerInVictimsCompany));
    expect([attackerThere.status, attackerThere.body.code, attackerThere.body.missing, attackerThere.body.token]).toEqual([
      403,
      "crm_not_linked",
      "member_link",
      undefined,
    ]);
  });

  it("as the attacker's own Pipedrive user (their workspace is connected to another company) is refused as wrong_company", async () => {
    const completed = await connect(server, fake, attacker.token, "individual", attackerInVictimsCompany);

    expect(completed.outcome.get("reason")).toBe("wrong_company");
    expect((await server.api("GET", "/me/integrations", { token: attacker.token })).body.pipedrive.status).toBe("not_connected");
    expect((await trade(await panelToken(attackerInVictimsCompany))).status).toBe(403);
  });
});

describe("a panel token naming one workspace's Pipedrive company with another workspace's Pipedrive user", () => {
  it("the attacker's company with the victim's user, or the victim's company with the attacker's user: 403, no session", async () => {
    const victimInAttackersCompany = await trade(await panelToken({ ...victimUser, company_id: attackerUser.company_id }));
    expect([victimInAttackersCompany.status, victimInAttackersCompany.body.missing, victimInAttackersCompany.body.token]).toEqual([
      403,
      "member_link",
      undefined,
    ]);
    const attackerInVictimsCompanyToken = await trade(await panelToken({ ...attackerUser, company_id: victimUser.company_id }));
    expect([attackerInVictimsCompanyToken.status, attackerInVictimsCompanyToken.body.missing, attackerInVictimsCompanyToken.body.token]).toEqual([
      403,
      "member_link",
      undefined,
    ]);

    // Each user in their own company opens a session in their own workspace.
    const own = await trade(await panelToken(attackerUser));
    expect([own.status, own.body.workspace?.id, own.body.member?.id]).toEqual([201, attacker.workspaceId, attacker.memberId]);
    expect(own.body.token).toMatch(new RegExp(`^sbt\\.${attacker.workspaceId}\\.`));
  });

  it("the attacker's genuine panel token with its company and user rewritten to the victim's is refused (401)", async () => {
    const genuine = await panelToken(attackerUser);
    const [header, payload, signature] = genuine.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const forged = [
      header,
      Buffer.from(JSON.stringify({ ...claims, userId: victimUser.id, companyId: victimUser.company_id })).toString("base64url"),
      signature,
    ].join(".");

    const refused = await trade(forged);
    expect([refused.status, refused.body.code, refused.body.token]).toEqual([401, "unauthenticated", undefined]);
    expect((await trade(genuine)).body.workspace?.id).toBe(attacker.workspaceId);
  });
});

// Last: the app's own uninstall notice for the victim's user changes the victim's connection.
describe("Pipedrive's uninstall notice for the victim's company without the app's credentials", () => {
  it("is refused with 401 (none, a guessed secret, another app's id) and removes nothing; the app's own notice leaves the attacker's connection alone", async () => {
    const victimBefore = await integrations(victim);
    const attackerBefore = await integrations(attacker);
    for (const credentials of [null, basicHeader(fake.clientId, "a-guessed-client-secret"), basicHeader("another-apps-client-id", fake.clientSecret)]) {
      expect(await fake.deliverUninstall(uninstallUrl(), { credentials, user: victimUser })).toEqual({ status: 401 });
    }
    expect(await integrations(victim)).toEqual(victimBefore);
    expect((await trade(await panelToken(victimUser))).status).toBe(201);

    expect(await fake.deliverUninstall(uninstallUrl(), { user: victimUser })).toEqual({ status: 200 });
    expect(await integrations(attacker)).toEqual(attackerBefore);
    expect((await trade(await panelToken(attackerUser))).status).toBe(201);
  });
});
