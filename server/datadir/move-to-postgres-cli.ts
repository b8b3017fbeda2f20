import { parseArgs } from "node:util";
import { ConfigError, commandLineOptions, loadConfig } from "../config";
import { openDatabase } from "../db/client";
import { DataDirLocked } from "./lock";
import { MoveRefused, moveToPostgres } from "./move-to-postgres";

// `npm run db:move-to-postgres -- postgres://…`: copies the embedded database in DATA_DIR into an
// empty PostgreSQL database. The server must be stopped (this command holds DATA_DIR meanwhile).
const { positionals } = parseArgs({ allowPositionals: true, options: { development: { type: "boolean", default: false } } });
const targetUrl = positionals[0];
if (!targetUrl || !/^postgres(ql)?:\/\//.test(targetUrl))
  fail("name the empty PostgreSQL database: npm run db:move-to-postgres -- postgres://user:password@host:5432/switchboard");

try {
  // `npm run db:move-to-postgres` passes --development, as `npm start` does, so both find the same key.
  const config = loadConfig(undefined, commandLineOptions());
  if (config.databaseUrl) fail("DATABASE_URL is set: this server already runs on PostgreSQL. Unset it to move the embedded database in DATA_DIR.");
  const source = await openDatabase({ dataDir: config.dataDir, owner: { port: null, purpose: "npm run db:move-to-postgres" } });
  try {
    const moved = await moveToPostgres(source.pglite as NonNullable<typeof source.pglite>, targetUrl, config.auditChainKey);
    for (const { table, rows } of moved) console.log(`  ${table.padEnd(36)} ${rows}`);
    const total = moved.reduce((sum, { rows }) => sum + rows, 0);
    console.log(`Moved ${total} rows in ${moved.length} tables; every table's count and content match, and the activity log verifies.`);
    console.log("Start Switchboard on PostgreSQL with the same ENCRYPTION_KEY (or DATA_DIR/encryption.key) and:");
    console.log(`DATABASE_URL=${targetUrl}`);
    console.log(`The embedded database stays in ${config.dataDir} untouched; remove it once you are satisfied.`);
  } finally {
    await source.close();
  }
} catch (error) {
  if (error instanceof DataDirLocked) fail(`${error.message} Stop the server before moving its data.`);
  if (error instanceof MoveRefused || error instanceof ConfigError) fail(error.message);
  throw error;
}

function fail(message: string): never {
  console.error(`Move to PostgreSQL failed: ${message}`);
  process.exit(1);
}
