import { and, eq, ne } from "drizzle-orm";
import type { Executor } from "../db/client";
import { members, users } from "../db/schema";
import { newId } from "../ids";
import { presentMember } from "./presenters";

/**
 * Adds a user to a workspace with a role; the workspace becomes their default for login. Someone
 * removed earlier comes back as their old membership (same id, so the log still names them), active
 * with the new role.
 */
export async function addMember(db: Executor, input: { workspaceId: string; userId: string; roleId: string }): Promise<string> {
  const [returning] = await db
    .update(members)
    .set({ roleId: input.roleId, status: "active" })
    .where(and(eq(members.workspaceId, input.workspaceId), eq(members.userId, input.userId), eq(members.status, "removed")))
    .returning({ id: members.id });
  const id = returning?.id ?? newId("mem");
  if (!returning) await db.insert(members).values({ workspaceId: input.workspaceId, id, userId: input.userId, roleId: input.roleId });
  await db.update(users).set({ lastWorkspaceId: input.workspaceId }).where(eq(users.id, input.userId));
  return id;
}

/** The status of a member read with `status <> 'removed'` in SQL. */
export function currentStatus(status: "active" | "suspended" | "removed"): "active" | "suspended" {
  if (status === "removed") throw new Error("A removed member was read as a current one.");
  return status;
}

/** Loads one member of a workspace with their user fields, or null (also for a removed member). */
export async function findMember(db: Executor, workspaceId: string, memberId: string) {
  const [row] = await db
    .select({
      id: members.id,
      userId: members.userId,
      roleId: members.roleId,
      status: members.status,
      name: users.name,
      email: users.email,
    })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.workspaceId, workspaceId), eq(members.id, memberId), ne(members.status, "removed")));
  return row ? { ...row, status: currentStatus(row.status) } : null;
}

export async function requireMemberView(db: Executor, workspaceId: string, memberId: string) {
  const row = await findMember(db, workspaceId, memberId);
  return row ? presentMember(row) : null;
}
