import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalMediaStorage, isMediaKey, newMediaKey } from "../../../server/media/storage";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "sb-media-"));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe("local media storage", () => {
  it("puts, gets and deletes a file by a random key under DATA_DIR/media", async () => {
    const storage = createLocalMediaStorage(dataDir);
    const key = newMediaKey();
    await storage.put(key, Buffer.from("photo bytes"));
    expect((await storage.get(key))?.toString()).toBe("photo bytes");
    expect(await readdir(path.join(dataDir, "media"))).toEqual([key]);
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
    await storage.delete(key); // deleting twice is fine
  });

  it("makes keys that are random and carry nothing of the caller's input", () => {
    const keys = new Set(Array.from({ length: 50 }, () => newMediaKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it.each(["../etc/passwd", "..", "a/b", "a\\b", "", "short", `${"x".repeat(31)}/`, "%2e%2e%2fsecret00000000000000000"])(
    "refuses the key %j, so no path leaves the media folder",
    async (key) => {
      const storage = createLocalMediaStorage(dataDir);
      expect(isMediaKey(key)).toBe(false);
      await expect(storage.put(key, Buffer.from("x"))).rejects.toThrow(/media key/);
      await expect(storage.get(key)).rejects.toThrow(/media key/);
      await expect(storage.delete(key)).rejects.toThrow(/media key/);
    },
  );
});
