import { eq } from "drizzle-orm";
import { users } from "../../../server/db/schema";
import { insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const signupBody = (email: string) => ({ workspaceName: "Acme Sales", name: "Ada Owner", email, password: "a long password" });

describe("signup", () => {
  it("creates a workspace whose Owner is the caller, and a working token", async () => {
    const signup = await server.api("POST", "/signup", { body: signupBody("ada@acme.test") });
    expect(signup.status).toBe(201);
    expect(signup.body.member).toEqual({ id: expect.any(String), name: "Ada Owner", email: "ada@acme.test", roleId: "owner", status: "active" });
    expect(signup.body.workspace).toEqual({
      id: expect.any(String),
      name: "Acme Sales",
      joinCode: expect.any(String),
      defaultCountry: null,
      agentsSeeNumbers: true,
      ownershipLock: false,
    });
    const me = await server.api("GET", "/me", { token: signup.body.token });
    expect(me.status).toBe(200);
    expect(me.body.permissions["workspace.delete"]).toBe(true);
    expect(me.body.workspace.id).toBe(signup.body.workspace.id);
  });

  it("stores the password only as a scrypt hash", async () => {
    await server.api("POST", "/signup", { body: signupBody("hash@acme.test") });
    const [user] = await server.database.db.select().from(users).where(eq(users.email, "hash@acme.test"));
    expect(user?.passwordHash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(user?.passwordHash).not.toContain("a long password");
  });

  it("refuses a second account with the same email (409) and bad input (400)", async () => {
    await server.api("POST", "/signup", { body: signupBody("twice@acme.test") });
    expect((await server.api("POST", "/signup", { body: signupBody("TWICE@acme.test") })).status).toBe(409);
    const bad = await server.api("POST", "/signup", { body: { ...signupBody("x@acme.test"), password: "short" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: "body.password", message: "must be at least 10 characters" }]);
  });
});

describe("sessions", () => {
  it("logs in with email and password and logs out by revoking that token only", async () => {
    await server.api("POST", "/signup", { body: signupBody("login@acme.test") });
    const first = await server.api("POST", "/sessions", { body: { email: "login@acme.test", password: "a long password" } });
    const second = await server.api("POST", "/sessions", { body: { email: "login@acme.test", password: "a long password" } });
    expect(first.status).toBe(201);
    expect((await server.api("DELETE", "/sessions/current", { token: first.body.token })).status).toBe(204);
    expect((await server.api("GET", "/me", { token: first.body.token })).status).toBe(401);
    expect((await server.api("GET", "/me", { token: second.body.token })).status).toBe(200);
  });

  it("answers a wrong password and an unknown email alike (401)", async () => {
    await server.api("POST", "/signup", { body: signupBody("wrong@acme.test") });
    const wrong = await server.api("POST", "/sessions", { body: { email: "wrong@acme.test", password: "not the password" } });
    const unknown = await server.api("POST", "/sessions", { body: { email: "nobody@acme.test", password: "not the password" } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it("rate-limits login attempts per address and email (429 with Retry-After)", async () => {
    await server.api("POST", "/signup", { body: signupBody("limited@acme.test") });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      statuses.push((await server.api("POST", "/sessions", { body: { email: "limited@acme.test", password: "guess number x" } })).status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    const limited = await server.api("POST", "/sessions", { body: { email: "limited@acme.test", password: "a long password" } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("rejects missing, malformed and unknown tokens with 401", async () => {
    expect((await server.api("GET", "/me")).status).toBe(401);
    expect((await server.api("GET", "/me", { token: "garbage" })).status).toBe(401);
    expect((await server.api("GET", "/me", { token: "sbt.ws_nope.secret" })).body.code).toBe("unauthenticated");
  });
});

describe("role and status are read on every request", () => {
  it("a suspension locks every token of the member on the next request, and activation restores it", async () => {
    const workspace = await insertWorkspaceDirectly(server.database.db);
    const owner = await insertMemberDirectly(server.database.db, workspace, { roleId: "owner" });
    const agent = await insertMemberDirectly(server.database.db, workspace, { roleId: "agent" });
    const login = await server.api("POST", "/sessions", { body: { email: agent.email, password: testPassword } });
    expect((await server.api("POST", `/members/${agent.id}/suspend`, { token: owner.token })).status).toBe(200);
    for (const token of [agent.token, login.body.token]) {
      const me = await server.api("GET", "/me", { token });
      expect(me.status).toBe(403);
      expect(me.body.code).toBe("member_suspended");
    }
    await server.api("POST", `/members/${agent.id}/activate`, { token: owner.token });
    expect((await server.api("GET", "/me", { token: agent.token })).status).toBe(200);
  });

  it("a role change applies on the very next request", async () => {
    const workspace = await insertWorkspaceDirectly(server.database.db);
    const owner = await insertMemberDirectly(server.database.db, workspace, { roleId: "owner" });
    const member = await insertMemberDirectly(server.database.db, workspace, { roleId: "teammate" });
    expect((await server.api("GET", "/audit-log", { token: member.token })).status).toBe(403);
    await server.api("PATCH", `/members/${member.id}`, { token: owner.token, body: { roleId: "admin" } });
    expect((await server.api("GET", "/audit-log", { token: member.token })).status).toBe(200);
  });
});

describe("personal API tokens", () => {
  it("creates, lists without secrets, authenticates with, and revokes a token", async () => {
    const workspace = await insertWorkspaceDirectly(server.database.db);
    const member = await insertMemberDirectly(server.database.db, workspace, { roleId: "agent" });
    const created = await server.api("POST", "/api-tokens", { token: member.token, body: { name: "Zapier" } });
    expect(created.status).toBe(201);
    expect((await server.api("GET", "/me", { token: created.body.token })).body.member.id).toBe(member.id);
    const list = await server.api("GET", "/api-tokens", { token: member.token });
    expect(list.body.data).toEqual([{ id: created.body.id, name: "Zapier", createdAt: expect.any(String) }]);
    expect(list.text).not.toContain(created.body.token.split(".")[2]);
    expect((await server.api("DELETE", `/api-tokens/${created.body.id}`, { token: member.token })).status).toBe(204);
    expect((await server.api("GET", "/me", { token: created.body.token })).status).toBe(401);
  });

  it("does not let a member revoke someone else's token (404)", async () => {
    const workspace = await insertWorkspaceDirectly(server.database.db);
    const owner = await insertMemberDirectly(server.database.db, workspace, { roleId: "owner" });
    const other = await insertMemberDirectly(server.database.db, workspace, { roleId: "agent" });
    const created = await server.api("POST", "/api-tokens", { token: other.token, body: { name: "mine" } });
    expect((await server.api("DELETE", `/api-tokens/${created.body.id}`, { token: owner.token })).status).toBe(404);
  });
});
