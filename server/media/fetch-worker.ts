import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { decryptSecret } from "../crypto/secrets";
import { chats, messageMedia, messages, whatsappAccounts } from "../db/schema";
import { publish } from "../events/bus";
import { type Backoff, listedBackoff } from "../jobs/backoff";
import { leaseQueue } from "../jobs/lease-queue";
import { type JobOutcome, type JobRunner, startJobRunner } from "../jobs/runner";
import type { Services } from "../services";
import { checkInboundMedia, mediaSizeLimit } from "./limits";
import type { MessageMediaRow } from "./presentation";
import { newMediaKey } from "./storage";

/** message_media as the inbound fetch job's queue: 'pending' rows wait for their file, 'failed' ones are the dead letters. */
export const mediaFetchQueue = leaseQueue("media-fetch", messageMedia, [messageMedia.workspaceId, messageMedia.messageId]);

/** About two hours in all: Meta keeps a customer's file for weeks, so a Graph outage or an expired token fixed by reconnecting still gets it. */
export const defaultMediaFetchRetryDelaysMs: readonly number[] = [5e3, 30e3, 2 * 60e3, 10 * 60e3, 30 * 60e3, 60 * 60e3];
// Longer than GET /{media-id} plus a 100 MB download take, so a lease never lapses under a running attempt.
const leaseMs = 5 * 60_000;

export type MediaFetchWorkerOptions = { pollIntervalMs?: number; retryDelaysMs?: readonly number[] };

/** A file we will not store whatever happens next (too large, a type we refuse): failed at once. */
class RefusedMedia extends Error {}

/**
 * Starts this process's media fetch worker on the job runner (server/jobs/): each customer's file
 * waiting in message_media is fetched from Meta with its account's token (GET /{media-id}, then the
 * short-lived url with the bearer), checked against Meta's limits and the webhook's SHA-256, stored
 * under a new random key, and marked ready; retried with backoff, and failed for good when it is
 * refused or Meta still does not serve it after the last wait. Either end is a live update of the
 * message, so open consoles swap "loading" for the file (or for "failed").
 */
export function startMediaFetchWorker(services: Services, options: MediaFetchWorkerOptions = {}): JobRunner {
  const db = services.database.db;
  const backoff: Backoff = listedBackoff(options.retryDelaysMs ?? defaultMediaFetchRetryDelaysMs, 0.2);

  const finish = async (job: MessageMediaRow, chatId: string | null, status: "ready" | "failed", set: Record<string, unknown>) => {
    await db.transaction(async (tx) => {
      await mediaFetchQueue.complete(tx, job, status, set);
      if (chatId) await publish(tx, { type: "message.status", workspaceId: job.workspaceId, chatId, messageId: job.messageId });
    });
  };

  const fetchOne = async (job: MessageMediaRow, signal: AbortSignal): Promise<JobOutcome> => {
    if (signal.aborted) {
      await mediaFetchQueue.release(db, job);
      return "released";
    }
    const source = await sourceOf(services, job);
    try {
      if (!source?.accessToken || !job.providerMediaId) throw new Error("the WhatsApp account has no Cloud API credentials");
      const stored = await download(services, job, source.accessToken, job.providerMediaId);
      await finish(job, source.chatId, "ready", { storageKey: stored.key, sizeBytes: stored.size, mimeType: stored.mimeType, lastError: null });
      // A lease that lapsed meanwhile (another process finished the job): this copy is nobody's.
      const [current] = await db
        .select({ storageKey: messageMedia.storageKey })
        .from(messageMedia)
        .where(and(eq(messageMedia.workspaceId, job.workspaceId), eq(messageMedia.messageId, job.messageId)));
      if (current?.storageKey !== stored.key) await services.mediaStorage.delete(stored.key);
      return "done";
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof RefusedMedia) {
        await finish(job, source?.chatId ?? null, "failed", { lastError: message.slice(0, 500) });
        return "dead";
      }
      services.logger.warn({ err: error, workspaceId: job.workspaceId, messageId: job.messageId }, "a customer's file was not fetched");
      const outcome = await mediaFetchQueue.fail(db, job, { error: message, backoff });
      if (outcome === "dead" && source?.chatId)
        await publish(db, { type: "message.status", workspaceId: job.workspaceId, chatId: source.chatId, messageId: job.messageId });
      return outcome;
    }
  };

  return startJobRunner(services, {
    name: "media-fetch",
    claim: (limit) => mediaFetchQueue.claim(db, { limit, leaseMs }),
    run: fetchOne,
    // A customer's message may carry a file: look at once rather than at the next poll.
    wakeOn: (event) => event.type === "message.created",
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    // A campaign's sends are message.created events too: a burst wakes the worker once.
    minWakeGapMs: 200,
    // Each file is held whole in memory while checked and stored (a document may be 100 MB).
    concurrency: 2,
  });
}

/** The message's chat and the token of the account it arrived on (Cloud API accounts only). */
async function sourceOf(services: Services, job: MessageMediaRow) {
  const [row] = await services.database.db
    .select({ chatId: messages.chatId, provider: whatsappAccounts.provider, accessTokenEncrypted: whatsappAccounts.accessTokenEncrypted })
    .from(messages)
    .innerJoin(chats, and(eq(chats.workspaceId, messages.workspaceId), eq(chats.id, messages.chatId)))
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, chats.workspaceId), eq(whatsappAccounts.id, chats.accountId)))
    .where(and(eq(messages.workspaceId, job.workspaceId), eq(messages.id, job.messageId)));
  if (!row) return null;
  const accessToken = row.provider === "cloud" && row.accessTokenEncrypted ? decryptSecret(services.config.encryptionKey, row.accessTokenEncrypted) : null;
  return { chatId: row.chatId, accessToken };
}

/** Fetches, checks and stores the file; throws RefusedMedia for a file we never keep, anything else to retry. */
async function download(services: Services, job: MessageMediaRow, accessToken: string, mediaId: string) {
  const info = await services.cloud.getMedia({ mediaId, accessToken });
  const declared = checkInboundMedia({ type: job.kind, mimeType: info.mimeType || (job.mimeType ?? ""), size: info.fileSize ?? 0 });
  if (!declared.ok) throw new RefusedMedia(declared.reason);
  let bytes: Buffer;
  try {
    bytes = await services.cloud.downloadMedia({ url: info.url, accessToken, maxBytes: mediaSizeLimit(job.kind) });
  } catch (error) {
    // Past the limit while reading (Meta's file_size was missing or wrong), or a url off Meta's hosts.
    if (error instanceof RangeError) throw new RefusedMedia(/larger/.test(error.message) ? "too_large" : error.message);
    throw error;
  }
  const actual = checkInboundMedia({ type: job.kind, mimeType: declared.mimeType, size: bytes.length });
  if (!actual.ok) throw new RefusedMedia(actual.reason);
  const expected = job.sha256 ?? info.sha256;
  if (expected && !sameDigest(bytes, expected)) throw new Error("the file's SHA-256 does not match what Meta announced");
  const key = newMediaKey();
  await services.mediaStorage.put(key, bytes);
  return { key, size: bytes.length, mimeType: actual.mimeType };
}

/** Meta gives the SHA-256 in hex (GET /{media-id}) or base64 (some webhooks): either matches. */
function sameDigest(bytes: Buffer, expected: string): boolean {
  const digest = createHash("sha256").update(bytes).digest();
  return expected.toLowerCase() === digest.toString("hex") || expected === digest.toString("base64");
}
