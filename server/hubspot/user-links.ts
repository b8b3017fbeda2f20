import { and, asc, eq, or } from "drizzle-orm";
import type { Executor } from "../db/client";
import { hubspotUserLinks, members, users } from "../db/schema";

// Member ↔ HubSpot user links (the individual connection, integrations.individual): which member a
// HubSpot user of the workspace's portal is. Made only from the app card: the HubSpot user the
// signed card request names (card-context.ts) signs in to Switchboard in the card's modal. With a
// link, the card answers that member's chats itself ("ready"); without, it offers the sign-in.

export type HubspotUserLink = typeof hubspotUserLinks.$inferSelect;

/** The link of a HubSpot user of a portal, or null. */
export async function findHubspotUserLink(db: Executor, hubId: number, hubspotUserId: number): Promise<HubspotUserLink | null> {
  const [row] = await db
    .select()
    .from(hubspotUserLinks)
    .where(and(eq(hubspotUserLinks.hubId, hubId), eq(hubspotUserLinks.hubspotUserId, hubspotUserId)));
  return row ?? null;
}

/**
 * Links the HubSpot user to the member, replacing the user's earlier link and the member's earlier
 * HubSpot user in this portal (one each). Answers what it replaced, for the activity log.
 */
export async function linkHubspotUser(
  db: Executor,
  link: { workspaceId: string; hubId: number; hubspotUserId: number; memberId: string },
): Promise<{ replaced: { hubspotUserId: number; memberId: string }[] }> {
  const replaced = await db
    .delete(hubspotUserLinks)
    .where(
      and(
        eq(hubspotUserLinks.hubId, link.hubId),
        or(
          eq(hubspotUserLinks.hubspotUserId, link.hubspotUserId),
          and(eq(hubspotUserLinks.workspaceId, link.workspaceId), eq(hubspotUserLinks.memberId, link.memberId)),
        ),
      ),
    )
    .returning({ hubspotUserId: hubspotUserLinks.hubspotUserId, memberId: hubspotUserLinks.memberId });
  await db.insert(hubspotUserLinks).values(link);
  return { replaced: replaced.filter((row) => !(row.hubspotUserId === link.hubspotUserId && row.memberId === link.memberId)) };
}

/** Removes a member's link in the workspace's portal; answers the removed link, or null. */
export async function unlinkHubspotMember(db: Executor, workspaceId: string, memberId: string): Promise<HubspotUserLink | null> {
  const [removed] = await db
    .delete(hubspotUserLinks)
    .where(and(eq(hubspotUserLinks.workspaceId, workspaceId), eq(hubspotUserLinks.memberId, memberId)))
    .returning();
  return removed ?? null;
}

/** Every member of the workspace with their link in the portal (or none), by name. */
export async function listMemberLinks(db: Executor, workspaceId: string, hubId: number) {
  const rows = await db
    .select({
      memberId: members.id,
      name: users.name,
      email: users.email,
      roleId: members.roleId,
      memberStatus: members.status,
      hubspotUserId: hubspotUserLinks.hubspotUserId,
      linkedAt: hubspotUserLinks.createdAt,
    })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .leftJoin(
      hubspotUserLinks,
      and(eq(hubspotUserLinks.workspaceId, members.workspaceId), eq(hubspotUserLinks.memberId, members.id), eq(hubspotUserLinks.hubId, hubId)),
    )
    .where(eq(members.workspaceId, workspaceId))
    .orderBy(asc(users.name), asc(members.id));
  return rows.map((row) => ({
    memberId: row.memberId,
    name: row.name,
    email: row.email,
    roleId: row.roleId,
    memberStatus: row.memberStatus,
    status: row.hubspotUserId === null ? ("missing" as const) : ("connected" as const),
    hubspotUserId: row.hubspotUserId,
    linkedAt: row.linkedAt?.toISOString() ?? null,
  }));
}
