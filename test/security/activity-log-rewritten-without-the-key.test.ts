import { verifyAuditChains } from "../../server/audit/verify";
import { recomputeChainWithoutKey } from "../support/audit-chain";
import { startTestServer, type TestServer } from "../support/server";
import { buildTeam, type Team } from "../support/team";

// Someone with database access (a backup, a replica, a stolen dump put back) deletes an entry
// from a workspace's activity log and recomputes the chain after it. Without ENCRYPTION_KEY they
// cannot produce the keyed hashes, so verification must report the rewrite, whatever hash they use.

let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await buildTeam(server.database.db);
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
