import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { loadConfig } from "../../../server/config";
import { createMediaStorage } from "../../../server/media/create-storage";
import { createS3MediaStorage } from "../../../server/media/s3-storage";
import { newMediaKey } from "../../../server/media/storage";
import { type LocalS3, startLocalS3 } from "../../support/s3-server";

/** The server's configuration for these variables (the factory reads nothing else). */
const testConfig = (env: Record<string, string>) => loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"), ...env });

let s3: LocalS3;
let dataDir: string;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(() => s3.stop());
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "sb-media-"));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const storages = {
  "local disk (DATA_DIR/media)": () => createMediaStorage(testConfig({ DATA_DIR: dataDir })),
  "S3 (a local S3-compatible server)": () => createMediaStorage(testConfig({ DATA_DIR: dataDir, ...s3.env({ S3_PREFIX: "contract" }) })),
};

describe.each(Object.entries(storages))("media storage contract: %s", (_name, makeStorage) => {
  it("gives back exactly the bytes put under a key; a key never put is null", async () => {
    const storage = makeStorage();
    const key = newMediaKey();
    const photo = randomBytes(300_000);
    await storage.put(key, photo);
    expect((await storage.get(key))?.equals(photo)).toBe(true);
    expect(await storage.get(newMediaKey())).toBeNull();
  });

  it("deletes a file; deleting a missing one is no error", async () => {
    const storage = makeStorage();
    const key = newMediaKey();
    await storage.put(key, Buffer.from("voice note"));
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
    await storage.delete(key);
    await storage.delete(newMediaKey());
  });

  it("a second put under a key replaces the first whole", async () => {
    const storage = makeStorage();
    const key = newMediaKey();
    await storage.put(key, Buffer.from("first version, the longer one"));
    await storage.put(key, Buffer.from("second"));
    expect((await storage.get(key))?.toString()).toBe("second");
  });

  it("an empty file is a file, not a missing one", async () => {
    const storage = makeStorage();
    const key = newMediaKey();
    await storage.put(key, Buffer.alloc(0));
    expect((await storage.get(key))?.byteLength).toBe(0);
  });

  it.each(["../etc/passwd", "..", "a/b", "a\\b", "", "%2e%2e%2fsecret00000000000000000", `../${"x".repeat(29)}`, `${"x".repeat(31)}/`])(
    "refuses the key %j for put, get and delete, so nothing is read or written outside its files",
    async (key) => {
      const storage = makeStorage();
      await expect(storage.put(key, Buffer.from("x"))).rejects.toThrow(/media key/);
      await expect(storage.get(key)).rejects.toThrow(/media key/);
      await expect(storage.delete(key)).rejects.toThrow(/media key/);
    },
  );

  it("concurrent puts: every file lands whole, and racing writers of one key leave one of their files, never a mix", async () => {
    const storage = makeStorage();
    const files = Array.from({ length: 12 }, () => ({ key: newMediaKey(), data: randomBytes(40_000) }));
    await Promise.all(files.map(({ key, data }) => storage.put(key, data)));
    for (const { key, data } of files) expect((await storage.get(key))?.equals(data)).toBe(true);

    const shared = newMediaKey();
    const versions = Array.from({ length: 6 }, (_, index) => Buffer.alloc(50_000, index + 1));
    await Promise.all(versions.map((data) => storage.put(shared, data)));
    const stored = await storage.get(shared);
    expect(versions.some((data) => stored?.equals(data))).toBe(true);
  });
});

describe("S3 media storage", () => {
  /** Every request the SDK sends, with its headers as they go on the wire. */
  function recordRequests(client: S3Client) {
    const requests: { method: string; path: string; headers: Record<string, string> }[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { method: string; path: string; headers: Record<string, string> };
        requests.push({ method: request.method, path: request.path, headers: { ...request.headers } });
        return next(args);
      },
      { step: "finalizeRequest", priority: "low" },
    );
    return requests;
  }
  const options = (extra: Partial<Parameters<typeof createS3MediaStorage>[0]> = {}) => ({
    bucket: s3.bucket,
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    prefix: "tenant-files/",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    serverSideEncryption: null,
    ...extra,
  });

  it("keeps each file as one private object under the prefix, and asks for server-side encryption when configured", async () => {
    const storage = createS3MediaStorage(options({ serverSideEncryption: { algorithm: "AES256" } }));
    const requests = recordRequests(storage.client);
    const key = newMediaKey();
    await storage.put(key, Buffer.from("invoice.pdf bytes"));

    const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "tenant-files/" }));
    expect(listed.Contents?.map((object) => object.Key)).toContain(`tenant-files/${key}`);
    const put = requests.find((request) => request.method === "PUT");
    expect(put?.path).toBe(`/${s3.bucket}/tenant-files/${key}`);
    expect(put?.headers["x-amz-server-side-encryption"]).toBe("AES256");
    // No ACL header at all: the object is as private as the bucket, never public-read.
    expect(
      Object.keys(put?.headers ?? {}).filter((name) => name.toLowerCase().startsWith("x-amz-acl") || name.toLowerCase().startsWith("x-amz-grant")),
    ).toEqual([]);
    const object = await storage.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `tenant-files/${key}` }));
    expect(await object.Body?.transformToString()).toBe("invoice.pdf bytes");
  });

  it("sends the KMS key with aws:kms, and no encryption header when none is configured", async () => {
    const kms = createS3MediaStorage(options({ serverSideEncryption: { algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/demo" } }));
    const kmsRequests = recordRequests(kms.client);
    await kms.put(newMediaKey(), Buffer.from("x")).catch(() => undefined); // s3rver may not speak KMS; the request is what is checked
    const kmsPut = kmsRequests.find((request) => request.method === "PUT");
    expect(kmsPut?.headers["x-amz-server-side-encryption"]).toBe("aws:kms");
    expect(kmsPut?.headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe("arn:aws:kms:us-east-1:111122223333:key/demo");

    const plain = createS3MediaStorage(options());
    const plainRequests = recordRequests(plain.client);
    await plain.put(newMediaKey(), Buffer.from("x"));
    expect(plainRequests.find((request) => request.method === "PUT")?.headers["x-amz-server-side-encryption"]).toBeUndefined();
  });

  it("says so when the bucket is missing or the service unreachable, rather than answering 'no file'", async () => {
    const noBucket = createS3MediaStorage(options({ bucket: "no-such-bucket" }));
    await expect(noBucket.get(newMediaKey())).rejects.toThrow(/bucket/i);
    await expect(noBucket.delete(newMediaKey())).rejects.toThrow(/bucket/i);
    const unreachable = createS3MediaStorage(options({ endpoint: "http://127.0.0.1:9" }));
    await expect(unreachable.get(newMediaKey())).rejects.toThrow();
  });
});

it("the local storage keeps its files in DATA_DIR/media", async () => {
  const storage = createMediaStorage(testConfig({ DATA_DIR: dataDir }));
  const key = newMediaKey();
  await storage.put(key, Buffer.from("x"));
  expect(await readdir(path.join(dataDir, "media"))).toEqual([key]);
});
