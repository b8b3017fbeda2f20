import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { extract, pack } from "tar-stream";
import { isMediaKey } from "../media/storage";

/**
 * A backup file: a gzipped tar holding a manifest, the embedded database's snapshot (PGlite's
 * own dump, itself a .tar.gz) and DATA_DIR/media's files. Backups taken before media was
 * included are PGlite's dump alone; restore reads both.
 */
const manifestName = "switchboard-backup.json";
const databaseName = "database.tar.gz";
const mediaFolder = "media/";

export type BackupManifest = {
  format: 1;
  takenAt: string;
  /** "included": DATA_DIR/media's files are in the archive; "elsewhere": they live in S3, described in `mediaLocation`. */
  media: "included" | "elsewhere";
  mediaLocation: string;
  mediaFiles: number;
};

export type MediaSource = { kind: "included"; directory: string } | { kind: "elsewhere"; description: string };

/**
 * Writes a backup to `file` whole or not at all (`.partial`, then a rename). Media files are
 * streamed from disk one at a time, so a large media folder never sits in memory. Files are
 * never changed in place (storage.ts writes a new file and renames it), so each is copied as one
 * version; one deleted meanwhile is left out. The database is snapshotted first: a file it names
 * is already on disk then, since a file is stored before its row says so.
 */
export async function writeBackupFile(file: string, database: Uint8Array, media: MediaSource, takenAt: Date = new Date()) {
  const mediaKeys = media.kind === "included" && existsSync(media.directory) ? (await readdir(media.directory)).filter(isMediaKey).sort() : [];
  const partial = `${file}.partial`;
  const archive = pack();
  // Level 1: photos, audio and video are compressed already, and so is the database's dump.
  const written = pipeline(archive, createGzip({ level: 1 }), createWriteStream(partial, { mode: 0o600 }));
  let mediaFiles = 0;
  let mediaBytes = 0;
  try {
    const mediaDirectory = media.kind === "included" ? media.directory : null;
    const manifestFor = (count: number): BackupManifest => ({
      format: 1,
      takenAt: takenAt.toISOString(),
      media: media.kind,
      mediaLocation: media.kind === "included" ? "DATA_DIR/media" : media.description,
      mediaFiles: count,
    });
    await addEntry(archive, manifestName, Buffer.from(JSON.stringify(manifestFor(mediaKeys.length))));
    await addEntry(archive, databaseName, database);
    if (mediaDirectory) {
      for (const key of mediaKeys) {
        const size = await addFileEntry(archive, `${mediaFolder}${key}`, path.join(mediaDirectory, key));
        if (size === null) continue;
        mediaFiles++;
        mediaBytes += size;
      }
    }
    archive.finalize();
    await written;
    await rename(partial, file);
  } catch (error) {
    archive.destroy();
    await written.catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
  return { file, mediaFiles, mediaBytes };
}

function addEntry(archive: ReturnType<typeof pack>, name: string, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => {
    archive.entry({ name, size: data.byteLength, mode: 0o600 }, data, (error) => (error ? reject(error) : resolve()));
  });
}

/** Streams one file into the archive; null when it was deleted before it could be opened. */
async function addFileEntry(archive: ReturnType<typeof pack>, name: string, file: string): Promise<number | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const done = new Promise<void>((resolve, reject) => {
      const sink = archive.entry({ name, size, mode: 0o600 }, (error) => (error ? reject(error) : resolve()));
      (async () => {
        // Exactly the size the header announced, even if the file were appended to meanwhile.
        if (size > 0) {
          for await (const chunk of createReadStream("", { fd: handle, autoClose: false, start: 0, end: size - 1 })) {
            if (!sink.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, "drain");
          }
        }
        sink.end(null);
      })().catch(reject);
    });
    await done;
    return size;
  } finally {
    await handle.close();
  }
}

export type ReadBackup =
  | { format: "database only"; database: Uint8Array }
  | { format: "with media"; manifest: BackupManifest; database: Uint8Array; mediaFiles: number };

/**
 * Reads a backup file: the database's snapshot into memory (as restore always has), media files
 * into `mediaStaging` (created here; only newMediaKey-shaped names, so no entry can write outside
 * it). A backup from before media was included is the database's dump alone.
 */
export async function readBackupFile(file: string, mediaStaging: string): Promise<ReadBackup> {
  const entries = extract();
  const reading = pipeline(createReadStream(file), createGunzip(), entries);
  let manifest: BackupManifest | null = null;
  let database: Uint8Array | null = null;
  let mediaFiles = 0;
  let first = true;
  try {
    for await (const entry of entries) {
      const { name, type } = entry.header;
      if (first && name !== manifestName) {
        // PGlite's dump alone: the whole file is the database.
        entry.resume();
        entries.destroy();
        await reading.catch(() => undefined);
        return { format: "database only", database: new Uint8Array(await readFile(file)) };
      }
      first = false;
      if (name === manifestName) manifest = JSON.parse((await collect(entry as AsyncIterable<Uint8Array>)).toString("utf8")) as BackupManifest;
      else if (name === databaseName) database = new Uint8Array(await collect(entry as AsyncIterable<Uint8Array>));
      else if (type === "file" && name.startsWith(mediaFolder) && isMediaKey(name.slice(mediaFolder.length))) {
        if (mediaFiles === 0) await mkdir(mediaStaging, { recursive: true, mode: 0o700 });
        await pipeline(entry, createWriteStream(path.join(mediaStaging, name.slice(mediaFolder.length)), { mode: 0o600 }));
        mediaFiles++;
      } else {
        throw new Error(`The backup holds an unexpected entry ${JSON.stringify(name)}: not a Switchboard backup`);
      }
    }
    await reading;
  } catch (error) {
    entries.destroy();
    await reading.catch(() => undefined);
    await rm(mediaStaging, { recursive: true, force: true });
    throw error;
  }
  const refuse = async (reason: string) => {
    await rm(mediaStaging, { recursive: true, force: true });
    return new Error(reason);
  };
  if (manifest?.format !== 1) throw await refuse("The backup's format is not one this version reads (a newer Switchboard's?)");
  if (!database) throw await refuse("The backup is incomplete: it has no database snapshot");
  if (manifest.media === "included" && mediaFiles !== manifest.mediaFiles) {
    throw await refuse(`The backup is incomplete: ${mediaFiles} of its ${manifest.mediaFiles} media files are in it`);
  }
  return { format: "with media", manifest, database, mediaFiles };
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Puts restored media files in place of DATA_DIR/media; the folder they replace is moved aside
 * (`media.before-restore-<time>`), never deleted. Returns where it went, if there was one.
 */
export async function swapInMedia(mediaDirectory: string, staged: string, stamp: string): Promise<string | null> {
  let movedAside: string | null = null;
  if (existsSync(mediaDirectory)) {
    movedAside = `${mediaDirectory}.before-restore-${stamp}`;
    await rename(mediaDirectory, movedAside);
  }
  if (existsSync(staged)) await rename(staged, mediaDirectory);
  else await mkdir(mediaDirectory, { recursive: true, mode: 0o700 });
  return movedAside;
}
