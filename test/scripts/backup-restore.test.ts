import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readBackupFile } from "../../server/datadir/backup-archive";
import { openDatabase } from "../../server/db/client";
import { createLocalMediaStorage, newMediaKey } from "../../server/media/storage";
import { callApi, freePort, runScript, type SpawnedServer, seedWorkspaceThroughApi, spawnServer, stopServer } from "../support/spawned-server";

const encryptionKey = Buffer.alloc(32, 5).toString("base64");
const command = (script: string, args: string[], dataDir: string) => runScript(script, args, dataDir, { ENCRYPTION_KEY: encryptionKey });

/** Media files as the server's local storage writes them into DATA_DIR/media; returns key → bytes. */
async function putMediaFiles(dataDir: string, count: number) {
  const storage = createLocalMediaStorage(dataDir);
  const files = new Map<string, Buffer>();
  for (let index = 0; index < count; index++) files.set(newMediaKey(), randomBytes(1000 + index * 70_000));
  for (const [key, data] of files) await storage.put(key, data);
  return files;
}

/** Every table's row count, read with the directory's server stopped. */
async function rowCounts(dataDir: string) {
  const handle = await openDatabase({ dataDir });
  try {
    const pglite = handle.pglite as NonNullable<typeof handle.pglite>;
    const tables = await pglite.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by 1");
    const counts: Record<string, number> = {};
    for (const { name } of tables.rows) {
      const result = await pglite.query<{ count: number }>(`select count(*)::int as count from "${name}"`);
      counts[name] = result.rows[0]?.count ?? -1;
    }
    return counts;
  } finally {
    await handle.close();
  }
}

const serverEnv = { ENCRYPTION_KEY: encryptionKey };

describe("npm run backup / npm run restore", { timeout: 600_000 }, () => {
  const directories: string[] = [];
  const servers: SpawnedServer[] = [];
  const freshDir = () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "sb-backup-"));
    directories.push(directory);
    return directory;
  };
  afterEach(async () => {
    for (const server of servers.splice(0)) await stopServer(server);
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it("a backup taken while the server runs restores into a fresh DATA_DIR with every row, read back through the API", async () => {
    const original = freshDir();
    const port = await freePort();
    const server = spawnServer(original, port, serverEnv);
    servers.push(server);
    expect(await server.outcome).toBe("listening");

    const before = await seedWorkspaceThroughApi(port);
    const media = await putMediaFiles(original, 3);

    // Restore refuses while the server holds the directory.
    const backup = await command("server/datadir/backup-cli.ts", [], original);
    expect(backup.code).toBe(0);
    expect(backup.output).toContain(`through the running server (pid ${server.child.pid})`);
    expect(backup.output).toContain(`Media files included: 3 from ${path.join(original, "media")}`);
    expect(backup.output).toContain("ENCRYPTION_KEY");
    const [snapshot] = readdirSync(path.join(original, "backups"));
    const backupFile = path.join(original, "backups", snapshot as string);
    const refused = await command("server/datadir/restore-cli.ts", [backupFile], original);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`in use by pid ${server.child.pid}`);

    expect(await stopServer(server)).toBe(0);
    const restored = freshDir();
    // Whatever media the directory had is kept aside, not mixed with the backup's.
    const [strayKey] = (await putMediaFiles(restored, 1)).keys();
    const restore = await command("server/datadir/restore-cli.ts", [backupFile], restored);
    expect(restore.output).toContain("Activity log verified");
    expect(restore.output).toContain(`Restored 3 media files into ${path.join(restored, "media")}`);
    expect(restore.code).toBe(0);
    expect(await rowCounts(restored)).toEqual(await rowCounts(original));
    expect(readdirSync(path.join(restored, "media")).sort()).toEqual([...media.keys()].sort());
    for (const [key, data] of media) expect(readFileSync(path.join(restored, "media", key)).equals(data)).toBe(true);
    const [aside] = readdirSync(restored).filter((name) => name.startsWith("media.before-restore-"));
    expect(readdirSync(path.join(restored, aside as string))).toEqual([strayKey]);

    const restoredPort = await freePort();
    const again = spawnServer(restored, restoredPort, serverEnv);
    servers.push(again);
    expect(await again.outcome).toBe("listening");
    const login = await callApi(restoredPort, "POST", "/sessions", { body: before.credentials });
    expect(login.status).toBe(201);
    expect(await callApi(restoredPort, "GET", "/chats", { token: login.body.token })).toEqual(before.chats);
    const auditAfter = await callApi(restoredPort, "GET", "/audit-log", { token: login.body.token });
    // The restored log holds every entry from before, in order; the login just made adds one.
    expect(auditAfter.body.data.slice(-before.auditLog.body.data.length)).toEqual(before.auditLog.body.data);
  });

  it("with the server stopped, the backup opens DATA_DIR itself; with BACKUP_EVERY the server keeps only the last BACKUP_KEEP", async () => {
    const dataDir = freshDir();
    const media = await putMediaFiles(dataDir, 2);
    const port = await freePort();
    const server = spawnServer(dataDir, port, { ...serverEnv, BACKUP_EVERY: "1s", BACKUP_KEEP: "2" });
    servers.push(server);
    expect(await server.outcome).toBe("listening");
    const backups = path.join(dataDir, "backups");
    const seen = new Set<string>();
    const deadline = Date.now() + 240_000;
    while (seen.size < 4 && Date.now() < deadline) {
      for (const name of existsSync(backups) ? readdirSync(backups) : []) {
        if (name.endsWith(".tar.gz")) seen.add(name);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await stopServer(server)).toBe(0);
    const kept = readdirSync(backups).filter((name) => name.endsWith(".tar.gz"));
    expect(kept).toHaveLength(2);
    expect(kept.sort()).toEqual([...new Set([...seen, ...kept])].sort().slice(-2));
    // Scheduled backups hold the media files too.
    const scheduled = await readBackupFile(path.join(backups, kept[1] as string), path.join(dataDir, "staging"));
    expect(scheduled.format === "with media" && scheduled.mediaFiles).toBe(media.size);

    const stopped = await command("server/datadir/backup-cli.ts", ["--out", path.join(dataDir, "by-hand.tar.gz"), "--include-key"], dataDir);
    expect(stopped.code).toBe(0);
    expect(stopped.output).toContain("with the server stopped");
    expect(stopped.output).toContain("Media files included: 2");
    expect(existsSync(path.join(dataDir, "by-hand.tar.gz.encryption.key"))).toBe(true);
    expect(existsSync(path.join(dataDir, "switchboard.lock"))).toBe(false);
  });
});
