import { eq } from "drizzle-orm";
import pg from "pg";
import { verifyAuditChains } from "../../../server/audit/verify";
import { auditLog } from "../../../server/db/schema";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually } from "../../support/sse";
import { insertTeamDirectly } from "../../support/team";

// PostgreSQL only: requests run on separate connections of the pool, so writers of one workspace's
// chain really overlap. Another session holds the workspace row (as a slow writer would) until
// more than one request is waiting on it inside its transaction; then all of them go at once.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("the activity log's chain on PostgreSQL", () => {
  it("stays one chain when writers wait on one another, and every request succeeds", async () => {
    const team = await insertTeamDirectly(server.database.db);
    const holder = new pg.Client({ connectionString: server.database.databaseUrl });
    await holder.connect();
    const waitingOnALock = async () =>
      Number(
        (
          await holder.query(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
          )
        ).rows[0].count,
      );
    let requests: Promise<{ status: number }[]> = Promise.resolve([]);
    try {
      await holder.query("begin");
      await holder.query("select id from workspaces where id = $1 for no key update", [team.workspace.id]);
      requests = Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          server.api("POST", "/invitations", { token: team.owner.token, body: { email: `overlap-${index}@acme.test`, roleId: "agent" } }),
        ),
      );
      // Requests are inside their transactions at the same time, each waiting for the chain's head.
      await eventually(async () => expect(await waitingOnALock()).toBeGreaterThanOrEqual(2), 15_000);
      await holder.query("commit");
      expect((await requests).map((response) => response.status)).toEqual(Array(8).fill(201));
    } finally {
      await holder.end();
      // A failed wait still lets the requests finish before the server closes.
      await requests.catch(() => []);
    }
    const rows = await server.database.db
      .select({ seq: auditLog.seq, action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.workspaceId, team.workspace.id));
    const invitations = rows.filter((row) => row.action === "invitation.create");
    expect(invitations).toHaveLength(8);
    const seqs = rows.map((row) => row.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    const problems = (await verifyAuditChains(server.database.db, server.services.config.auditChainKey)).filter(
      (problem) => problem.workspaceId === team.workspace.id,
    );
    expect(problems).toEqual([]);
  });
});
