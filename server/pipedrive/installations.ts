import { and, eq, isNotNull, ne, or } from "drizzle-orm";
import { loadActor } from "../crm/actor";
import type { Executor } from "../db/client";
import {
  pipedriveAppShares,
  pipedriveCompanyRoutes,
  pipedriveConnections,
  pipedriveInstallationRoutes,
  pipedriveInstallations,
  pipedriveUnclaimedInstallations,
  pipedriveUserLinks,
  workspaces,
} from "../db/schema";
import { notFound } from "../http/problem";
import { type Actor, assertCrmLinkChange, type CrmLinkedMember } from "../permissions";
import { type InstallationKey, type InstallationRow, installationRouteWhere, installationWhere, unclaimedInstallationWhere } from "./connections";
import type { PipedriveIdentity, PipedriveTokens } from "./oauth";
import { sealPipedriveTokens } from "./token-storage";
import type { AppSharingNotice } from "./uninstall";

// Commands that store or remove Pipedrive installations; each runs in the caller's transaction.
// An installation is one Pipedrive user's (company, user) tokens; the workspace connection names
// the one serving company-wide work, and an installation with a member is that member's own.

/** Why a verified callback still can't be stored; the reason travels to the UI in the redirect. */
export class InstallRefused extends Error {
  constructor(readonly reason: "member_inactive" | "permission_denied" | "company_linked_elsewhere" | "wrong_company" | "workspace_not_connected") {
    super(reason);
  }
}

/**
 * Stores the authorizing user's installation and makes it the one serving the workspace's company
 * connection; routes the company to the workspace. A company already routed to another workspace
 * is refused: one Pipedrive account, one shared inbox.
 */
export async function storeWorkspaceConnection(
  db: Executor,
  encryptionKey: Buffer,
  input: { workspaceId: string; memberId: string; tokens: PipedriveTokens; identity: PipedriveIdentity },
): Promise<void> {
  const { workspaceId, identity } = input;
  await assertCompanyFree(db, workspaceId, identity.pipedriveCompanyId);
  const [previous] = await db
    .select({ companyId: pipedriveConnections.companyId })
    .from(pipedriveConnections)
    .where(eq(pipedriveConnections.workspaceId, workspaceId));
  if (previous && previous.companyId !== identity.pipedriveCompanyId) await forgetCompany(db, workspaceId, previous.companyId);
  await storeInstallation(db, encryptionKey, { workspaceId, memberId: undefined, tokens: input.tokens, identity });
  const values = {
    companyId: identity.pipedriveCompanyId,
    companyDomain: identity.companyDomain,
    pipedriveUserId: identity.pipedriveUserId,
    connectedBy: input.memberId,
    updatedAt: new Date(),
  };
  await db
    .insert(pipedriveConnections)
    .values({ workspaceId, ...values })
    .onConflictDoUpdate({ target: pipedriveConnections.workspaceId, set: { ...values, createdAt: new Date() } });
  await db.insert(pipedriveCompanyRoutes).values({ companyId: identity.pipedriveCompanyId, workspaceId }).onConflictDoNothing();
  // The Admin who authorized is that Pipedrive user, unless someone is already mapped to it.
  await db
    .insert(pipedriveUserLinks)
    .values({ workspaceId, pipedriveUserId: identity.pipedriveUserId, memberId: input.memberId, linkedBy: input.memberId })
    .onConflictDoNothing();
}

/** Stores a member's own installation and maps their Pipedrive user to them (replacing older maps). */
export async function storeIndividualConnection(
  db: Executor,
  encryptionKey: Buffer,
  input: { workspaceId: string; memberId: string; tokens: PipedriveTokens; identity: PipedriveIdentity },
): Promise<void> {
  const { workspaceId, memberId, identity } = input;
  const [workspaceConnection] = await db.select().from(pipedriveConnections).where(eq(pipedriveConnections.workspaceId, workspaceId));
  if (workspaceConnection && workspaceConnection.companyId !== identity.pipedriveCompanyId) throw new InstallRefused("wrong_company");
  await assertCompanyFree(db, workspaceId, identity.pipedriveCompanyId);
  // A member is one Pipedrive user: an installation of another user stops being theirs (it may still serve the workspace).
  await db
    .update(pipedriveInstallations)
    .set({ memberId: null })
    .where(
      and(
        eq(pipedriveInstallations.workspaceId, workspaceId),
        eq(pipedriveInstallations.memberId, memberId),
        or(ne(pipedriveInstallations.companyId, identity.pipedriveCompanyId), ne(pipedriveInstallations.pipedriveUserId, identity.pipedriveUserId)),
      ),
    );
  await storeInstallation(db, encryptionKey, { workspaceId, memberId, tokens: input.tokens, identity });
  await linkPipedriveUser(db, workspaceId, identity.pipedriveUserId, memberId, memberId);
}

/** A company routed to another workspace belongs to that workspace's shared inbox. */
async function assertCompanyFree(db: Executor, workspaceId: string, companyId: number): Promise<void> {
  const [route] = await db.select().from(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.companyId, companyId));
  if (route && route.workspaceId !== workspaceId) throw new InstallRefused("company_linked_elsewhere");
}

