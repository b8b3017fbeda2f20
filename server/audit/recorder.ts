import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { auditLog, workspaces } from "../db/schema";
import { newId, sha256 } from "../ids";

export type AuditEntryInput = {
  workspaceId: string;
  actorId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
};

export type ChainedFields = {
  seq: number;
  id: string;
  at: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
};

// The chain is keyed: each hash is an HMAC-SHA256 under a key derived from ENCRYPTION_KEY, so
// someone with only database access cannot remove an entry and recompute the links after it.
// Keyed hashes carry the `hmac:` prefix; entries written before the key (plain SHA-256, bare
// hex) stay verifiable, and are sealed by the operator's one keyed seal entry (see seal.ts).
const keyedPrefix = "hmac:";

/** The fields of a stored entry that its hash covers. */
export function chainedFieldsOf(row: ChainedFields & { at: string | Date }): ChainedFields {
  return {
    seq: row.seq,
    id: row.id,
    at: new Date(row.at).toISOString(),
    actorId: row.actorId,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    ip: row.ip,
    userAgent: row.userAgent,
    details: row.details,
  };
}

/** The hash that chains an entry to its predecessor: `hmac:` and the HMAC-SHA256 under the chain key. */
export function entryHash(chainKey: Buffer, prevHash: string, entry: ChainedFields): string {
  return `${keyedPrefix}${createHmac("sha256", chainKey).update(chainInput(prevHash, entry)).digest("hex")}`;
}

/** The unkeyed hash of entries written before the chain was keyed (verification only). */
export function legacyEntryHash(prevHash: string, entry: ChainedFields): string {
  return sha256(chainInput(prevHash, entry));
}

/**
 * The workspace head's seal: an HMAC over the newest entry's seq and hash, in its own domain so no
 * entry hash can stand in for it. Someone who cuts the newest entries off and sets the head back to
 * an older entry cannot seal that older head without the key.
 */
export function headSeal(chainKey: Buffer, seq: number, hash: string): string {
  return `${keyedPrefix}${createHmac("sha256", chainKey).update(`head\n${seq}\n${hash}`).digest("hex")}`;
}

/** The entry that seals a legacy log (seal.ts): the only one that may follow an unkeyed head. */
export const legacySealAction = "audit.chain_keyed";

/** Whether a stored hash is a keyed one (else it is a legacy, unkeyed SHA-256). */
export function isKeyedHash(hash: string): boolean {
  return hash.startsWith(keyedPrefix);
}

function chainInput(prevHash: string, entry: ChainedFields): string {
  return `${prevHash}\n${canonicalJson(entry)}`;
}

/** JSON with sorted keys, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value as object)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(",")}}`;
}

/**
 * Appends one entry to the workspace's activity log, in the caller's transaction, chained under
 * `chainKey` (config.auditChainKey).
 * The workspace row is locked so concurrent writers extend the chain one at a time.
 */
export async function recordAudit(executor: Executor, chainKey: Buffer, input: AuditEntryInput): Promise<string> {
  // NO KEY UPDATE: it serializes chain writers but not inserts whose foreign keys share-lock the row.
  const [head] = await executor
    .select({ seq: workspaces.auditHeadSeq, hash: workspaces.auditHeadHash })
    .from(workspaces)
    .where(eq(workspaces.id, input.workspaceId))
    .for("no key update");
  if (!head) throw new Error(`recordAudit: workspace ${input.workspaceId} not found`);
  // Chaining onto an unkeyed head would bless it, and it may be a rewrite (see seal.ts).
  if (head.seq > 0 && !isKeyedHash(head.hash) && input.action !== legacySealAction) {
    throw new Error(`recordAudit: the activity log of workspace ${input.workspaceId} ends without the key; run npm run audit:verify`);
  }
  const entry: ChainedFields = {
    seq: head.seq + 1,
    id: newId("aud"),
    at: new Date().toISOString(),
    actorId: input.actorId,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    ip: input.ip ?? null,
    userAgent: input.userAgent ?? null,
    details: input.details ?? {},
  };
  const hash = entryHash(chainKey, head.hash, entry);
  await executor.insert(auditLog).values({ workspaceId: input.workspaceId, ...entry, prevHash: head.hash, hash });
  await executor
    .update(workspaces)
    .set({ auditHeadSeq: entry.seq, auditHeadHash: hash, auditHeadSeal: headSeal(chainKey, entry.seq, hash) })
    .where(eq(workspaces.id, input.workspaceId));
  return entry.id;
}
