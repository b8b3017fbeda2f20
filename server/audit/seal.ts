import { and, eq, gt, not, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { workspaces } from "../db/schema";
import { isKeyedHash, recordAudit } from "./recorder";

/**
 * Seals activity logs written before the chain was keyed: each workspace whose newest entry is
 * an unkeyed SHA-256 gets one keyed `audit.chain_keyed` entry linking to it. The legacy entries
 * stay verifiable with the old hash up to the seal; rewriting any of them breaks the seal's HMAC,
 * and a chain without a keyed entry fails verification. Runs at start; a no-op once sealed.
 */
export async function sealLegacyAuditChains(db: Executor, chainKey: Buffer): Promise<number> {
  const unsealed = await db
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(and(gt(workspaces.auditHeadSeq, 0), not(sql`${workspaces.auditHeadHash} like 'hmac:%'`)));
  let sealed = 0;
  for (const { id } of unsealed) {
    await db.transaction(async (tx) => {
      // Another process starting at the same moment may have sealed it already.
      const [head] = await tx
        .select({ seq: workspaces.auditHeadSeq, hash: workspaces.auditHeadHash })
        .from(workspaces)
        .where(eq(workspaces.id, id))
        .for("update");
      if (!head || head.seq === 0 || isKeyedHash(head.hash)) return;
      await recordAudit(tx, chainKey, {
        workspaceId: id,
        actorId: null,
        action: "audit.chain_keyed",
        targetType: "workspace",
        targetId: id,
        details: { legacyEntries: head.seq },
      });
      sealed++;
    });
  }
  return sealed;
}
