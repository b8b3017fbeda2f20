import type { Config } from "../config";
import { createLocalMediaStorage, localMediaDir, type MediaStorage } from "./storage";

/**
 * The storage MEDIA_STORAGE chose: DATA_DIR/media (the default) or an S3 bucket. The AWS SDK is
 * loaded only for S3 (it takes half a second to load, which local servers and the backup commands
 * need not spend); loading starts at once, so a broken install shows at start-up.
 */
export function createMediaStorage(config: Pick<Config, "media" | "dataDir">): MediaStorage {
  const { storage } = config.media;
  if (storage.kind === "local") return createLocalMediaStorage(config.dataDir);
  const { kind: _kind, ...options } = storage;
  const s3 = import("./s3-storage").then(({ createS3MediaStorage }) => createS3MediaStorage(options));
  // Seen by whichever call comes first; this only keeps an early failure from being "unhandled".
  s3.catch(() => undefined);
  return {
    put: async (key, data) => (await s3).put(key, data),
    get: async (key) => (await s3).get(key),
    delete: async (key) => (await s3).delete(key),
  };
}

/** Where the files are, for the start-up line and the backup commands (never a secret). */
export function mediaStorageDescription(config: Pick<Config, "media" | "dataDir">): string {
  const { storage } = config.media;
  if (storage.kind === "local") return `files in ${localMediaDir(config.dataDir)}`;
  return `files in S3 bucket ${storage.bucket}${storage.prefix ? ` under ${storage.prefix}` : ""}${storage.endpoint ? ` at ${storage.endpoint}` : ` (${storage.region})`}`;
}
