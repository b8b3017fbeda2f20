import { eq } from "drizzle-orm";
import { pipedriveAppShares, pipedriveCompanyRoutes, pipedriveInstallations } from "../../../server/db/schema";
import type { FakePipedrive } from "../../fakes/pipedrive";
import { failOnContractRefusals } from "../../support/pipedrive-contract";
import type { TestServer } from "../../support/server";
import { callbackUrl, openConnectLink, otherUser, publicUrl, startPipedriveStack } from "../pipedrive/server-support";

// Connecting Pipedrive the way an Admin does, from a workspace made through signup and an
// invitation: Connect in the console, Pipedrive's consent page (the fake's /oauth/authorize, which
// checks client_id and redirect_uri and grants the app's registered scopes), the callback in the
// same browser, then the mapping of Pipedrive users to members. Nothing is written into storage.

let fake: FakePipedrive;
let server: TestServer;
failOnContractRefusals(() => fake);
beforeAll(async () => {
  ({ fake, server } = await startPipedriveStack());
});
afterAll(async () => {
  await server.close();
  await fake.close();
});
// Each test's workspace links the fake's one company anew.
beforeEach(async () => {
  fake.reset();
  await server.database.db.delete(pipedriveCompanyRoutes);
  await server.database.db.delete(pipedriveAppShares);
});

/** A workspace as people make one: the Owner signs up and an Agent accepts an invitation. */
async function signedUpTeam(prefix: string) {
  const signup = await server.api("POST", "/signup", {
    body: { workspaceName: `${prefix} Ltd`, name: "Olive Owner", email: `olive@${prefix}.test`, password: "olive's long password" },
  });
  const invitation = await server.api("POST", "/invitations", { token: signup.body.token, body: { email: `grace@${prefix}.test`, roleId: "agent" } });
  const accepted = await server.api("POST", `/invitations/${encodeURIComponent(invitation.body.acceptToken)}/accept`, {
    body: { name: "Grace Agent", password: "grace's long password" },
  });
  if (signup.status !== 201 || accepted.status !== 201) throw new Error(`signup ${signup.status}, accept ${accepted.status}`);
  return { owner: signup.body.token as string, ownerMember: signup.body.member as { id: string }, agent: accepted.body.member as { id: string } };
}

/** Connect → the browser follows the link to Pipedrive's consent page → Allow (or Deny) → back to our callback in that browser. */
async function connectThroughConsent(token: string, consent: { allow?: boolean } = {}) {
  const started = await server.api("POST", "/integrations/pipedrive/connect", { token });
  expect(started.status).toBe(200);
  const opened = await openConnectLink(server, started.body.authorizeUrl);
  if (!opened.authorizeUrl) throw new Error(`the connect link answered ${opened.status}: ${opened.location}`);
  const consented = await fake.consent(opened.authorizeUrl, consent);
  expect(consented.status).toBe(302);
  const back = new URL(consented.location);
  expect(`${back.origin}${back.pathname}`).toBe(callbackUrl);
  const finished = await fetch(`${server.url}${back.pathname}${back.search}`, { redirect: "manual", headers: { cookie: opened.cookie } });
  await finished.arrayBuffer();
  return { authorizeUrl: new URL(opened.authorizeUrl), landing: finished.headers.get("location") ?? "" };
}

