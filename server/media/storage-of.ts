import type { Services } from "../services";
import { createMediaStorage } from "./create-storage";
import type { MediaStorage } from "./storage";

const stores = new WeakMap<Services, MediaStorage>();

/**
 * The process's media storage (DATA_DIR/media or S3, as configured: create-storage.ts), where
 * the inbound fetch keeps customers' files too. Stand-in until Services carries the storage
 * itself; then this returns that one.
 */
export function mediaStorageOf(services: Services): MediaStorage {
  let storage = stores.get(services);
  if (!storage) {
    storage = createMediaStorage(services.config);
    stores.set(services, storage);
  }
  return storage;
}
