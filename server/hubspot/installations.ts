import { and, eq, ne } from "drizzle-orm";
import { decryptSecret, encryptSecret } from "../crypto/secrets";
import type { Executor } from "../db/client";
import { hubspotInstallations } from "../db/schema";
import type { HubspotTokens } from "./oauth";

// The HubSpot account connected to a workspace: one row per portal (hub_id), tokens sealed at rest.

export type HubspotInstallation = typeof hubspotInstallations.$inferSelect;

/** Why a verified callback still can't be stored; the reason travels to the UI in the redirect. */
export class HubspotInstallRefused extends Error {
  constructor(readonly reason: "member_inactive" | "permission_denied" | "portal_linked_elsewhere" | "other_portal_connected") {
    super(reason);
  }
}

export async function loadHubspotInstallation(db: Executor, workspaceId: string): Promise<HubspotInstallation | null> {
  const [row] = await db.select().from(hubspotInstallations).where(eq(hubspotInstallations.workspaceId, workspaceId));
  return row ?? null;
}

/** The workspace's installation, locked for the rest of the caller's transaction (one refresh at a time, across processes). */
export async function lockHubspotInstallation(db: Executor, workspaceId: string): Promise<HubspotInstallation | null> {
  const [row] = await db.select().from(hubspotInstallations).where(eq(hubspotInstallations.workspaceId, workspaceId)).for("update");
  return row ?? null;
}

/**
 * Stores the portal's install as the workspace's HubSpot connection. A portal already connected
 * to another workspace is refused (one HubSpot account, one shared inbox), and so is a second
 * portal for a workspace that has one (disconnect it first); the same portal again is a reconnect.
 */
export async function storeHubspotInstallation(
  db: Executor,
  encryptionKey: Buffer,
  input: { workspaceId: string; memberId: string; tokens: HubspotTokens; hubDomain: string | null },
): Promise<{ reconnected: boolean }> {
  const { workspaceId, tokens } = input;
  const [elsewhere] = await db
    .select({ workspaceId: hubspotInstallations.workspaceId })
    .from(hubspotInstallations)
    .where(and(eq(hubspotInstallations.hubId, tokens.hubId), ne(hubspotInstallations.workspaceId, workspaceId)));
  if (elsewhere) throw new HubspotInstallRefused("portal_linked_elsewhere");
  const current = await lockHubspotInstallation(db, workspaceId);
  if (current && current.hubId !== tokens.hubId) throw new HubspotInstallRefused("other_portal_connected");
  const values = {
    workspaceId,
    connectedBy: input.memberId,
    hubspotUserId: tokens.userId,
    hubDomain: input.hubDomain,
    scopes: tokens.scopes.join(" "),
    ...sealedTokens(encryptionKey, tokens),
    status: "connected" as const,
    statusReason: null,
    connectedAt: new Date(),
  };
  await db
    .insert(hubspotInstallations)
    .values({ hubId: tokens.hubId, ...values })
    .onConflictDoUpdate({ target: hubspotInstallations.hubId, set: values });
  return { reconnected: current !== null };
}

export function sealedTokens(encryptionKey: Buffer, tokens: Pick<HubspotTokens, "accessToken" | "refreshToken" | "expiresAt">) {
  return {
    accessTokenEncrypted: encryptSecret(encryptionKey, tokens.accessToken),
    refreshTokenEncrypted: encryptSecret(encryptionKey, tokens.refreshToken),
    accessTokenExpiresAt: tokens.expiresAt,
  };
}

export function openTokens(encryptionKey: Buffer, row: HubspotInstallation): { accessToken: string | null; refreshToken: string | null } {
  return {
    accessToken: row.accessTokenEncrypted ? decryptSecret(encryptionKey, row.accessTokenEncrypted) : null,
    refreshToken: row.refreshTokenEncrypted ? decryptSecret(encryptionKey, row.refreshTokenEncrypted) : null,
  };
}

export async function removeHubspotInstallation(db: Executor, workspaceId: string): Promise<HubspotInstallation | null> {
  const [removed] = await db.delete(hubspotInstallations).where(eq(hubspotInstallations.workspaceId, workspaceId)).returning();
  return removed ?? null;
}
