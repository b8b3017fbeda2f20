import { and, eq } from "drizzle-orm";
import { auditLog } from "../../../server/db/schema";
import { insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const unique = () => Math.random().toString(36).slice(2, 9);

async function memberWithTwoSessions() {
  const member = await insertMemberDirectly(server.database.db, await insertWorkspaceDirectly(server.database.db), {
    email: `two-tabs-${unique()}@example.test`,
    name: "Tom Two",
  });
  const other = await server.api("POST", "/sessions", { body: { email: member.email, password: testPassword } });
  expect(other.status).toBe(201);
  return { member, otherSession: other.body.token as string };
}

describe("change my password", () => {
  it("needs the current password, ends my other sessions (not this one, not API tokens), and is logged", async () => {
    const { member, otherSession } = await memberWithTwoSessions();
    const apiToken = (await server.api("POST", "/api-tokens", { token: member.token, body: { name: "script" } })).body.token as string;
    const changed = await server.api("PUT", "/me/password", {
      token: member.token,
      body: { currentPassword: testPassword, newPassword: "my better password" },
    });
    expect(changed.status).toBe(204);
    expect((await server.api("GET", "/me", { token: member.token })).status).toBe(200);
    expect((await server.api("GET", "/me", { token: otherSession })).status).toBe(401);
    expect((await server.api("GET", "/me", { token: apiToken })).status).toBe(200);
    expect((await server.api("POST", "/sessions", { body: { email: member.email, password: testPassword } })).status).toBe(401);
    expect((await server.api("POST", "/sessions", { body: { email: member.email, password: "my better password" } })).status).toBe(201);
    const [entry] = await server.database.db
      .select({ actorId: auditLog.actorId, details: auditLog.details })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, member.workspaceId), eq(auditLog.action, "password.change")));
    expect(entry).toEqual({ actorId: member.id, details: { revokedSessions: 1 } });
  });

  it("refuses a wrong current password (403 wrong_password) and changes nothing", async () => {
    const { member, otherSession } = await memberWithTwoSessions();
    const refused = await server.api("PUT", "/me/password", {
      token: member.token,
      body: { currentPassword: "not my password", newPassword: "my better password" },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "wrong_password", detail: "Your current password is not right." });
    expect((await server.api("GET", "/me", { token: otherSession })).status).toBe(200);
    expect((await server.api("POST", "/sessions", { body: { email: member.email, password: testPassword } })).status).toBe(201);
  });

  it("refuses a new password under 10 characters (400)", async () => {
    const { member } = await memberWithTwoSessions();
    const refused = await server.api("PUT", "/me/password", { token: member.token, body: { currentPassword: testPassword, newPassword: "short" } });
    expect(refused.status).toBe(400);
  });
});

describe("change my name", () => {
  it("renames me, as /me shows, and logs before and after", async () => {
    const { member } = await memberWithTwoSessions();
    const renamed = await server.api("PATCH", "/me", { token: member.token, body: { name: "  Thomas Two " } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.member).toMatchObject({ id: member.id, name: "Thomas Two" });
    expect((await server.api("GET", "/me", { token: member.token })).body.member.name).toBe("Thomas Two");
    const [entry] = await server.database.db
      .select({ details: auditLog.details })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, member.workspaceId), eq(auditLog.action, "profile.update")));
    expect(entry?.details).toEqual({ before: { name: "Tom Two" }, after: { name: "Thomas Two" } });
    expect((await server.api("PATCH", "/me", { token: member.token, body: { name: "" } })).status).toBe(400);
  });
});
