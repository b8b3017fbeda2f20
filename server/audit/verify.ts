import { and, asc, eq, gt } from "drizzle-orm";
import type { Executor } from "../db/client";
import { auditLog, workspaces } from "../db/schema";
import { entryHash } from "./recorder";

export type ChainProblem = { workspaceId: string; seq: number; problem: string };

/**
 * Walks each workspace's chain: every entry must hash to its stored hash, link to its
 * predecessor, follow it without a gap, and the last must match the workspace's head.
 */
export async function verifyAuditChains(db: Executor, batchSize = 1000): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = [];
  const heads = await db.select({ id: workspaces.id, seq: workspaces.auditHeadSeq, hash: workspaces.auditHeadHash }).from(workspaces);
  for (const head of heads) {
    let expectedSeq = 1;
    let prevHash = "";
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
        const recomputed = entryHash(row.prevHash, {
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
        });
        if (recomputed !== row.hash) report("was changed after it was written");
        prevHash = row.hash;
        expectedSeq = row.seq + 1;
      }
      if (rows.length < batchSize) break;
    }
    if (expectedSeq - 1 !== head.seq || prevHash !== head.hash) {
      problems.push({ workspaceId: head.id, seq: head.seq, problem: "the newest entries are missing" });
    }
  }
  return problems;
}