/**
 * Upserts the (company, user) installation with new tokens. `memberId` undefined keeps whose own
 * connection it is, unless it moves here from another workspace. Its route keeps it in one
 * workspace: a route to another workspace goes (with the installation there, by its foreign key),
 * and an unclaimed Marketplace install of it is claimed.
 */
async function storeInstallation(
  db: Executor,
  encryptionKey: Buffer,
  input: { workspaceId: string; memberId: string | undefined; tokens: PipedriveTokens; identity: PipedriveIdentity },
): Promise<void> {
  const { workspaceId, identity } = input;
  const key = { companyId: identity.pipedriveCompanyId, pipedriveUserId: identity.pipedriveUserId };
  await db.delete(pipedriveInstallationRoutes).where(and(installationRouteWhere(key), ne(pipedriveInstallationRoutes.workspaceId, workspaceId)));
  await db.delete(pipedriveUnclaimedInstallations).where(unclaimedInstallationWhere(key));
  await db
    .insert(pipedriveInstallationRoutes)
    .values({ ...key, workspaceId })
    .onConflictDoNothing();
  const values = {
    ...(input.memberId === undefined ? {} : { memberId: input.memberId }),
    name: identity.name,
    ...sealPipedriveTokens(encryptionKey, input.tokens),
    status: "connected" as const,
    statusReason: null,
    updatedAt: new Date(),
  };
  await db
    .insert(pipedriveInstallations)
    .values({ workspaceId, ...key, ...values })
    .onConflictDoUpdate({
      target: [pipedriveInstallations.workspaceId, pipedriveInstallations.companyId, pipedriveInstallations.pipedriveUserId],
      set: values,
    });
}

/**
 * An Admin's mapping of a Pipedrive user to a member (null unmaps it), under the CRM link rules
 * (assertCrmLinkChange): every member whose link it would make, move or remove is checked.
 */
export async function mapPipedriveUser(db: Executor, actor: Actor, pipedriveUserId: number, memberId: string | null): Promise<void> {
  const { workspaceId } = actor;
  // Rows for this Pipedrive user, and for the member it is to be mapped to.
  const concerned = (table: typeof pipedriveUserLinks | typeof pipedriveInstallations) =>
    and(
      eq(table.workspaceId, workspaceId),
      memberId ? or(eq(table.pipedriveUserId, pipedriveUserId), eq(table.memberId, memberId)) : eq(table.pipedriveUserId, pipedriveUserId),
    );
  const links = await db.select().from(pipedriveUserLinks).where(concerned(pipedriveUserLinks));
  const ownConnections = (
    await db
      .select({ memberId: pipedriveInstallations.memberId, pipedriveUserId: pipedriveInstallations.pipedriveUserId })
      .from(pipedriveInstallations)
      .where(and(concerned(pipedriveInstallations), isNotNull(pipedriveInstallations.memberId)))
  ).flatMap((row) => (row.memberId ? [{ memberId: row.memberId, pipedriveUserId: row.pipedriveUserId }] : []));
  const alreadyLinked = links.some((link) => link.pipedriveUserId === pipedriveUserId && link.memberId === memberId);
  const ownConnectionOf = (id: string) => ownConnections.find((connection) => connection.memberId === id);
  // Those who are this Pipedrive user now (by mapping or by their own connection) and would stop being it.
  const losing = new Set(
    [...links, ...ownConnections].filter((row) => row.pipedriveUserId === pipedriveUserId && row.memberId !== memberId).map((row) => row.memberId),
  );
  const touched = async (id: string, ownConnection: boolean): Promise<CrmLinkedMember> => {
    const member = await loadActor(db, workspaceId, id);
    if (!member) throw notFound("member");
    return { roleId: member.roleId, permissions: member.permissions, ownConnection };
  };
  // The gaining member's own connection is replaced unless it is this very Pipedrive user.
  const gains =
    memberId && !alreadyLinked ? await touched(memberId, (ownConnectionOf(memberId)?.pipedriveUserId ?? pipedriveUserId) !== pipedriveUserId) : null;
  const loses: CrmLinkedMember[] = [];
  for (const id of losing) loses.push(await touched(id, ownConnectionOf(id)?.pipedriveUserId === pipedriveUserId));
  assertCrmLinkChange(actor, { gains, loses });
  if (!alreadyLinked) await linkPipedriveUser(db, workspaceId, pipedriveUserId, memberId, actor.memberId);
}

/** Maps a Pipedrive user to a member (or unmaps it with null); each side maps at most once. */
export async function linkPipedriveUser(db: Executor, workspaceId: string, pipedriveUserId: number, memberId: string | null, linkedBy: string): Promise<void> {
  const sameUserOrMember = memberId
    ? or(eq(pipedriveUserLinks.pipedriveUserId, pipedriveUserId), eq(pipedriveUserLinks.memberId, memberId))
    : eq(pipedriveUserLinks.pipedriveUserId, pipedriveUserId);
  await db.delete(pipedriveUserLinks).where(and(eq(pipedriveUserLinks.workspaceId, workspaceId), sameUserOrMember));
  if (memberId) await db.insert(pipedriveUserLinks).values({ workspaceId, pipedriveUserId, memberId, linkedBy });
}

