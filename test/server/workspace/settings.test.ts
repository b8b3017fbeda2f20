import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// The workspace settings behind two permissions: agentsSeeNumbers (contacts.view_numbers of the
// built-in Agent and Collaborator) and the ownership lock. Each is changed alone, by team.manage,
// logged with before and after; an empty or unknown setting is a 400 that changes nothing.
let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(() => server.close());

const patch = (token: string, body: unknown) => server.api("PATCH", "/workspace", { token, body });
const permissionsOf = async (token: string) => (await server.api("GET", "/me", { token })).body.permissions as Record<string, unknown>;

describe("workspace settings", () => {
  it("default to full numbers for everyone and no ownership lock", async () => {
    const workspace = (await server.api("GET", "/workspace", { token: team.agent.token })).body;
    expect(workspace).toMatchObject({ agentsSeeNumbers: true, ownershipLock: false });
    expect((await permissionsOf(team.agent.token))["contacts.view_numbers"]).toBe(true);
  });

  it("masking numbers takes contacts.view_numbers from built-in Agents and Collaborators only, at once", async () => {
    const changed = await patch(team.admin.token, { agentsSeeNumbers: false });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ agentsSeeNumbers: false, ownershipLock: false, defaultCountry: null });
    expect((await permissionsOf(team.agent.token))["contacts.view_numbers"]).toBe(false);
    expect((await permissionsOf(team.collaborator.token))["contacts.view_numbers"]).toBe(false);
    expect((await permissionsOf(team.teammate.token))["contacts.view_numbers"]).toBe(true);
    expect((await permissionsOf(team.admin.token))["contacts.view_numbers"]).toBe(true);
    const logged = await server.api("GET", "/audit-log?action=workspace.update", { token: team.owner.token });
    expect(logged.body.data.map((entry: { details: unknown }) => entry.details)).toEqual([
      { before: { agentsSeeNumbers: true }, after: { agentsSeeNumbers: false } },
    ]);
  });

  it("the ownership lock is set by team.manage only; an empty or unknown setting is a 400 that changes nothing", async () => {
    const denied = await patch(team.teammate.token, { ownershipLock: true });
    expect([denied.status, denied.body.permission]).toEqual([403, "team.manage"]);
    expect((await patch(team.admin.token, {})).status).toBe(400);
    expect((await patch(team.admin.token, { ownershipLock: "yes" })).status).toBe(400);
    expect((await patch(team.admin.token, { ownershipLock: true, colour: "red" })).status).toBe(400);
    expect((await server.api("GET", "/workspace", { token: team.admin.token })).body.ownershipLock).toBe(false);
    const locked = await patch(team.admin.token, { ownershipLock: true });
    expect(locked.body).toMatchObject({ ownershipLock: true, agentsSeeNumbers: true });
    const logged = await server.api("GET", "/audit-log?action=workspace.update", { token: team.owner.token });
    expect(logged.body.data.map((entry: { details: unknown }) => entry.details)).toEqual([
      { before: { ownershipLock: false }, after: { ownershipLock: true } },
    ]);
  });
});
