import type { Logger } from "pino";
import type { MediaStorage } from "./storage";

const parallel = 8;
const attempts = 3;

/**
 * Deletes stored files whose rows are already gone (a deleted workspace's), a few at a time, each
 * tried three times. Never throws: the rows' deletion stands whatever the storage says, and a key
 * that could not be deleted is logged (error, with the key and nothing of the customer) for an
 * operator to remove. Answers the keys left behind.
 */
export async function deleteStoredFiles(storage: MediaStorage, keys: string[], logger: Logger): Promise<string[]> {
  const left: string[] = [];
  const queue = [...keys];
  const deleteOne = async (key: string) => {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await storage.delete(key);
        return;
      } catch (error) {
        if (attempt === attempts) {
          left.push(key);
          logger.error({ err: error, storageKey: key }, "a deleted message's file could not be deleted from the media storage");
        } else await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  };
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) await deleteOne(key);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, keys.length) }, worker));
  return left;
}
