import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type DatabaseHandle, openDatabase } from "../../server/db/client";

export const engineNames = ["postgres", "pglite"] as const;
export type EngineName = (typeof engineNames)[number];

/** The server the benchmark creates its `switchboard_bench_*` databases on. */
export const adminDatabaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export type BenchDatabase = DatabaseHandle & { label: string; databaseUrl?: string; dispose(): Promise<void> };

/** A fresh, migrated database for one size: `switchboard_bench_<label>` or a PGlite data directory. */
export async function openBenchDatabase(engine: EngineName, label: string): Promise<BenchDatabase> {
  if (engine === "postgres") {
    const name = `switchboard_bench_${label}`;
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${name}`);
    const databaseUrl = withDatabase(adminDatabaseUrl, name);
    const handle = await openDatabase({ databaseUrl, poolSize: 10 });
    return {
      ...handle,
      label,
      databaseUrl,
      async dispose() {
        await handle.close();
        if (!process.env.BENCH_KEEP) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `switchboard-bench-${label}-`));
  const handle = await openDatabase({ dataDir });
  return {
    ...handle,
    label,
    async dispose() {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One statement on the admin database (CREATE/DROP DATABASE cannot run in a pool transaction). */
export async function adminQuery(statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}
