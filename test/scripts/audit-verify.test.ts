import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { and, eq, sql } from "drizzle-orm";
import { inject } from "vitest";
import { recordAudit } from "../../server/audit/recorder";
import { UnsealedAuditChains } from "../../server/audit/seal";
import { startServices, stopServices } from "../../server/boot";
import { loadConfig } from "../../server/config";
import { openDatabase, pgliteExtensions } from "../../server/db/client";
import { auditLog } from "../../server/db/schema";
import { recomputeChainWithoutKey } from "../support/audit-chain";
import { insertWorkspaceDirectly } from "../support/factories";

const run = promisify(execFile);

// The CLI and the test derive the chain key from the same ENCRYPTION_KEY.
const encryptionKey = Buffer.alloc(32, 9).toString("base64");
const chainKeyFor = (dataDir: string) => loadConfig({ DATA_DIR: dataDir, NODE_ENV: "development", ENCRYPTION_KEY: encryptionKey, LOG_LEVEL: "silent" });

const verify = (dataDir: string) => runCli("server/audit/verify-cli.ts", dataDir);
const sealLegacy = (dataDir: string) => runCli("server/audit/seal-cli.ts", dataDir);

async function runCli(script: string, dataDir: string) {
  try {
    const { DATABASE_URL: _unused, ...env } = process.env;
    const { stdout } = await run("npx", ["tsx", script], {
      env: { ...env, DATA_DIR: dataDir, NODE_ENV: "development", ENCRYPTION_KEY: encryptionKey },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, stdout: failure.stdout };
  }
}

/** A data dir seeded from the prepared template (the way the server finds it on disk) with a workspace logging `actions`. */
async function dataDirWithLog(actions: string[]) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sb-verify-"));
  const template = new Blob([readFileSync(inject("pgliteTemplate"))]);
  const { PGlite } = await import("@electric-sql/pglite");
  const seeded = await PGlite.create(path.join(dataDir, "pglite"), { loadDataDir: template, extensions: pgliteExtensions });
  await seeded.close();
  const handle = await openDatabase({ dataDir });
  const workspace = await insertWorkspaceDirectly(handle.db);
  const { auditChainKey } = chainKeyFor(dataDir);
  for (const action of actions) {
    await handle.db.transaction((tx) => recordAudit(tx, auditChainKey, { workspaceId: workspace.id, actorId: null, action }));
  }
  await handle.close();
  return { dataDir, workspace };
}

// Each case spawns the CLI (tsx) two to four times: slow on a busy machine.
describe("npm run audit:verify", { timeout: 180_000 }, () => {
  it("exits 0 on an intact log and 1, naming the entry, once an entry is changed", async () => {
    const { dataDir, workspace } = await dataDirWithLog(["member.suspend", "member.activate"]);
    const intact = await verify(dataDir);
    expect(intact).toEqual({ code: 0, stdout: expect.stringContaining("activity log intact") });

    const tampering = await openDatabase({ dataDir });
    await tampering.db.execute(sql`update audit_log set action = 'member.suspend' where seq = 2`);
    await tampering.close();
    const broken = await verify(dataDir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`workspace ${workspace.id} entry 2: was changed after it was written`);
  });

  // Someone with database access but not ENCRYPTION_KEY removes an entry and recomputes every
  // link after it with plain SHA-256 — bare, or passed off under the keyed hashes' prefix.
  it.each([
    ["bare SHA-256", "", "the chain is not keyed"],
    ["SHA-256 under the hmac: prefix", "hmac:", "was changed after it was written"],
  ])("an entry removed and the chain recomputed without the key (%s): exits 1", async (_name, prefix, problem) => {
    const { dataDir, workspace } = await dataDirWithLog(["member.suspend", "member.activate", "member.suspend"]);
    const tampering = await openDatabase({ dataDir });
    await recomputeChainWithoutKey(tampering.db, workspace.id, { remove: 2, prefix });
    await tampering.close();
    const broken = await verify(dataDir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`workspace ${workspace.id} entry `);
    expect(broken.stdout).toContain(problem);
  });

  it("a log written before the keyed chain fails, and stops the server, until the operator seals it; then a rewrite of its old entries is caught", async () => {
    const { dataDir, workspace } = await dataDirWithLog(["member.suspend", "member.activate", "member.suspend"]);
    const legacy = await openDatabase({ dataDir });
    await recomputeChainWithoutKey(legacy.db, workspace.id);
    await legacy.close();
    const unsealed = await verify(dataDir);
    expect(unsealed.code).toBe(1);
    expect(unsealed.stdout).toContain(`workspace ${workspace.id} entry 3: the chain is not keyed`);

    // The server does not seal it by itself: a rewrite without the key looks just the same.
    const refused = await openDatabase({ dataDir });
    await expect(startServices(chainKeyFor(dataDir), refused)).rejects.toBeInstanceOf(UnsealedAuditChains);
    await refused.close();

    expect(await sealLegacy(dataDir)).toEqual({ code: 0, stdout: expect.stringContaining("sealed the activity logs of 1 workspace(s)") });
    expect(await verify(dataDir)).toEqual({ code: 0, stdout: expect.stringContaining("activity log intact") });
    const started = await openDatabase({ dataDir });
    await stopServices(await startServices(chainKeyFor(dataDir), started));
    await started.close();

    // The old entries are still verified with the old hash, and the seal's HMAC covers them.
    const rewriting = await openDatabase({ dataDir });
    const [seal] = await rewriting.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspace.id), eq(auditLog.seq, 4)));
    expect(seal).toMatchObject({ action: "audit.chain_keyed", actorId: null, details: { legacyEntries: 3 } });
    await rewriting.db.execute(sql`update audit_log set action = 'member.activate' where workspace_id = ${workspace.id} and seq = 1`);
    await rewriting.close();
    const broken = await verify(dataDir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`workspace ${workspace.id} entry 1: was changed after it was written`);
  });
});