describe("connect Pipedrive through the consent page, then map Pipedrive users to members", () => {
  it("the Owner connects as Pipedrive's admin, sees the company, and maps a second Pipedrive user to the Agent", async () => {
    const team = await signedUpTeam("consent-journey");
    const { authorizeUrl, landing } = await connectThroughConsent(team.owner);

    // Pipedrive's consent page took our client and exact Callback URL, with a state; no scope parameter.
    expect(authorizeUrl.origin).toBe(fake.url);
    expect(authorizeUrl.pathname).toBe("/oauth/authorize");
    expect(Object.fromEntries(authorizeUrl.searchParams)).toEqual({ client_id: fake.clientId, redirect_uri: callbackUrl, state: expect.any(String) });
    expect(landing).toBe(`${publicUrl}/#/integrations?pipedrive=connected`);
    const integrations = await server.api("GET", "/integrations", { token: team.owner });
    expect(integrations.body.pipedrive).toMatchObject({ status: "connected", companyId: fake.user.company_id, companyDomain: "acme", servedBy: fake.user.id });

    expect(integrations.body.pipedrive.missingScopes).toEqual([]);
    // The installation holds what the consent granted: the app's registered scopes.
    const [installation] = await server.database.db
      .select({ scope: pipedriveInstallations.scope })
      .from(pipedriveInstallations)
      .where(eq(pipedriveInstallations.pipedriveUserId, fake.user.id));
    expect(installation?.scope.split(",")).toEqual([...fake.scopes()]);

    const grace = otherUser();
    fake.addUser(grace);
    const users = await server.api("GET", "/integrations/pipedrive/users", { token: team.owner });
    expect(users.status).toBe(200);
    expect(users.body.data).toEqual([
      // Whoever connects is linked to the Pipedrive user they consented as.
      expect.objectContaining({ pipedriveUserId: fake.user.id, memberId: team.ownerMember.id, linkedBy: team.ownerMember.id }),
      expect.objectContaining({ pipedriveUserId: grace.id, name: grace.name, memberId: null, ownConnection: false }),
    ]);
    const mapped = await server.api("PUT", `/integrations/pipedrive/users/${grace.id}`, { token: team.owner, body: { memberId: team.agent.id } });
    expect(mapped.status).toBe(200);
    const after = await server.api("GET", "/integrations/pipedrive/users", { token: team.owner });
    expect(after.body.data).toContainEqual(expect.objectContaining({ pipedriveUserId: grace.id, memberId: team.agent.id }));
  });

  it("an app registered without users:read: the consent grants what it has, the landing and the Integrations page say which access is missing, and the mapping answers 409, not that Pipedrive failed", async () => {
    fake.setAppScopes(["base", "deals:full", "contacts:full", "activities:full"]);
    const team = await signedUpTeam("consent-scopes");
    const { landing } = await connectThroughConsent(team.owner);
    // Said at connect time: the token response's scope lacks users:read.
    expect(landing).toBe(`${publicUrl}/#/integrations?pipedrive=connected&missing=users%3Aread`);
    const integrations = await server.api("GET", "/integrations", { token: team.owner });
    expect(integrations.body.pipedrive.missingScopes).toEqual([{ scope: "users:read", stops: "Pipedrive users cannot be listed and mapped to members" }]);
    const users = await server.api("GET", "/integrations/pipedrive/users", { token: team.owner });
    expect(fake.requests.filter((request) => request.path === "/api/v1/users").map((request) => request.pipedriveUserId)).toEqual([fake.user.id]);
    expect(users.status).toBe(409);
    // The test registered the app without the scope: Pipedrive's refusal is the scenario, not a contract slip.
    expect(fake.takeContractRefusals()).toMatchObject([{ kind: "scope", method: "GET", path: "/api/v1/users", status: 403 }]);
    expect(users.body).toMatchObject({ code: "conflict", title: "Pipedrive access not granted" });
    expect(users.body.detail).toMatch(/scope/i);
    expect(users.body.detail).toMatch(/Reconnect Pipedrive/);
  });

  it("Deny on the consent page stores nothing and says so on the Integrations page", async () => {
    const team = await signedUpTeam("consent-denied");
    const { landing } = await connectThroughConsent(team.owner, { allow: false });
    expect(new URL(landing).hash).toMatch(/^#\/integrations\?pipedrive=(denied|error)/);
    expect((await server.api("GET", "/integrations", { token: team.owner })).body.pipedrive.status).toBe("not_connected");
    expect(fake.requests.some((request) => request.path === "/oauth/token")).toBe(false);
  });
});
