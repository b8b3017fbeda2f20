import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "../db/client";
import { members, roles, takeOverRequests } from "../db/schema";
import { publish } from "../events/bus";
import { conflict } from "../http/problem";
import { requires, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { newId } from "../ids";
import { rolePermissions, roleSettings } from "../roles/lookup";
import { loadVisibleChat } from "./queries";

/** Active members whose role manages the team: they hear every take-over request. */
async function teamManagers(db: Executor, workspaceId: string): Promise<string[]> {
  const rows = await db
    .select({ memberId: members.id, roleId: members.roleId, customPermissions: roles.permissions })
    .from(members)
    .leftJoin(roles, and(eq(roles.workspaceId, members.workspaceId), eq(roles.id, members.roleId)))
    .where(and(eq(members.workspaceId, workspaceId), eq(members.status, "active")));
  const settings = await roleSettings(db, workspaceId);
  return rows.filter((row) => rolePermissions(row.roleId, row.customPermissions, settings)["team.manage"]).map((row) => row.memberId);
}

/** Closes a chat's open take-over requests (its responsible changed): the next ask starts afresh. */
export async function closeTakeOverRequests(db: Executor, workspaceId: string, chatId: string): Promise<void> {
  await db
    .update(takeOverRequests)
    .set({ closedAt: new Date() })
    .where(and(eq(takeOverRequests.workspaceId, workspaceId), eq(takeOverRequests.chatId, chatId), isNull(takeOverRequests.closedAt)));
}

export const takeOverRoutes = [
  route({
    method: "post",
    path: "/chats/:id/take-over-requests",
    summary: "Ask to take over a chat someone else holds under the ownership lock (notifies its responsible and the team's managers)",
    tag: "Chats",
    // Asking is becoming the responsible by someone else's hand: for members who may set responsibles at all.
    access: requires("chats.assign"),
    params: IdParam,
    responses: {
      201: "{request: {id, chatId, requestedBy, heldBy, createdAt, notified}}",
      409: "The ownership lock is off, nobody else holds the chat, or the caller already has an open request for it",
    },
    async handler({ actor, params, db, audit }) {
      const chat = await loadVisibleChat(db, actor, params.id);
      if (!actor.ownershipLock) throw conflict("The ownership lock is off: there is nothing to ask for.");
      const heldBy = chat.responsibleId;
      if (heldBy === null || heldBy === actor.memberId) throw conflict("Nobody else holds this chat: there is nothing to ask for.");
      // One open request per member and chat (a partial unique index): a repeat, even a concurrent one, inserts nothing.
      const id = newId("tor");
      const [created] = await db
        .insert(takeOverRequests)
        .values({ workspaceId: actor.workspaceId, id, chatId: chat.id, requestedBy: actor.memberId, heldBy })
        .onConflictDoNothing()
        .returning({ createdAt: takeOverRequests.createdAt });
      if (!created) throw conflict("You already asked to take over this chat; the request stays open until its responsible changes.");
      const notified = [...new Set([heldBy, ...(await teamManagers(db, actor.workspaceId))])].filter((memberId) => memberId !== actor.memberId);
      await audit({ action: "chat.take_over_request", targetType: "chat", targetId: chat.id, details: { requestId: id, heldBy, notified } });
      await publish(db, {
        type: "chat.take_over_requested",
        workspaceId: actor.workspaceId,
        chatId: chat.id,
        requestId: id,
        requestedBy: { id: actor.memberId, name: actor.name },
        recipientIds: notified,
      });
      return {
        status: 201,
        body: { request: { id, chatId: chat.id, requestedBy: actor.memberId, heldBy, createdAt: created.createdAt.toISOString(), notified } },
      };
    },
  }),
];
