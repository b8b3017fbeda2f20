import type { Services } from "../services";
import type { MediaStorage } from "./storage";

/** The process's media storage: DATA_DIR/media or S3, as MEDIA_STORAGE chose (server/media/create-storage.ts). */
export function mediaStorageOf(services: Services): MediaStorage {
  return services.mediaStorage;
}
