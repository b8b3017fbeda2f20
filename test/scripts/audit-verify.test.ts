import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { inject } from "vitest";
import { recordAudit } from "../../server/audit/recorder";
import { openDatabase } from "../../server/db/client";
import { buildWorkspace } from "../support/factories";

const run = promisify(execFile);

async function verify(dataDir: string) {
  try {
    const { DATABASE_URL: _unused, ...env } = process.env;
    const { stdout } = await run("npx", ["tsx", "server/audit/verify-cli.ts"], { env: { ...env, DATA_DIR: dataDir, NODE_ENV: "development" } });
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, stdout: failure.stdout };
  }
}

describe("npm run audit:verify", () => {
  it("exits 0 on an intact log and 1, naming the entry, once an entry is changed", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "sb-verify-"));
    const template = new Blob([readFileSync(inject("pgliteTemplate"))]);
    // Seed a data dir from the prepared template, the way the server would find it on disk.
    const { PGlite } = await import("@electric-sql/pglite");
    const seeded = await PGlite.create(path.join(dataDir, "pglite"), { loadDataDir: template });
    await seeded.close();
    const handle = await openDatabase({ dataDir });
    const workspace = await buildWorkspace(handle.db);
    for (const action of ["member.suspend", "member.activate"]) {
      await handle.db.transaction((tx) => recordAudit(tx, { workspaceId: workspace.id, actorId: null, action }));
    }
    await handle.close();
    const intact = await verify(dataDir);
    expect(intact).toEqual({ code: 0, stdout: expect.stringContaining("activity log intact") });

    const tampering = await openDatabase({ dataDir });
    await tampering.db.execute(sql`update audit_log set action = 'member.suspend' where seq = 2`);
    await tampering.close();
    const broken = await verify(dataDir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`workspace ${workspace.id} entry 2: was changed after it was written`);
  });
});
