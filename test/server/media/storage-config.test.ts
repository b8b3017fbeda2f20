import path from "node:path";
import { ConfigError, loadConfig } from "../../../server/config";
import { mediaStorageDescription } from "../../../server/media/create-storage";

const base = { NODE_ENV: "test", ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"), DATA_DIR: "/srv/switchboard" };
const configWith = (env: Record<string, string>) => loadConfig({ ...base, ...env });
const s3 = { MEDIA_STORAGE: "s3", S3_BUCKET: "acme-switchboard", S3_REGION: "eu-central-1" };

describe("media storage configuration", () => {
  it("keeps files in DATA_DIR/media by default, also when the database is PostgreSQL", () => {
    for (const env of [{}, { MEDIA_STORAGE: "local" }, { DATABASE_URL: "postgres://db.internal/switchboard" }] as Record<string, string>[]) {
      const config = configWith(env);
      expect(config.media.storage).toEqual({ kind: "local" });
      expect(mediaStorageDescription(config)).toBe(`files in ${path.join("/srv/switchboard", "media")}`);
    }
  });

  it("reads the S3 settings, with the AWS default credential chain when no keys are given", () => {
    expect(configWith(s3).media.storage).toEqual({
      kind: "s3",
      bucket: "acme-switchboard",
      region: "eu-central-1",
      endpoint: null,
      forcePathStyle: false,
      prefix: "",
      credentials: null,
      serverSideEncryption: null,
    });
    const compatible = configWith({
      MEDIA_STORAGE: "s3",
      S3_BUCKET: "media",
      S3_ENDPOINT: "https://minio.internal:9000/",
      S3_FORCE_PATH_STYLE: "on",
      S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
      S3_SECRET_ACCESS_KEY: "secret-example",
      S3_PREFIX: "switchboard/media",
      S3_SERVER_SIDE_ENCRYPTION: "aws:kms",
      S3_SSE_KMS_KEY_ID: "alias/switchboard",
    });
    expect(compatible.media.storage).toEqual({
      kind: "s3",
      bucket: "media",
      region: "us-east-1",
      endpoint: "https://minio.internal:9000",
      forcePathStyle: true,
      prefix: "switchboard/media/",
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret-example" },
      serverSideEncryption: { algorithm: "aws:kms", kmsKeyId: "alias/switchboard" },
    });
    expect(mediaStorageDescription(compatible)).toBe("files in S3 bucket media under switchboard/media/ at https://minio.internal:9000");
    expect(mediaStorageDescription(compatible)).not.toContain("secret-example");
  });

  it.each([
    [{ MEDIA_STORAGE: "s3" }, "Invalid S3_BUCKET: required with MEDIA_STORAGE=s3"],
    [{ MEDIA_STORAGE: "s3", S3_BUCKET: "acme-switchboard" }, "Invalid S3_REGION: required with MEDIA_STORAGE=s3"],
    [{ ...s3, S3_ACCESS_KEY_ID: "AKIAEXAMPLE" }, "Invalid S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together"],
    [{ ...s3, S3_SSE_KMS_KEY_ID: "alias/x" }, "Invalid S3_SSE_KMS_KEY_ID: only with S3_SERVER_SIDE_ENCRYPTION=aws:kms"],
    [{ ...s3, S3_SERVER_SIDE_ENCRYPTION: "rot13" }, "Invalid S3_SERVER_SIDE_ENCRYPTION"],
    [{ ...s3, S3_BUCKET: "Acme_Bucket" }, "Invalid S3_BUCKET: must be a bucket name"],
    [{ ...s3, S3_PREFIX: "../other-tenant" }, "Invalid S3_PREFIX"],
    [{ ...s3, S3_PREFIX: "/absolute" }, "Invalid S3_PREFIX"],
    [{ ...s3, S3_ENDPOINT: "minio:9000" }, "Invalid S3_ENDPOINT"],
    [{ MEDIA_STORAGE: "disk" }, "Invalid MEDIA_STORAGE"],
    [{ S3_BUCKET: "acme-switchboard" }, "Invalid MEDIA_STORAGE: S3_BUCKET is set, so MEDIA_STORAGE must be s3"],
    [{ MEDIA_STORAGE: "local", S3_REGION: "eu-central-1" }, "Invalid MEDIA_STORAGE: S3_REGION is set, so MEDIA_STORAGE must be s3"],
  ])("refuses %j with one line naming the variable", (env, message) => {
    expect(() => configWith(env)).toThrow(ConfigError);
    expect(() => configWith(env)).toThrow(message);
  });
});
