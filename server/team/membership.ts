import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { members, users } from "../db/schema";
import { newId } from "../ids";
import { presentMember } from "./presenters";

/** Adds a user to a workspace with a role; the workspace becomes their default for login. */
export async function addMember(db: Executor, input: { workspaceId: string; userId: string; roleId: string }): Promise<string> {
  const id = newId("mem");
  await db.insert(members).values({ workspaceId: input.workspaceId, id, userId: input.userId, roleId: input.roleId });
  await db.update(users).set({ lastWorkspaceId: input.workspaceId }).where(eq(users.id, input.userId));
  return id;
}

/** Loads one member of a workspace with their user fields, or null. */
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
    .where(and(eq(members.workspaceId, workspaceId), eq(members.id, memberId)));
  return row ?? null;
}

export async function requireMemberView(db: Executor, workspaceId: string, memberId: string) {
  const row = await findMember(db, workspaceId, memberId);
  return row ? presentMember(row) : null;
}
