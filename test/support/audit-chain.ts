import { asc, eq } from "drizzle-orm";
import { canonicalJson, chainedFieldsOf } from "../../server/audit/recorder";
import type { Executor } from "../../server/db/client";
import { auditLog, workspaces } from "../../server/db/schema";
import { sha256 } from "../../server/ids";

/**
 * Rewrites a workspace's activity log the way someone with database access but without the
 * chain key would: optionally drops the entry at `remove`, renumbers the rest, and recomputes
 * every link with plain SHA-256 (bare hex, or under a forged `prefix`), head included.
 * With no removal and no prefix it is also exactly what a version before the keyed chain wrote.
 */
export async function recomputeChainWithoutKey(db: Executor, workspaceId: string, options: { remove?: number; prefix?: string } = {}) {
  const rows = await db.select().from(auditLog).where(eq(auditLog.workspaceId, workspaceId)).orderBy(asc(auditLog.seq));
  await db.delete(auditLog).where(eq(auditLog.workspaceId, workspaceId));
  let prevHash = "";
  let seq = 0;
  for (const row of rows.filter((candidate) => candidate.seq !== options.remove)) {
    seq++;
    const entry = chainedFieldsOf({ ...row, seq });
    const hash = `${options.prefix ?? ""}${sha256(`${prevHash}\n${canonicalJson(entry)}`)}`;
    await db.insert(auditLog).values({ workspaceId, ...entry, prevHash, hash });
    prevHash = hash;
  }
  await db.update(workspaces).set({ auditHeadSeq: seq, auditHeadHash: prevHash }).where(eq(workspaces.id, workspaceId));
}
