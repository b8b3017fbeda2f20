import { and, eq, sql } from "drizzle-orm";
import { verifyAuditChains } from "../../../server/audit/verify";
import { auditLog } from "../../../server/db/schema";
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

const entries = async (token: string, query = "") => (await server.api("GET", `/audit-log${query}`, { token })).body.data;

describe("activity log", () => {
  it("records a mutation with actor, target, IP, user agent and before/after", async () => {
    await server.api("PATCH", `/members/${team.agent.id}`, {
      token: team.admin.token,
      body: { roleId: "teammate" },
      headers: { "user-agent": "console-test" },
    });
    const [entry] = await entries(team.admin.token, "?action=member.role_change");
    expect(entry).toEqual({
      id: expect.any(String),
      at: expect.any(String),
      actorId: team.admin.id,
      action: "member.role_change",
      targetType: "member",
      targetId: team.agent.id,
      ip: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: "console-test",
      details: { before: { roleId: "agent" }, after: { roleId: "teammate" } },
    });
  });

  it("records denied attempts on mutations, naming the permission", async () => {
    await server.api("POST", "/invitations", { token: team.agent.token, body: { email: "x@acme.test", roleId: "agent" } });
    const [entry] = await entries(team.owner.token, "?action=permission.denied");
    expect(entry).toMatchObject({ actorId: team.agent.id, details: { method: "POST", path: "/api/v1/invitations", permission: "team.manage" } });
  });

  it("writes nothing when the mutation fails before writing (a 404)", async () => {
    const before = (await entries(team.owner.token)).length;
    expect((await server.api("DELETE", "/roles/role_missing", { token: team.owner.token })).status).toBe(404);
    expect((await entries(team.owner.token)).length).toBe(before);
  });

  // The database refuses at a chosen point, after the role change was written: a write made outside
  // the request's transaction (the member update, or the entry in a transaction of its own) would stay.
  it.each([
    {
      failure: "the entry is refused after the member update",
      trigger: (name: string) =>
        `create trigger ${name} before insert on audit_log for each row when (new.workspace_id = '${team.workspace.id}') execute function ${name}()`,
      table: "audit_log",
    },
    {
      failure: "the commit is refused after the member update and the entry",
      trigger: (name: string) =>
        `create constraint trigger ${name} after update on members deferrable initially deferred for each row when (new.id = '${team.collaborator.id}') execute function ${name}()`,
      table: "members",
    },
  ])("rolls back the mutation and its entry together when $failure (same transaction)", async ({ trigger, table }) => {
    const db = server.database.db;
    const name = `refuse_${team.workspace.id.replace(/\W/g, "_").toLowerCase()}`;
    const changeRole = () => server.api("PATCH", `/members/${team.collaborator.id}`, { token: team.owner.token, body: { roleId: "agent" } });
    const roleChanges = async () => (await entries(team.owner.token, `?action=member.role_change&targetId=${team.collaborator.id}`)).length;
    await db.execute(sql.raw(`create function ${name}() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$`));
    await db.execute(sql.raw(trigger(name)));
    try {
      expect((await changeRole()).status).toBe(500);
      expect((await server.api("GET", "/me", { token: team.collaborator.token })).body.member.roleId).toBe("collaborator");
      expect(await roleChanges()).toBe(0);
    } finally {
      await db.execute(sql.raw(`drop trigger ${name} on ${table}`));
      await db.execute(sql.raw(`drop function ${name}()`));
    }
    // The same request, nothing refusing: both writes land.
    expect((await changeRole()).status).toBe(200);
    expect((await server.api("GET", "/me", { token: team.collaborator.token })).body.member.roleId).toBe("agent");
    expect(await roleChanges()).toBe(1);
  });

  it("filters by actor, action and time, pages newest first", async () => {
    for (const roleId of ["teammate", "agent", "teammate"]) {
      await server.api("PATCH", `/members/${team.collaborator.id}`, { token: team.owner.token, body: { roleId } });
    }
    const byActor = await entries(team.owner.token, `?actorId=${team.owner.id}&action=member.role_change`);
    expect(byActor.map((entry: { details: { after: { roleId: string } } }) => entry.details.after.roleId)).toEqual(["teammate", "agent", "teammate"]);
    const first = await server.api("GET", "/audit-log?limit=1&action=member.role_change", { token: team.owner.token });
    const second = await server.api("GET", `/audit-log?limit=1&action=member.role_change&cursor=${first.body.nextCursor}`, { token: team.owner.token });
    expect(second.body.data[0].details.after.roleId).toBe("agent");
    const future = await entries(team.owner.token, `?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(future).toEqual([]);
    expect((await server.api("GET", "/audit-log?from=yesterday", { token: team.owner.token })).status).toBe(400);
  });

  it("exports CSV to audit.view holders, and logs the export itself", async () => {
    await server.api("POST", `/members/${team.agent.id}/suspend`, { token: team.owner.token });
    const csv = await server.api("GET", "/audit-log/export", { token: team.admin.token });
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const [header, firstRow] = csv.text.trim().split("\n");
    expect(header).toBe("id,at,actorId,action,targetType,targetId,ip,userAgent,details");
    expect(firstRow).toContain("member.suspend");
    expect((await entries(team.owner.token, "?action=export.audit_log"))[0].actorId).toBe(team.admin.id);
    expect((await server.api("GET", "/audit-log/export", { token: team.teammate.token })).body.permission).toBe("audit.view");
  });

  it("has no route that edits or deletes entries", async () => {
    await server.api("POST", `/members/${team.agent.id}/suspend`, { token: team.owner.token });
    const [entry] = await entries(team.owner.token);
    for (const method of ["PATCH", "PUT", "DELETE"]) {
      expect((await server.api(method, `/audit-log/${entry.id}`, { token: team.owner.token, body: {} })).status).toBe(404);
    }
  });
});

describe("hash chain", () => {
  it("verifies intact, then detects a changed entry and a removed entry", async () => {
    await server.api("POST", `/members/${team.agent.id}/suspend`, { token: team.owner.token });
    await server.api("POST", `/members/${team.agent.id}/activate`, { token: team.owner.token });
    await server.api("POST", `/members/${team.agent.id}/suspend`, { token: team.owner.token });
    const db = server.database.db;
    const mine = <P extends { workspaceId: string }>(problems: P[]) => problems.filter((problem) => problem.workspaceId === team.workspace.id);
    expect(mine(await verifyAuditChains(db, server.services.config.auditChainKey))).toEqual([]);
    const [first] = await db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id)).orderBy(auditLog.seq).limit(1);
    await db
      .update(auditLog)
      .set({ action: "member.activate" })
      .where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.seq, first?.seq ?? 0)));
    expect(mine(await verifyAuditChains(db, server.services.config.auditChainKey))).toEqual([
      { workspaceId: team.workspace.id, seq: first?.seq, problem: "was changed after it was written" },
    ]);
    await db.delete(auditLog).where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.seq, 2)));
    expect(mine(await verifyAuditChains(db, server.services.config.auditChainKey)).map((problem) => problem.problem)).toContain("entries 2..2 are missing");
  });

  it("detects the newest entry being removed", async () => {
    await server.api("POST", `/members/${team.agent.id}/suspend`, { token: team.owner.token });
    const db = server.database.db;
    const [last] = await db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id)).orderBy(auditLog.seq);
    const all = await db.select({ seq: auditLog.seq }).from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id));
    const newest = Math.max(...all.map((row) => row.seq));
    expect(last).toBeDefined();
    await db.delete(auditLog).where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.seq, newest)));
    const problems = (await verifyAuditChains(db, server.services.config.auditChainKey)).filter((problem) => problem.workspaceId === team.workspace.id);
    expect(problems).toEqual([{ workspaceId: team.workspace.id, seq: newest, problem: "the newest entries are missing" }]);
  });

  // Each request succeeds on its own, so every one must: a writer that lost the race for the head shows as a failure.
  // On PGlite requests share one connection; concurrent-writers.postgres.test.ts holds them all waiting at once.
  it("stays one chain under concurrent writers, every one of them succeeding", async () => {
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        server.api("POST", "/invitations", { token: team.owner.token, body: { email: `concurrent-${index}@acme.test`, roleId: "agent" } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(201));
    expect(await entries(team.owner.token, "?action=invitation.create")).toHaveLength(12);
    const problems = (await verifyAuditChains(server.database.db, server.services.config.auditChainKey)).filter(
      (problem) => problem.workspaceId === team.workspace.id,
    );
    expect(problems).toEqual([]);
  });
});
