import { and, eq, inArray, or } from "drizzle-orm";
import type { Executor } from "../db/client";
import { pipedriveCompanyRoutes, pipedriveConnections, pipedriveIndividualConnections, pipedriveUserLinks, workspaces } from "../db/schema";
import { notFound } from "../http/problem";
import { type Actor, assertCrmLinkChange, type CrmLinkedMember } from "../permissions";
import { findRole } from "../roles/lookup";
import { findMember } from "../team/membership";
import type { PipedriveIdentity, PipedriveTokens } from "./oauth";
import { sealPipedriveTokens } from "./token-storage";

// Commands that store or remove Pipedrive installations; each runs in the caller's transaction.

/** Why a verified callback still can't be stored; the reason travels to the UI in the redirect. */
export class InstallRefused extends Error {
  constructor(readonly reason: "member_inactive" | "permission_denied" | "company_linked_elsewhere" | "wrong_company" | "workspace_not_connected") {
    super(reason);
  }
}

/** The member behind an OAuth state, with their current role (roles may change within 10 minutes). */
export async function loadActor(db: Executor, workspaceId: string, memberId: string): Promise<(Actor & { name: string }) | null> {
  const member = await findMember(db, workspaceId, memberId);
  const role = member ? await findRole(db, workspaceId, member.roleId) : null;
  if (!member || !role) return null;
  return { workspaceId, memberId, roleId: member.roleId, roleName: role.name, status: member.status, permissions: role.permissions, name: member.name };
}

/**
 * Stores the workspace's company connection and routes the company to the workspace. A company
 * already routed to another workspace is refused: one Pipedrive account, one shared inbox.
 */
export async function storeWorkspaceConnection(
  db: Executor,
  encryptionKey: Buffer,
  input: { workspaceId: string; memberId: string; tokens: PipedriveTokens; identity: PipedriveIdentity },
): Promise<void> {
  const { workspaceId, identity } = input;
  const [route] = await db.select().from(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.companyId, identity.pipedriveCompanyId));
  if (route && route.workspaceId !== workspaceId) throw new InstallRefused("company_linked_elsewhere");
  const values = {
    companyId: identity.pipedriveCompanyId,
    companyDomain: identity.companyDomain,
    pipedriveUserId: identity.pipedriveUserId,
    connectedBy: input.memberId,
    ...sealPipedriveTokens(encryptionKey, input.tokens),
    status: "connected" as const,
    statusReason: null,
    updatedAt: new Date(),
  };
  const [previous] = await db
    .select({ companyId: pipedriveConnections.companyId })
    .from(pipedriveConnections)
    .where(eq(pipedriveConnections.workspaceId, workspaceId));
  if (previous && previous.companyId !== identity.pipedriveCompanyId) await forgetCompany(db, workspaceId, previous.companyId);
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

/** Stores a member's own connection and maps their Pipedrive user to them (replacing older maps). */
export async function storeIndividualConnection(
  db: Executor,
  encryptionKey: Buffer,
  input: { workspaceId: string; memberId: string; tokens: PipedriveTokens; identity: PipedriveIdentity },
): Promise<void> {
  const { workspaceId, memberId, identity } = input;
  const [workspaceConnection] = await db.select().from(pipedriveConnections).where(eq(pipedriveConnections.workspaceId, workspaceId));
  if (workspaceConnection && workspaceConnection.companyId !== identity.pipedriveCompanyId) throw new InstallRefused("wrong_company");
  const values = {
    pipedriveUserId: identity.pipedriveUserId,
    companyId: identity.pipedriveCompanyId,
    name: identity.name,
    ...sealPipedriveTokens(encryptionKey, input.tokens),
    status: "connected" as const,
    statusReason: null,
    updatedAt: new Date(),
  };
  await db
    .insert(pipedriveIndividualConnections)
    .values({ workspaceId, memberId, ...values })
    .onConflictDoUpdate({ target: [pipedriveIndividualConnections.workspaceId, pipedriveIndividualConnections.memberId], set: values });
  await linkPipedriveUser(db, workspaceId, identity.pipedriveUserId, memberId, memberId);
}

/**
 * An Admin's mapping of a Pipedrive user to a member (null unmaps it), under the CRM link rules
 * (assertCrmLinkChange): every member whose link it would make, move or remove is checked.
 */
export async function mapPipedriveUser(db: Executor, actor: Actor, pipedriveUserId: number, memberId: string | null): Promise<void> {
  const { workspaceId } = actor;
  // Rows for this Pipedrive user, and for the member it is to be mapped to.
  const concerned = (table: typeof pipedriveUserLinks | typeof pipedriveIndividualConnections) =>
    and(
      eq(table.workspaceId, workspaceId),
      memberId ? or(eq(table.pipedriveUserId, pipedriveUserId), eq(table.memberId, memberId)) : eq(table.pipedriveUserId, pipedriveUserId),
    );
  const links = await db.select().from(pipedriveUserLinks).where(concerned(pipedriveUserLinks));
  const ownConnections = await db
    .select({ memberId: pipedriveIndividualConnections.memberId, pipedriveUserId: pipedriveIndividualConnections.pipedriveUserId })
    .from(pipedriveIndividualConnections)
    .where(concerned(pipedriveIndividualConnections));
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

/** Disconnects the workspace: its tokens, its company route and the members' own tokens for it. */
export async function removeWorkspaceConnection(db: Executor, workspaceId: string): Promise<{ companyId: number } | null> {
  const [removed] = await db
    .delete(pipedriveConnections)
    .where(eq(pipedriveConnections.workspaceId, workspaceId))
    .returning({ companyId: pipedriveConnections.companyId });
  if (!removed) return null;
  await forgetCompany(db, workspaceId, removed.companyId);
  return removed;
}

async function forgetCompany(db: Executor, workspaceId: string, companyId: number) {
  await db.delete(pipedriveCompanyRoutes).where(and(eq(pipedriveCompanyRoutes.companyId, companyId), eq(pipedriveCompanyRoutes.workspaceId, workspaceId)));
  await db
    .delete(pipedriveIndividualConnections)
    .where(and(eq(pipedriveIndividualConnections.workspaceId, workspaceId), eq(pipedriveIndividualConnections.companyId, companyId)));
}

/**
 * Pipedrive's uninstall notice: every token of that company goes, in whichever workspace holds
 * it (the company route, and members' own connections to that company elsewhere).
 */
export async function removeCompany(db: Executor, companyId: number): Promise<string[]> {
  const [route] = await db.select().from(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.companyId, companyId));
  const individual = await db
    .delete(pipedriveIndividualConnections)
    .where(eq(pipedriveIndividualConnections.companyId, companyId))
    .returning({ workspaceId: pipedriveIndividualConnections.workspaceId });
  const affected = new Set(individual.map((row) => row.workspaceId));
  if (route) {
    await db.delete(pipedriveConnections).where(and(eq(pipedriveConnections.workspaceId, route.workspaceId), eq(pipedriveConnections.companyId, companyId)));
    await db.delete(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.companyId, companyId));
    affected.add(route.workspaceId);
  }
  // Only workspaces that still exist can take an activity-log entry.
  if (affected.size === 0) return [];
  const existing = await db
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(inArray(workspaces.id, [...affected]));
  return existing.map((row) => row.id);
}
