import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(() => server.close());

describe("workspace API key", () => {
  it("an Admin rotates it; the old key stops working; the key acts with the rotator's current role", async () => {
    const first = await server.api("POST", "/integrations/api-key", { token: team.admin.token });
    expect(first.status).toBe(201);
    expect((await server.api("GET", "/members", { token: first.body.key })).status).toBe(200);
    const second = await server.api("POST", "/integrations/api-key", { token: team.owner.token });
    expect((await server.api("GET", "/me", { token: first.body.key })).status).toBe(401);
    expect((await server.api("GET", "/me", { token: second.body.key })).body.member.id).toBe(team.owner.id);
    const log = await server.api("GET", "/audit-log?action=api_key.rotate", { token: team.owner.token });
    expect(log.body.data).toHaveLength(2);
    expect(log.text).not.toContain(second.body.key.split(".")[2]);
  });

  it("needs integrations.workspace", async () => {
    const denied = await server.api("POST", "/integrations/api-key", { token: team.teammate.token });
    expect(denied.body).toMatchObject({ status: 403, permission: "integrations.workspace" });
  });
});
