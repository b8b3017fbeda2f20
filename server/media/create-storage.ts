import type { Config } from "../config";
import { createS3MediaStorage } from "./s3-storage";
import { createLocalMediaStorage, localMediaDir, type MediaStorage } from "./storage";

/** The storage MEDIA_STORAGE chose: DATA_DIR/media (the default) or an S3 bucket. */
export function createMediaStorage(config: Pick<Config, "media" | "dataDir">): MediaStorage {
  const { storage } = config.media;
  if (storage.kind === "s3") {
    const { kind: _kind, ...options } = storage;
    return createS3MediaStorage(options);
  }
  return createLocalMediaStorage(config.dataDir);
}

/** Where the files are, for the start-up line and the backup commands (never a secret). */
export function mediaStorageDescription(config: Pick<Config, "media" | "dataDir">): string {
  const { storage } = config.media;
  if (storage.kind === "local") return `files in ${localMediaDir(config.dataDir)}`;
  return `files in S3 bucket ${storage.bucket}${storage.prefix ? ` under ${storage.prefix}` : ""}${storage.endpoint ? ` at ${storage.endpoint}` : ` (${storage.region})`}`;
}
