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

  it("shows who created the key and when, never the key; none before the first", async () => {
    expect((await server.api("GET", "/integrations/api-key", { token: team.admin.token })).body).toEqual({ key: null });
    const created = await server.api("POST", "/integrations/api-key", { token: team.admin.token });
    const shown = await server.api("GET", "/integrations/api-key", { token: team.owner.token });
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({ key: { id: expect.stringMatching(/^tok_/), createdBy: team.admin.id, createdAt: expect.any(String) } });
    expect(shown.text).not.toContain(created.body.key.split(".")[2]);
    expect(Date.parse(shown.body.key.createdAt)).not.toBeNaN();
  });

  it("an Admin revokes the key: it stops working at once, audited; a second revoke is a 404", async () => {
    const created = await server.api("POST", "/integrations/api-key", { token: team.owner.token });
    const { id } = (await server.api("GET", "/integrations/api-key", { token: team.admin.token })).body.key;
    const revoked = await server.api("DELETE", "/integrations/api-key", { token: team.admin.token });
    expect(revoked.status).toBe(204);
    expect((await server.api("GET", "/me", { token: created.body.key })).status).toBe(401);
    expect((await server.api("GET", "/integrations/api-key", { token: team.admin.token })).body).toEqual({ key: null });
    const log = await server.api("GET", "/audit-log?action=api_key.revoke", { token: team.owner.token });
    expect(log.body.data).toEqual([expect.objectContaining({ actorId: team.admin.id, targetType: "token", targetId: id })]);
    const again = await server.api("DELETE", "/integrations/api-key", { token: team.admin.token });
    expect(again.status).toBe(404);
    expect(again.body.detail).toBe("This workspace has no API key.");
  });

  it.each(["teammate", "agent", "collaborator"] as const)("a %s may neither see nor revoke the key (403 naming the permission)", async (roleId) => {
    const created = await server.api("POST", "/integrations/api-key", { token: team.admin.token });
    for (const method of ["GET", "DELETE"]) {
      const denied = await server.api(method, "/integrations/api-key", { token: team[roleId].token });
      expect(denied.body).toMatchObject({ status: 403, code: "permission_denied", permission: "integrations.workspace" });
    }
    expect((await server.api("GET", "/me", { token: created.body.key })).status).toBe(200);
  });
});
