import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";

/** s3rver's fixed credentials: it checks request signatures made with them. */
const accessKeyId = "S3RVER";
const secretAccessKey = "S3RVER";

export type LocalS3 = {
  endpoint: string;
  bucket: string;
  /** Its objects on disk (s3rver keeps them as files), for tests that look at what was stored. */
  directory: string;
  /** The environment variables that point Switchboard's media storage at this bucket. */
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
};

/**
 * A local S3-compatible server (s3rver, from npm) on a random loopback port with one empty
 * bucket, so the S3 media storage is tested against real S3 requests signed by the AWS SDK.
 */
export async function startLocalS3(bucket = "switchboard-media"): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(tmpdir(), "sb-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: (extra = {}) => ({
      MEDIA_STORAGE: "s3",
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "on",
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      ...extra,
    }),
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
