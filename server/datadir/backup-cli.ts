import { existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { ConfigError, commandLineOptions, loadConfig } from "../config";
import { pgliteExtensions } from "../db/client";
import { writeBackupFile } from "./backup-archive";
import { backupMediaLine, backupMediaSource } from "./backup-media";
import { encryptionKeyReminder, keyFileBeside } from "./encryption-key-note";
import { acquireDataDirLock, currentHolder, DataDirLocked, type LockHolder } from "./lock";
import { backupsDir, newBackupPath, pgliteDir, takeSnapshot } from "./snapshot";

// `npm run backup [-- --out FILE] [--include-key]`: a consistent snapshot of the embedded database,
// and the media files in DATA_DIR/media (taken after the database, so every file it names is there).
// While a server runs it takes the snapshot (only it may open DATA_DIR); otherwise this command
// opens DATA_DIR itself, holding its lock so no server starts meanwhile.
const { values: options } = parseArgs({
  options: { out: { type: "string" }, "include-key": { type: "boolean", default: false }, development: { type: "boolean", default: false } },
});

try {
  // `npm run backup` passes --development, as `npm start` does, so both find the same key.
  const config = loadConfig(undefined, commandLineOptions());
  if (config.databaseUrl) {
    const media = config.media.storage.kind === "local" ? ", and copy DATA_DIR/media (its media files) with it" : "";
    fail(`DATABASE_URL is set: this server's data is in PostgreSQL; back it up with pg_dump${media}.`);
  }
  const holder = currentHolder(config.dataDir);
  const { snapshot, how } = holder ? await throughRunningServer(holder) : await withServerStopped(config.dataDir);
  const media = backupMediaSource(config);
  const { file, mediaFiles, mediaBytes } = await writeBackupFile(
    options.out ? path.resolve(options.out) : newBackupPath(backupsDir(config.dataDir)),
    snapshot,
    media,
  );
  let savedKey: string | null = null;
  if (options["include-key"]) {
    savedKey = keyFileBeside(file);
    writeFileSync(savedKey, config.encryptionKey.toString("base64"), { mode: 0o600 });
  }
  const megabytes = ((snapshot.byteLength + mediaBytes) / 1024 / 1024).toFixed(1);
  console.log(`Backup written ${how}: ${file} (${megabytes} MB). Restore it with: npm run restore -- ${file}`);
  console.log(backupMediaLine(media, mediaFiles));
  console.log(encryptionKeyReminder(config, savedKey));
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirLocked) fail(error.message);
  throw error;
}

async function throughRunningServer(holder: LockHolder) {
  if (holder.host !== os.hostname()) fail(`DATA_DIR is held by pid ${holder.pid} on host ${holder.host}: run npm run backup there.`);
  if (!holder.operator)
    fail(`DATA_DIR is held by pid ${holder.pid} (${holder.purpose}) since ${holder.since}, which takes no backups: try again once it is done.`);
  const response = await fetch(`http://127.0.0.1:${holder.operator.port}/backup`, {
    method: "POST",
    headers: { authorization: `Bearer ${holder.operator.token}` },
  });
  if (!response.ok) fail(`The running server (pid ${holder.pid}) could not take the backup: ${response.status} ${await response.text()}`);
  return { snapshot: new Uint8Array(await response.arrayBuffer()), how: `through the running server (pid ${holder.pid})` };
}

async function withServerStopped(dataDir: string) {
  if (!existsSync(pgliteDir(dataDir))) fail(`there is no embedded database in ${dataDir} (is DATA_DIR right?).`);
  const lock = acquireDataDirLock(dataDir, { port: null, purpose: "npm run backup" });
  try {
    const pglite = await PGlite.create(pgliteDir(dataDir), { extensions: pgliteExtensions });
    try {
      return { snapshot: await takeSnapshot(pglite), how: "with the server stopped" };
    } finally {
      await pglite.close();
    }
  } finally {
    lock.release();
  }
}

function fail(message: string): never {
  console.error(`Backup failed: ${message}`);
  process.exit(1);
}
