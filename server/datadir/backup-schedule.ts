import type { PGlite } from "@electric-sql/pglite";
import type { Services } from "../services";
import { backupsDir, pruneSnapshots, takeSnapshot, writeSnapshot } from "./snapshot";

/** One scheduled backup: a snapshot into DATA_DIR/backups, then only the newest `keep` remain. */
export async function runScheduledBackup(pglite: PGlite, dataDir: string, keep: number): Promise<{ file: string; deleted: string[] }> {
  const file = writeSnapshot(backupsDir(dataDir), await takeSnapshot(pglite));
  return { file, deleted: pruneSnapshots(backupsDir(dataDir), keep) };
}

/** BACKUP_EVERY: snapshots the embedded database on a timer while the server runs. */
export function startBackupSchedule(services: Services, pglite: PGlite) {
  const { everyMs, keep } = services.config.backup;
  if (everyMs === null) return;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return; // the previous one is still writing: skip rather than pile up
    running = runScheduledBackup(pglite, services.config.dataDir, keep)
      .then(({ file, deleted }) => services.logger.info({ file, deleted: deleted.length }, "scheduled backup written"))
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
