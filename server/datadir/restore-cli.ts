import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { verifyAuditChains } from "../audit/verify";
import { ConfigError, commandLineOptions, loadConfig } from "../config";
import { openDatabase } from "../db/client";
import { localMediaDir } from "../media/storage";
import { readBackupFile, swapInMedia } from "./backup-archive";
import { keyComesFromDataDir, keyFileBeside, keyFileIn } from "./encryption-key-note";
import { acquireDataDirLock, DataDirLocked } from "./lock";
import { analyzeAfterBulkWrite } from "./maintenance";
import { restoreSnapshot } from "./snapshot";

// `npm run restore -- FILE`: replaces DATA_DIR's embedded database, and DATA_DIR/media when the
// backup holds media files, with a backup. Refuses while anything holds DATA_DIR (a running
// server): stop it, restore, start it again.
const { positionals } = parseArgs({ allowPositionals: true, options: { development: { type: "boolean", default: false } } });
const backupFile = positionals[0] ? path.resolve(positionals[0]) : fail("name the backup file: npm run restore -- FILE");
if (!existsSync(backupFile)) fail(`${backupFile} does not exist.`);

try {
  // `npm run restore` passes --development, as `npm start` does, so both find the same key.
  let config = loadConfig(undefined, commandLineOptions());
  if (config.databaseUrl) fail("DATABASE_URL is set: this server's data is in PostgreSQL; restore it with pg_restore.");
  const lock = acquireDataDirLock(config.dataDir, { port: null, purpose: "npm run restore" });
  try {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const mediaStaging = `${localMediaDir(config.dataDir)}.restoring-${stamp}`;
    const backup = await readBackupFile(backupFile, mediaStaging);
    let previous: string | null;
    try {
      previous = await restoreSnapshot(config.dataDir, backup.database);
    } catch (error) {
      rmSync(mediaStaging, { recursive: true, force: true });
      throw error;
    }
    console.log(`Restored ${backupFile} into ${config.dataDir}.${previous ? ` The database it replaced is kept in ${previous}.` : ""}`);
    await restoreMedia(config, backup, mediaStaging, stamp);
    config = adoptSavedKey(config) ?? config;
  } finally {
    lock.release();
  }
  // Opening applies any newer migrations, as the server would; the activity log then tells
  // whether this server's key is the one the backup was taken with.
  const handle = await openDatabase({ dataDir: config.dataDir, owner: { port: null, purpose: "npm run restore" } });
  try {
    // Migrations newer than the backup may have rewritten tables as they were applied.
    await analyzeAfterBulkWrite(handle);
    const problems = await verifyAuditChains(handle.db, config.auditChainKey);
    if (problems.length === 0) console.log("Activity log verified with this server's encryption key.");
    else {
      console.error(
        `Warning: the activity log does not verify with this server's encryption key (${problems.length} problem(s)): ` +
          "start it with the ENCRYPTION_KEY (or DATA_DIR/encryption.key) the backup was taken with, or its tokens and secrets cannot be decrypted.",
      );
      process.exitCode = 2;
    }
  } finally {
    await handle.close();
  }
} catch (error) {
  if (error instanceof DataDirLocked) fail(`${error.message} Stop it before restoring.`);
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

/** DATA_DIR/media becomes the backup's media files (the folder it replaces is kept), and says so. */
async function restoreMedia(config: ReturnType<typeof loadConfig>, backup: Awaited<ReturnType<typeof readBackupFile>>, staged: string, stamp: string) {
  if (backup.format === "database only") {
    console.log("This backup holds no media files (taken before backups included them): DATA_DIR/media is left as it is.");
    return;
  }
  if (backup.manifest.media === "elsewhere") {
    console.log(`Media files were not in this backup: they were ${backup.manifest.mediaLocation}.`);
    return;
  }
  const mediaDirectory = localMediaDir(config.dataDir);
  const replaced = await swapInMedia(mediaDirectory, staged, stamp);
  console.log(`Restored ${backup.mediaFiles} media files into ${mediaDirectory}.${replaced ? ` The files it replaced are kept in ${replaced}.` : ""}`);
  if (config.media.storage.kind === "s3") {
    console.error("Warning: MEDIA_STORAGE=s3: this server reads media files from S3, not from DATA_DIR/media; copy them into the bucket to serve them.");
  }
}

/**
 * A key saved beside the backup (`--include-key`) replaces DATA_DIR/encryption.key when that file
 * is where this server's key comes from; the replaced key is kept beside it. ENCRYPTION_KEY is the
 * operator's to change: only say so.
 */
function adoptSavedKey(config: ReturnType<typeof loadConfig>) {
  const saved = keyFileBeside(backupFile);
  if (!existsSync(saved)) return null;
  const savedKey = Buffer.from(readFileSync(saved, "utf8").trim(), "base64");
  if (savedKey.equals(config.encryptionKey)) return null;
  if (!keyComesFromDataDir(config)) {
    console.error(`Warning: ENCRYPTION_KEY differs from the key saved with this backup (${saved}): start the server with that key.`);
    return null;
  }
  const current = keyFileIn(config.dataDir);
  renameSync(current, `${current}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  copyFileSync(saved, current);
  console.log(`The encryption key saved with the backup is now ${current}.`);
  return loadConfig(undefined, commandLineOptions());
}

function fail(message: string): never {
  console.error(`Restore failed: ${message}`);
  process.exit(1);
}
