import { eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { workspaces } from "../db/schema";
import type { Actor } from "../permissions";
import { findRole, rolePermissions } from "../roles/lookup";
import { findMember } from "../team/membership";
import { loadAccountOverrides } from "../whatsapp/access-overrides";

/**
 * The member behind a CRM flow that outlives a request (an OAuth state, a link code), with their
 * role as it is now: roles may change while the member is at the CRM's consent page.
 */
export async function loadActor(db: Executor, workspaceId: string, memberId: string): Promise<(Actor & { name: string }) | null> {
  const member = await findMember(db, workspaceId, memberId);
  const role = member ? await findRole(db, workspaceId, member.roleId) : null;
  if (!member || !role) return null;
  const [workspace] = await db
    .select({ ownershipLock: workspaces.ownershipLock, agentsSeeNumbers: workspaces.agentsSeeNumbers })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return {
    workspaceId,
    memberId,
    roleId: member.roleId,
    roleName: role.name,
    status: member.status,
    // Built-in Agents and Collaborators see numbers as the workspace says (contacts.view_numbers).
    permissions: rolePermissions(member.roleId, role.permissions, { agentsSeeNumbers: workspace?.agentsSeeNumbers ?? true }),
    accountOverrides: await loadAccountOverrides(db, workspaceId, memberId, member.roleId),
    ownershipLock: workspace?.ownershipLock ?? false,
    name: member.name,
  };
}
