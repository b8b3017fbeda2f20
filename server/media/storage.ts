import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Where media files live: put/get/delete by an opaque key. The default keeps files under
 * DATA_DIR/media; an S3-compatible store can implement the same three calls later.
 */
export type MediaStorage = {
  put(key: string, data: Buffer): Promise<void>;
  /** The file's bytes, or null when there is none under the key. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the file; a missing file is not an error. */
  delete(key: string): Promise<void>;
};

const keyPattern = /^[A-Za-z0-9_-]{32}$/;

/** A new storage key: 192 random bits, never derived from a file name, a phone number or any other input. */
export function newMediaKey(): string {
  return randomBytes(24).toString("base64url");
}

/** Only keys of newMediaKey's shape are accepted: no dots or slashes, so no path can leave the media folder. */
export function isMediaKey(key: string): boolean {
  return keyPattern.test(key);
}

function checkedKey(key: string): string {
  if (!isMediaKey(key)) throw new Error("Not a media key");
  return key;
}

/** Where local media files live: DATA_DIR/media (backups include this folder). */
export const localMediaDir = (dataDir: string) => path.join(dataDir, "media");

/** Files under `${dataDir}/media`, one per key, written whole (temp file, then rename). */
export function createLocalMediaStorage(dataDir: string): MediaStorage {
  const root = localMediaDir(dataDir);
  const fileOf = (key: string) => path.join(root, checkedKey(key));
  return {
    async put(key, data) {
      const file = fileOf(key);
      await mkdir(root, { recursive: true, mode: 0o700 });
      const temporary = path.join(root, `.${key}.${randomBytes(6).toString("hex")}.tmp`);
      await writeFile(temporary, data, { mode: 0o600 });
      await rename(temporary, file);
    },
    async get(key) {
      const file = fileOf(key);
      try {
        return await readFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}
