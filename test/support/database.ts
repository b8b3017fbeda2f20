import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { inject } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../server/db/client";
import { withDatabase } from "./global-setup";

export const testEngine = (process.env.TEST_ENGINE ?? "pglite") as "pglite" | "postgres";

/** A private, migrated database for one test file: a clone of the run's template. */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  if (testEngine === "postgres") {
    const url = process.env.TEST_DATABASE_URL as string;
    const name = `switchboard_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject("postgresTemplate")}`);
    const handle = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 5 });
    return {
      ...handle,
      async close() {
        // The pool may still hold sockets when end() resolves; the forced drop then ends them.
        handle.pool?.on("error", () => {});
        await handle.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const dump = readFileSync(inject("pgliteTemplate"));
  return openDatabase({ loadDataDir: new Blob([dump]) });
}
