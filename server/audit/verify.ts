import { and, asc, eq, gt } from "drizzle-orm";
import type { Executor } from "../db/client";
import { auditLog, workspaces } from "../db/schema";
import { chainedFieldsOf, entryHash, headSeal, isKeyedHash, legacyEntryHash } from "./recorder";

export type ChainProblem = { workspaceId: string; seq: number; problem: string };

/**
 * Walks each workspace's chain: every entry must hash to its stored hash, link to its
 * predecessor, follow it without a gap, and the last must match the workspace's head, whose
 * keyed seal must match too.
 * Unkeyed (legacy) entries are accepted only before the first keyed one, and a chain must
 * end keyed: one recomputed without the key (plain SHA-256) is reported, however consistent.
 */
export async function verifyAuditChains(db: Executor, chainKey: Buffer, batchSize = 1000): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = [];
  const heads = await db
    .select({ id: workspaces.id, seq: workspaces.auditHeadSeq, hash: workspaces.auditHeadHash, seal: workspaces.auditHeadSeal })
    .from(workspaces);
  for (const head of heads) {
    let expectedSeq = 1;
    let prevHash = "";
    let keyedSeen = false;
    for (;;) {
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, head.id), gt(auditLog.seq, expectedSeq - 1)))
        .orderBy(asc(auditLog.seq))
        .limit(batchSize);
      for (const row of rows) {
        const report = (problem: string) => problems.push({ workspaceId: head.id, seq: row.seq, problem });
        if (row.seq !== expectedSeq) report(`entries ${expectedSeq}..${row.seq - 1} are missing`);
        if (row.prevHash !== prevHash) report("does not link to the entry before it");
        const fields = chainedFieldsOf(row);
        const keyed = isKeyedHash(row.hash);
        if (!keyed && keyedSeen) report("is chained without the key after the chain was keyed");
        keyedSeen ||= keyed;
        const recomputed = keyed ? entryHash(chainKey, row.prevHash, fields) : legacyEntryHash(row.prevHash, fields);
        if (recomputed !== row.hash) report("was changed after it was written");
        prevHash = row.hash;
        expectedSeq = row.seq + 1;
      }
      if (rows.length < batchSize) break;
    }
    // A keyed head must carry its seal: one set back to an older entry (the newest cut off) has none.
    const headUnsealed = isKeyedHash(head.hash) && head.seal !== headSeal(chainKey, head.seq, head.hash);
    if (expectedSeq - 1 !== head.seq || prevHash !== head.hash || headUnsealed) {
      problems.push({ workspaceId: head.id, seq: head.seq, problem: "the newest entries are missing" });
    }
    if (expectedSeq > 1 && !keyedSeen) {
      problems.push({
        workspaceId: head.id,
        seq: expectedSeq - 1,
        problem: "the chain is not keyed: recomputed without the key, or written before the keyed chain and not yet sealed (start the server once)",
      });
    }
  }
  return problems;
}
