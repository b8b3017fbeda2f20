import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { pack } from "tar-stream";
import { readBackupFile, swapInMedia, writeBackupFile } from "../../../server/datadir/backup-archive";
import { createLocalMediaStorage, newMediaKey } from "../../../server/media/storage";

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "sb-archive-"));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

/** A .tar.gz with these entries, as anyone could craft one. */
async function craftArchive(file: string, entries: { name: string; data: Buffer }[]) {
  const archive = pack();
  const written = pipeline(archive, createGzip(), createWriteStream(file));
  for (const { name, data } of entries) archive.entry({ name }, data);
  archive.finalize();
  await written;
}

describe("backup archive", () => {
  it("holds the database snapshot and every media file, read back byte for byte", async () => {
    const dataDir = path.join(directory, "data");
    const storage = createLocalMediaStorage(dataDir);
    const files = new Map([
      [newMediaKey(), randomBytes(200_000)],
      [newMediaKey(), Buffer.from("a voice note")],
      [newMediaKey(), Buffer.alloc(0)],
    ]);
    for (const [key, data] of files) await storage.put(key, data);
    // A write in progress (storage.ts's temp file) is not a file yet.
    await writeFile(path.join(dataDir, "media", `.${newMediaKey()}.abc123.tmp`), "half");
    const database = new Uint8Array(randomBytes(50_000));

    const file = path.join(directory, "backup.tar.gz");
    const written = await writeBackupFile(file, database, { kind: "included", directory: path.join(dataDir, "media") });
    expect(written).toEqual({ file, mediaFiles: 3, mediaBytes: 200_000 + 12 });
    expect(existsSync(`${file}.partial`)).toBe(false);

    const staging = path.join(directory, "staging");
    const read = await readBackupFile(file, staging);
    if (read.format !== "with media") throw new Error(`read as ${read.format}`);
    expect(Buffer.from(read.database).equals(Buffer.from(database))).toBe(true);
    expect(read.mediaFiles).toBe(3);
    expect(read.manifest).toMatchObject({ format: 1, media: "included", mediaFiles: 3 });
    expect(readdirSync(staging).sort()).toEqual([...files.keys()].sort());
    for (const [key, data] of files) expect((await readFile(path.join(staging, key))).equals(data)).toBe(true);
  });

  it("with media in S3 the backup says where they are and holds none", async () => {
    const file = path.join(directory, "backup.tar.gz");
    await writeBackupFile(file, new Uint8Array([1, 2, 3]), { kind: "elsewhere", description: "files in S3 bucket acme" });
    const read = await readBackupFile(file, path.join(directory, "staging"));
    expect(read).toMatchObject({ format: "with media", mediaFiles: 0, manifest: { media: "elsewhere", mediaLocation: "files in S3 bucket acme" } });
    expect(existsSync(path.join(directory, "staging"))).toBe(false);
  });

  it("reads a backup from before media was included (the database's dump alone) as the database", async () => {
    const file = path.join(directory, "old.tar.gz");
    await craftArchive(file, [{ name: "base/1/1259", data: Buffer.from("pg files") }]);
    const read = await readBackupFile(file, path.join(directory, "staging"));
    expect(read.format).toBe("database only");
    expect(Buffer.from(read.database).equals(await readFile(file))).toBe(true);
  });

  it.each(["media/../../escaped", "media/../pglite/PG_VERSION", "/etc/cron.d/evil", "media/a/b", "notes.txt"])(
    "refuses an entry named %j and writes nothing outside its staging folder",
    async (name) => {
      const file = path.join(directory, "crafted.tar.gz");
      const manifest = { format: 1, takenAt: new Date().toISOString(), media: "included", mediaLocation: "DATA_DIR/media", mediaFiles: 1 };
      await craftArchive(file, [
        { name: "switchboard-backup.json", data: Buffer.from(JSON.stringify(manifest)) },
        { name: "database.tar.gz", data: Buffer.from("db") },
        { name, data: Buffer.from("payload") },
      ]);
      const staging = path.join(directory, "deep", "staging");
      await expect(readBackupFile(file, staging)).rejects.toThrow(/unexpected entry/);
      expect(existsSync(path.join(directory, "escaped"))).toBe(false);
      expect(existsSync(staging)).toBe(false);
    },
  );

  it("refuses a backup missing some of the media files its manifest counts", async () => {
    const file = path.join(directory, "short.tar.gz");
    const manifest = { format: 1, takenAt: new Date().toISOString(), media: "included", mediaLocation: "DATA_DIR/media", mediaFiles: 2 };
    await craftArchive(file, [
      { name: "switchboard-backup.json", data: Buffer.from(JSON.stringify(manifest)) },
      { name: "database.tar.gz", data: Buffer.from("db") },
      { name: `media/${newMediaKey()}`, data: Buffer.from("one") },
    ]);
    await expect(readBackupFile(file, path.join(directory, "staging"))).rejects.toThrow("1 of its 2 media files");
    expect(existsSync(path.join(directory, "staging"))).toBe(false);
  });

  it("swapping in restored media keeps the folder it replaces", async () => {
    const media = path.join(directory, "media");
    const staged = path.join(directory, "media.restoring");
    await mkdir(media);
    await writeFile(path.join(media, "current"), "now");
    await mkdir(staged);
    await writeFile(path.join(staged, "restored"), "then");
    const aside = await swapInMedia(media, staged, "stamp");
    expect(aside).toBe(`${media}.before-restore-stamp`);
    expect(readdirSync(media)).toEqual(["restored"]);
    expect(readdirSync(aside as string)).toEqual(["current"]);
  });
});