/**
 * The installations a workspace disconnect removes: the one serving it and the members' own
 * ones for its company (the caller revokes each before calling removeWorkspaceConnection).
 */
export async function workspaceInstallations(db: Executor, workspaceId: string): Promise<InstallationRow[]> {
  const [connection] = await db.select().from(pipedriveConnections).where(eq(pipedriveConnections.workspaceId, workspaceId));
  if (!connection) return [];
  return db
    .select()
    .from(pipedriveInstallations)
    .where(and(eq(pipedriveInstallations.workspaceId, workspaceId), eq(pipedriveInstallations.companyId, connection.companyId)));
}

/** Disconnects the workspace: its connection, its company route and the installations for that company. */
export async function removeWorkspaceConnection(db: Executor, workspaceId: string): Promise<{ companyId: number } | null> {
  const [removed] = await db
    .delete(pipedriveConnections)
    .where(eq(pipedriveConnections.workspaceId, workspaceId))
    .returning({ companyId: pipedriveConnections.companyId });
  if (!removed) return null;
  await forgetCompany(db, workspaceId, removed.companyId);
  return removed;
}

/** The company's route, and its installations here with their routes (the routes' foreign key removes the installations). */
async function forgetCompany(db: Executor, workspaceId: string, companyId: number) {
  await db.delete(pipedriveCompanyRoutes).where(and(eq(pipedriveCompanyRoutes.companyId, companyId), eq(pipedriveCompanyRoutes.workspaceId, workspaceId)));
  await db
    .delete(pipedriveInstallationRoutes)
    .where(and(eq(pipedriveInstallationRoutes.workspaceId, workspaceId), eq(pipedriveInstallationRoutes.companyId, companyId)));
}

/**
 * Removes one installation (after it was revoked), with its route, or the unclaimed Marketplace
 * install of it; answers what it was (workspaceId null: an unclaimed one).
 */
export async function removeInstallation(
  db: Executor,
  key: InstallationKey,
): Promise<(Omit<InstallationRow, "workspaceId"> & { workspaceId: string | null }) | null> {
  const [removed] = await db.delete(pipedriveInstallations).where(installationWhere(key)).returning();
  await db.delete(pipedriveInstallationRoutes).where(installationRouteWhere(key));
  const [unclaimed] = await db.delete(pipedriveUnclaimedInstallations).where(unclaimedInstallationWhere(key)).returning();
  return removed ?? (unclaimed ? { ...unclaimed, workspaceId: null, memberId: null } : null);
}

/**
 * Pipedrive's uninstall notice for one user: only that (company, user) installation goes. If it
 * served a workspace's connection, that connection now needs reconnecting (loadWorkspaceConnection
 * sees no installation); other users' installations keep working. Answers the affected workspace.
 */
export async function removeUninstalledUser(
  db: Executor,
  key: InstallationKey,
): Promise<{ workspaceId: string; memberId: string | null; servedWorkspace: boolean } | null> {
  const removed = await removeInstallation(db, key);
  // The route tells which workspace the company belongs to even when the user had no installation here.
  const [route] = await db.select().from(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.companyId, key.companyId));
  const workspaceId = removed?.workspaceId ?? route?.workspaceId ?? null;
  if (!workspaceId) return null;
  const [served] = await db
    .select({ workspaceId: pipedriveConnections.workspaceId })
    .from(pipedriveConnections)
    .where(
      and(
        eq(pipedriveConnections.workspaceId, workspaceId),
        eq(pipedriveConnections.companyId, key.companyId),
        eq(pipedriveConnections.pipedriveUserId, key.pipedriveUserId),
      ),
    );
  if (!removed && !served) return null;
  // Only a workspace that still exists can take an activity-log entry.
  const [exists] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId));
  return exists ? { workspaceId, memberId: removed?.memberId ?? null, servedWorkspace: Boolean(served) } : null;
}

/**
 * Pipedrive's app-sharing notice: remembers whether the app is shared with the user (GET
 * /integrations lists them as expected to connect). Answers the company's workspace, if any.
 */
export async function recordAppSharing(db: Executor, notice: AppSharingNotice): Promise<string | null> {
  const key = { companyId: notice.pipedriveCompanyId, pipedriveUserId: notice.pipedriveUserId };
  const values = { isShared: notice.isShared, updatedAt: new Date() };
  await db
    .insert(pipedriveAppShares)
    .values({ ...key, ...values })
    .onConflictDoUpdate({ target: [pipedriveAppShares.companyId, pipedriveAppShares.pipedriveUserId], set: values });
  const [route] = await db.select().from(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.companyId, key.companyId));
  return route?.workspaceId ?? null;
}
