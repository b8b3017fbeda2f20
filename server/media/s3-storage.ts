import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { MediaStorageConfig } from "../config";
import { isMediaKey, type MediaStorage } from "./storage";

export type S3MediaStorageOptions = Omit<Extract<MediaStorageConfig, { kind: "s3" }>, "kind">;

/**
 * Files as private objects in an S3 bucket (or an S3-compatible service), one per key under the
 * configured prefix. Objects get no ACL, so they stay as private as the bucket (S3's default, and
 * with Object Ownership "bucket owner enforced" ACLs are refused anyway): people reach a file only
 * through Switchboard's signed links, never the bucket. Only newMediaKey-shaped keys are accepted.
 */
export function createS3MediaStorage(options: S3MediaStorageOptions): MediaStorage & { client: S3Client } {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const objectKey = (key: string) => {
    if (!isMediaKey(key)) throw new Error("Not a media key");
    return `${options.prefix}${key}`;
  };
  const encryption = options.serverSideEncryption;
  return {
    client,
    async put(key, data) {
      await client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: objectKey(key),
          Body: data,
          ContentLength: data.byteLength,
          ContentType: "application/octet-stream",
          ...(encryption ? { ServerSideEncryption: encryption.algorithm } : {}),
          ...(encryption?.algorithm === "aws:kms" && encryption.kmsKeyId ? { SSEKMSKeyId: encryption.kmsKeyId } : {}),
        }),
      );
    },
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
        if (!answer.Body) return null;
        return Buffer.from(await answer.Body.transformToByteArray());
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async delete(key) {
      // S3 answers 204 for a key that is not there; some compatible services answer 404 NoSuchKey.
      try {
        await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    },
  };
}

/**
 * Only "no such key" means no file. A missing bucket (NoSuchBucket, also a 404) or refused access
 * is a fault to report. AWS answers 403, not 404, for a missing key when the credentials lack
 * s3:ListBucket: the README asks for that permission so a missing file reads as missing.
 */
function isMissing(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  // "NotFound": the SDK's name for a 404 whose answer has no error body (some compatible services).
  return error instanceof S3ServiceException && (error.name === "NoSuchKey" || error.name === "NotFound");
}
