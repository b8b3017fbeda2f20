import { and, eq, ne } from "drizzle-orm";
import type { Executor } from "../db/client";
import { members, pipedriveAppShares, pipedriveInstallations, pipedriveUserLinks, roles, users } from "../db/schema";
import { holds } from "../permissions";
import { rolePermissions, roleSettings } from "../roles/lookup";
import { currentStatus } from "../team/membership";
import type { Fixer, SharedUser } from "./presenters";

// What the Integrations pages show beside the workspace connection: who can reconnect it, and
// the Pipedrive users an admin shared the app with.

/** Active members whose role holds integrations.workspace: they can reconnect the workspace. */
export async function workspaceFixers(db: Executor, workspaceId: string): Promise<Fixer[]> {
  const rows = await db
    .select({
      memberId: members.id,
      roleId: members.roleId,
      status: members.status,
      name: users.name,
      customPermissions: roles.permissions,
      roleName: roles.name,
    })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .leftJoin(roles, and(eq(roles.workspaceId, members.workspaceId), eq(roles.id, members.roleId)))
    .where(and(eq(members.workspaceId, workspaceId), ne(members.status, "removed")))
    .orderBy(members.createdAt);
  const settings = await roleSettings(db, workspaceId);
  return rows
    .filter((row) =>
      holds(
        {
          workspaceId,
          memberId: row.memberId,
          roleId: row.roleId,
          roleName: row.roleName ?? row.roleId,
          status: currentStatus(row.status),
          permissions: rolePermissions(row.roleId, row.customPermissions, settings),
          // holds() reads only the role; the lock concerns chats.
          ownershipLock: false,
        },
        "integrations.workspace",
      ),
    )
    .map((row) => ({ memberId: row.memberId, name: row.name }));
}

/**
 * The company's users the app is shared with (the latest notice said isShared): the member each
 * is (by own connection or mapping), and whether they have installed it through Switchboard.
 */
export async function appSharedWith(db: Executor, workspaceId: string, companyId: number): Promise<SharedUser[]> {
  const shares = await db
    .select({ pipedriveUserId: pipedriveAppShares.pipedriveUserId })
    .from(pipedriveAppShares)
    .where(and(eq(pipedriveAppShares.companyId, companyId), eq(pipedriveAppShares.isShared, true)))
    .orderBy(pipedriveAppShares.pipedriveUserId);
  if (shares.length === 0) return [];
  const installed = await db
    .select({ pipedriveUserId: pipedriveInstallations.pipedriveUserId, memberId: pipedriveInstallations.memberId, status: pipedriveInstallations.status })
    .from(pipedriveInstallations)
    .where(and(eq(pipedriveInstallations.workspaceId, workspaceId), eq(pipedriveInstallations.companyId, companyId)));
  const links = await db.select().from(pipedriveUserLinks).where(eq(pipedriveUserLinks.workspaceId, workspaceId));
  return shares.map(({ pipedriveUserId }) => {
    const installation = installed.find((row) => row.pipedriveUserId === pipedriveUserId);
    const memberId = installation?.memberId ?? links.find((link) => link.pipedriveUserId === pipedriveUserId)?.memberId ?? null;
    return { pipedriveUserId, memberId, connected: installation?.status === "connected" };
  });
}
