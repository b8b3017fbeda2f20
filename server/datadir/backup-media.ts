import type { Config } from "../config";
import { mediaStorageDescription } from "../media/create-storage";
import { localMediaDir } from "../media/storage";
import type { MediaSource } from "./backup-archive";

/** What a backup does with media files: DATA_DIR/media goes into it; files in S3 stay there. */
export function backupMediaSource(config: Pick<Config, "dataDir" | "media">): MediaSource {
  if (config.media.storage.kind === "local") return { kind: "included", directory: localMediaDir(config.dataDir) };
  return { kind: "elsewhere", description: mediaStorageDescription(config) };
}

/** The backup command's sentence about media files. */
export function backupMediaLine(source: MediaSource, mediaFiles: number): string {
  if (source.kind === "included") return `Media files included: ${mediaFiles} from ${source.directory}.`;
  return `Media files are not in this backup: they are ${source.description}; back the bucket up there (versioning or replication).`;
}
