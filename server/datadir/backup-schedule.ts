import type { PGlite } from "@electric-sql/pglite";
import type { Config } from "../config";
import type { Services } from "../services";
import { writeBackupFile } from "./backup-archive";
import { backupMediaSource } from "./backup-media";
import { backupsDir, newBackupPath, pruneSnapshots, takeSnapshot } from "./snapshot";

/** One scheduled backup: the database and media files into DATA_DIR/backups, then only the newest `keep` remain. */
export async function runScheduledBackup(
  pglite: PGlite,
  config: Pick<Config, "dataDir" | "media">,
  keep: number,
): Promise<{ file: string; mediaFiles: number; deleted: string[] }> {
  const written = await writeBackupFile(newBackupPath(backupsDir(config.dataDir)), await takeSnapshot(pglite), backupMediaSource(config));
  return { file: written.file, mediaFiles: written.mediaFiles, deleted: pruneSnapshots(backupsDir(config.dataDir), keep) };
}

/** BACKUP_EVERY: snapshots the embedded database on a timer while the server runs. */
export function startBackupSchedule(services: Services, pglite: PGlite) {
  const { everyMs, keep } = services.config.backup;
  if (everyMs === null) return;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return; // the previous one is still writing: skip rather than pile up
    running = runScheduledBackup(pglite, services.config, keep)
      .then(({ file, mediaFiles, deleted }) => services.logger.info({ file, mediaFiles, deleted: deleted.length }, "scheduled backup written"))
      .catch((error: unknown) => services.logger.error({ err: error }, "scheduled backup failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  services.background.add({
    async stop() {
      clearInterval(timer);
      await running;
    },
  });
}
