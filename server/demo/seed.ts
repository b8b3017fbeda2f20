import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/recorder";
import type { Database } from "../db/client";
import { users, workspaces } from "../db/schema";
import { hashPassword } from "../identity/passwords";
import { newJoinCode } from "../identity/routes";
import { newId } from "../ids";
import type { MediaStorage } from "../media/storage";
import { type BuiltinRoleId, builtinRoleIds } from "../permissions";
import { addMember } from "../team/membership";
import { seedDemoConversations } from "./conversations";
import { demoEmail, demoMemberName } from "./members";
import { seedDemoTemplates } from "./templates";

export const demoPassword = "switchboard-demo";
export const demoWorkspaceName = "Demo Workspace";
export { demoEmail };

export type DemoLogin = { roleId: BuiltinRoleId; email: string; password: string };

/** Creates the demo workspace — one member per built-in role, sandbox lines, chats, templates — unless it exists. */
export async function seedDemo(
  db: Database,
  cost: { N: number; r: number; p: number },
  auditChainKey: Buffer,
  /** Where the demo customers' files (a photo, a PDF, a voice note) are stored. */
  mediaStorage: MediaStorage,
): Promise<DemoLogin[] | null> {
  const [existing] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, demoEmail("owner")));
  const logins = builtinRoleIds.map((roleId) => ({ roleId, email: demoEmail(roleId), password: demoPassword }));
  if (existing) return logins;
  const passwordHash = await hashPassword(demoPassword, cost);
  const workspaceId = newId("ws");
  const memberIds: Record<string, string> = {};
  await db.transaction(async (tx) => {
    await tx.insert(workspaces).values({ id: workspaceId, name: demoWorkspaceName, joinCode: newJoinCode() });
    for (const roleId of builtinRoleIds) {
      const userId = newId("usr");
      await tx.insert(users).values({ id: userId, email: demoEmail(roleId), name: demoMemberName(roleId), passwordHash });
      const memberId = await addMember(tx, { workspaceId, userId, roleId });
      memberIds[roleId] = memberId;
      await recordAudit(tx, auditChainKey, {
        workspaceId,
        actorId: memberId,
        action: roleId === "owner" ? "workspace.create" : "member.create",
        targetType: "member",
        targetId: memberId,
        details: { demo: true, roleId },
      });
    }
  });
  await seedDemoConversations(db, mediaStorage, workspaceId, memberIds);
  // Owned by the Agent, whose line has the chat with a closed window: their own (templates.use
  // own) and, for the Owner, Admin and Teammate (all), everyone's.
  await seedDemoTemplates(db, workspaceId, memberIds.agent as string);
  return logins;
}
