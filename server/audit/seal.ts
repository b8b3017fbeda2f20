import { and, count, eq, gt, not, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { workspaces } from "../db/schema";
import { isKeyedHash, legacySealAction, recordAudit } from "./recorder";

// Logs written before the chain was keyed end in an unkeyed SHA-256 head. So does a log that
// someone with database access but without the key rewrote. The two cannot be told apart, so the
// server never seals such a log by itself (a restart, or the next entry, would bless a rewrite):
// the operator seals once after upgrading, with `npm run audit:seal-legacy`.

const unkeyedHead = and(gt(workspaces.auditHeadSeq, 0), not(sql`${workspaces.auditHeadHash} like 'hmac:%'`));

/** The server refuses to start while any workspace's log ends unkeyed (see above). */
export class UnsealedAuditChains extends Error {
  constructor(readonly workspaces: number) {
    super(
      `the activity logs of ${workspaces} workspace(s) end without the key: written before the keyed chain (run \`npm run audit:seal-legacy\` once after upgrading) or rewritten without the key (run \`npm run audit:verify\`).`,
    );
  }
}

/** Throws UnsealedAuditChains when a workspace's log ends in an unkeyed head. */
export async function assertAuditChainsKeyed(db: Executor): Promise<void> {
  const [row] = await db.select({ unsealed: count() }).from(workspaces).where(unkeyedHead);
  if (row && row.unsealed > 0) throw new UnsealedAuditChains(row.unsealed);
}

/**
 * Seals activity logs written before the chain was keyed: each workspace whose newest entry is
 * an unkeyed SHA-256 gets one keyed `audit.chain_keyed` entry linking to it. The legacy entries
 * stay verifiable with the old hash up to the seal; rewriting any of them breaks the seal's HMAC,
 * and a chain without a keyed entry fails verification. An operator's step (seal-cli.ts), never
 * automatic; a no-op once sealed.
 */
export async function sealLegacyAuditChains(db: Executor, chainKey: Buffer): Promise<number> {
  const unsealed = await db.select({ id: workspaces.id }).from(workspaces).where(unkeyedHead);
  let sealed = 0;
  for (const { id } of unsealed) {
    await db.transaction(async (tx) => {
      // Another process sealing at the same moment may have sealed it already.
      const [head] = await tx
        .select({ seq: workspaces.auditHeadSeq, hash: workspaces.auditHeadHash })
        .from(workspaces)
        .where(eq(workspaces.id, id))
        .for("update");
      if (!head || head.seq === 0 || isKeyedHash(head.hash)) return;
      await recordAudit(tx, chainKey, {
        workspaceId: id,
        actorId: null,
        action: legacySealAction,
        targetType: "workspace",
        targetId: id,
        details: { legacyEntries: head.seq },
      });
      sealed++;
    });
  }
  return sealed;
}
