import { and, eq } from "drizzle-orm";
import { idempotencyKeys } from "../db/schema";
import type { Principal } from "../identity/tokens";
import { sha256 } from "../ids";
import type { Services } from "../services";
import { conflict, HttpProblem, invalidRequest } from "./problem";
import type { Reply } from "./route";

const retentionMs = 24 * 60 * 60 * 1000;

/**
 * Runs a request at most once per (member, Idempotency-Key) within 24 hours: a repeat with the
 * same request gets the first answer and sends nothing; a different request under the same key
 * is a 422. The key row is claimed before the work starts, so concurrent repeats wait on it.
 */
export async function withIdempotency(services: Services, actor: Principal, key: string, fingerprint: string, run: () => Promise<Reply>): Promise<Reply> {
  if (key.length > 200)
    throw invalidRequest("The Idempotency-Key header is too long.", [{ path: "header.idempotency-key", message: "at most 200 characters" }]);
  const db = services.database.db;
  const where = and(eq(idempotencyKeys.workspaceId, actor.workspaceId), eq(idempotencyKeys.memberId, actor.memberId), eq(idempotencyKeys.key, key));
  const requestHash = sha256(fingerprint);
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ workspaceId: actor.workspaceId, memberId: actor.memberId, key, requestHash })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length === 0) {
    const [existing] = await db.select().from(idempotencyKeys).where(where);
    if (!existing) return withIdempotency(services, actor, key, fingerprint, run);
    if (existing.createdAt.getTime() < Date.now() - retentionMs) {
      await db.delete(idempotencyKeys).where(where);
      return withIdempotency(services, actor, key, fingerprint, run);
    }
    if (existing.requestHash !== requestHash) {
      throw new HttpProblem(422, "unprocessable", "Idempotency-Key reused", "This Idempotency-Key was used for a different request.");
    }
    if (existing.responseStatus === null) throw conflict("A request with this Idempotency-Key is still being processed.");
    return { status: existing.responseStatus, body: existing.responseBody ?? undefined };
  }
  try {
    const reply = await run();
    if ("body" in reply && reply.status < 300) {
      await db
        .update(idempotencyKeys)
        .set({ responseStatus: reply.status, responseBody: reply.body ?? null })
        .where(where);
    } else {
      await db.delete(idempotencyKeys).where(where);
    }
    return reply;
  } catch (error) {
    await db.delete(idempotencyKeys).where(where);
    throw error;
  }
}
