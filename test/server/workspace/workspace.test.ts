import { eq } from "drizzle-orm";
import { auditLog, members, workspaces } from "../../../server/db/schema";
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

describe("subscription", () => {
  it("the Owner reads and changes the plan; an Admin may not (billing.manage)", async () => {
    expect((await server.api("GET", "/workspace/subscription", { token: team.owner.token })).body).toEqual({ plan: "free", paymentProvider: null });
    expect((await server.api("PUT", "/workspace/subscription", { token: team.owner.token, body: { plan: "pro" } })).body.plan).toBe("pro");
    expect((await server.api("GET", "/workspace/subscription", { token: team.owner.token })).body.plan).toBe("pro");
    const denied = await server.api("PUT", "/workspace/subscription", { token: team.admin.token, body: { plan: "business" } });
    expect(denied.body.permission).toBe("billing.manage");
    expect((await server.api("PUT", "/workspace/subscription", { token: team.owner.token, body: { plan: "gold" } })).status).toBe(400);
  });
});

describe("workspace deletion", () => {
  it("needs the exact name; then removes every row of the workspace and every token stops working", async () => {
    const wrong = await server.api("DELETE", "/workspace", { token: team.owner.token, body: { confirm: "nope" } });
    expect(wrong.status).toBe(400);
    expect((await server.api("DELETE", "/workspace", { token: team.admin.token, body: { confirm: team.workspace.name } })).body.permission).toBe(
      "workspace.delete",
    );
    expect((await server.api("DELETE", "/workspace", { token: team.owner.token, body: { confirm: team.workspace.name } })).status).toBe(204);
    for (const member of [team.owner, team.agent]) expect((await server.api("GET", "/me", { token: member.token })).status).toBe(401);
    const db = server.database.db;
    expect(await db.select().from(workspaces).where(eq(workspaces.id, team.workspace.id))).toEqual([]);
    expect(await db.select().from(members).where(eq(members.workspaceId, team.workspace.id))).toEqual([]);
    expect(await db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id))).toEqual([]);
  });
});
