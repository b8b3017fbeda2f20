import { and, asc, eq, gt } from "drizzle-orm";
import { sealLegacyAuditChains, UnsealedAuditChains } from "../../server/audit/seal";
import { verifyAuditChains } from "../../server/audit/verify";
import { startServices } from "../../server/boot";
import { auditLog, workspaces } from "../../server/db/schema";
import { recomputeChainWithoutKey } from "../support/audit-chain";
import { startTestServer, type TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";

// Someone with database access (a backup, a replica, a stolen dump put back) deletes an entry
// from a workspace's activity log and recomputes the chain after it. Without ENCRYPTION_KEY they
// cannot produce the keyed hashes, so verification must report the rewrite, whatever hash they use.

let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  for (const step of ["suspend", "activate", "suspend"]) {
    expect((await server.api("POST", `/members/${team.agent.id}/${step}`, { token: team.owner.token })).status).toBeLessThan(300);
  }
});
afterAll(() => server.close());

const problemsOfTeam = async () =>
  (await verifyAuditChains(server.database.db, server.services.config.auditChainKey)).filter((problem) => problem.workspaceId === team.workspace.id);

describe("an attacker with database access removes an activity-log entry and recomputes the chain without the key", () => {
  it("is intact before the rewrite", async () => {
    expect(await problemsOfTeam()).toEqual([]);
  });

  it.each([
    ["plain SHA-256", "", "the chain is not keyed"],
    ["plain SHA-256 passed off as keyed", "hmac:", "was changed after it was written"],
  ])("is reported (%s)", async (_name, prefix, problem) => {
    await recomputeChainWithoutKey(server.database.db, team.workspace.id, { remove: 2, prefix });
    const problems = await problemsOfTeam();
    expect(problems.map((found) => found.problem)).toContainEqual(expect.stringContaining(problem));
  });
});

describe("an attacker with database access cuts the newest activity-log entries off and sets the head back", () => {
  it("is reported: the head's seal is keyed too, and no older head was ever sealed", async () => {
    const entries = await server.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id)).orderBy(asc(auditLog.seq));
    const kept = entries.at(-3);
    if (!kept) throw new Error("the team's log is too short to cut");
    await server.database.db.delete(auditLog).where(and(eq(auditLog.workspaceId, team.workspace.id), gt(auditLog.seq, kept.seq)));
    await server.database.db.update(workspaces).set({ auditHeadSeq: kept.seq, auditHeadHash: kept.hash }).where(eq(workspaces.id, team.workspace.id));
    const problems = await problemsOfTeam();
    expect(problems.map((found) => found.problem)).toContainEqual(expect.stringContaining("the newest entries are missing"));
  });
});

describe("an attacker with database access rewrites the log without the key and waits for it to be blessed", () => {
  it("is not sealed by the next entry: the change that would write it is refused, and verification still reports the rewrite", async () => {
    await recomputeChainWithoutKey(server.database.db, team.workspace.id, { remove: 2 });
    const next = await server.api("POST", `/members/${team.agent.id}/activate`, { token: team.owner.token });
    expect(next.status).toBe(500);
    const problems = await problemsOfTeam();
    expect(problems.map((found) => found.problem)).toContainEqual(expect.stringContaining("the chain is not keyed"));
  });

  it("is not sealed by a restart: the server refuses to start until the operator looks at it", async () => {
    await recomputeChainWithoutKey(server.database.db, team.workspace.id, { remove: 2 });
    await expect(startServices(server.services.config, server.database)).rejects.toBeInstanceOf(UnsealedAuditChains);
    // The refusal leaves this workspace's log for the operator; other tests get a fresh team.
    await sealLegacyAuditChains(server.database.db, server.services.config.auditChainKey);
  });
});
