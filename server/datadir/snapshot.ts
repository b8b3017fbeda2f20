import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pgliteExtensions } from "../db/client";

/** Where scheduled backups (BACKUP_EVERY) and, by default, `npm run backup` write. */
export const backupsDir = (dataDir: string) => path.join(dataDir, "backups");

/** The embedded database's files inside DATA_DIR (server/db/client.ts opens this). */
export const pgliteDir = (dataDir: string) => path.join(dataDir, "pglite");

const snapshotPattern = /^switchboard-\d{8}-\d{6}(-\d+)?\.tar\.gz$/;

/** `switchboard-20261205-101500.tar.gz`: names sort by time. */
export function snapshotFileName(at: Date = new Date()) {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `switchboard-${stamp}.tar.gz`;
}

/**
 * A consistent copy of a running embedded database (a gzipped tar of its data directory). It is
 * taken inside a transaction of its own: PGlite runs one transaction at a time, so no other is
 * half-done while the files are copied; the CHECKPOINT first lets the copy start without
 * replaying much log. Requests wait meanwhile (a second or so for a small team's database).
 */
export async function takeSnapshot(pglite: PGlite): Promise<Uint8Array> {
  const archive = await pglite.transaction(async (transaction) => {
    await transaction.exec("CHECKPOINT");
    return pglite.dumpDataDir("gzip");
  });
  return new Uint8Array(await archive.arrayBuffer());
}

/** A new backup's path in `directory` (created if need be): a name no file has yet, sorting by time. */
export function newBackupPath(directory: string, at: Date = new Date()): string {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  let file = path.join(directory, snapshotFileName(at));
  for (let suffix = 1; existsSync(file); suffix++) file = path.join(directory, snapshotFileName(at).replace(".tar.gz", `-${suffix}.tar.gz`));
  return file;
}

/** Keeps the newest `keep` snapshots in `directory`, deletes older ones; returns the deleted paths. */
export function pruneSnapshots(directory: string, keep: number): string[] {
  if (!existsSync(directory)) return [];
  const snapshots = readdirSync(directory)
    .filter((name) => snapshotPattern.test(name))
    .sort();
  const doomed = snapshots.slice(0, Math.max(0, snapshots.length - keep)).map((name) => path.join(directory, name));
  for (const file of doomed) rmSync(file, { force: true });
  return doomed;
}

/**
 * Replaces DATA_DIR's embedded database with `snapshot`. The caller holds DATA_DIR's lock. The
 * database it replaces is moved aside (`pglite.before-restore-<time>`), never deleted.
 * Returns where the previous database went, if there was one.
 */
export async function restoreSnapshot(dataDir: string, snapshot: Uint8Array): Promise<string | null> {
  const target = pgliteDir(dataDir);
  let movedAside: string | null = null;
  if (existsSync(target)) {
    movedAside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(target, movedAside);
  }
  try {
    const restored = await PGlite.create(target, { loadDataDir: new Blob([Buffer.from(snapshot)]), extensions: pgliteExtensions });
    // Proves the copy opens and answers before anyone relies on it.
    await restored.query("select 1");
    await restored.close();
  } catch (error) {
    rmSync(target, { recursive: true, force: true });
    if (movedAside) renameSync(movedAside, target);
    throw error;
  }
  return movedAside;
}
