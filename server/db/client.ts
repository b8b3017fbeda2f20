import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { acquireDataDirLock, type DataDirLock } from "../datadir/lock";
import * as schema from "./schema";

/**
 * The extensions every PGlite opener loads: the migrations create pg_trgm (the chat search's
 * trigram indexes), and writing to or searching those indexes needs the extension loaded.
 */
export const pgliteExtensions = { pg_trgm };

type Schema = typeof schema;
/** The Drizzle database, whichever engine is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction, or the database itself where no transaction is needed. */
export type Executor = Database | PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type DatabaseHandle = {
  db: Database;
  engine: "pglite" | "postgres";
  /** The raw PGlite instance when embedded (for dumps in tests). */
  pglite?: PGlite;
  /** This process's lock on DATA_DIR when the embedded database lives there. */
  dataDirLock?: DataDirLock;
  /** The pool and its URL when on PostgreSQL (LISTEN/NOTIFY, benchmarks). */
  pool?: pg.Pool;
  databaseUrl?: string;
  close(): Promise<void>;
};

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

export type OpenOptions =
  | { databaseUrl: string; poolSize?: number }
  /** `owner` goes into DATA_DIR's lock file: a server's port, or the command holding it. */
  | { dataDir: string; owner?: { port: number | null; purpose: string } }
  | { loadDataDir: Blob | File };

/** Opens PostgreSQL when a URL is given, otherwise embedded PGlite; applies migrations. */
export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if ("databaseUrl" in options) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // A connection PostgreSQL ends (restart, failover, pg_terminate_backend) emits 'error', and an
    // 'error' without a listener ends the process. An idle one's reaches the pool, which drops it
    // and connects anew on demand (startServices logs it); a checked-out one's also fails the
    // statement it was running, which answers for it, so its own event needs no more than a listener.
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    const db = drizzleNodePg(pool, { schema }) as unknown as Database;
    await migrateNodePg(db as never, { migrationsFolder });
    return { db, engine: "postgres", pool, databaseUrl: options.databaseUrl, close: () => pool.end() };
  }
  let pglite: PGlite;
  let dataDirLock: DataDirLock | undefined;
  if ("dataDir" in options) {
    mkdirSync(options.dataDir, { recursive: true });
    // Two processes writing one PGlite directory corrupt it: take the directory before opening it.
    dataDirLock = acquireDataDirLock(options.dataDir, options.owner ?? { port: null, purpose: commandName() });
    try {
      pglite = await PGlite.create(path.join(options.dataDir, "pglite"), { extensions: pgliteExtensions });
    } catch (error) {
      dataDirLock.release();
      throw error;
    }
  } else {
    pglite = await PGlite.create({ loadDataDir: options.loadDataDir, extensions: pgliteExtensions });
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Database;
  await migratePglite(db as never, { migrationsFolder });
  const close = async () => {
    try {
      await pglite.close();
    } finally {
      dataDirLock?.release();
    }
  };
  return { db, engine: "pglite", pglite, dataDirLock, close };
}

/** The script this process runs (`verify-cli.ts`, say), named in the lock it holds. */
function commandName() {
  return path.basename(process.argv[1] ?? "a command");
}
