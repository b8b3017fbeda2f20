import { and, asc, eq, isNull, ne, sql } from "drizzle-orm";
import type { Executor } from "../db/client";
import { chats, members, roles, takeOverRequests, users, whatsappAccounts } from "../db/schema";
import { publish } from "../events/bus";
import { conflict } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { IdParam, timestampText } from "../http/schemas";
import { newId } from "../ids";
import { holds, scope } from "../permissions";
import { rolePermissions, roleSettings } from "../roles/lookup";
import { presentChat } from "./presenters";
import { type ChatRow, chatColumns, loadVisibleChat } from "./queries";

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

/** The most open requests GET /take-over-requests answers: a backlog beyond it is a team problem, not a page. */
const openRequestsShown = 100;

export const takeOverRoutes = [
  route({
    method: "get",
    path: "/take-over-requests",
    summary:
      "Open take-over requests the caller hears, oldest first: for chats they are responsible for, and every one for team managers; only chats they may see, never their own requests",
    tag: "Chats",
    access: anyMember,
    responses: { 200: "{data: [{chat, request: {id, requestedBy: {id, name}, createdAt}}], nextCursor: null}" },
    async handler({ actor, db }) {
      // The same members the live event reaches: the chat's responsible, and the team's managers.
      const hears = holds(actor, "team.manage") ? sql`true` : eq(chats.responsibleId, actor.memberId);
      const rows = await db
        .select({
          ...chatColumns,
          requestId: takeOverRequests.id,
          requestedById: takeOverRequests.requestedBy,
          requestedByName: users.name,
          requestedAt: timestampText(takeOverRequests.createdAt),
        })
        .from(takeOverRequests)
        .innerJoin(chats, and(eq(chats.workspaceId, takeOverRequests.workspaceId), eq(chats.id, takeOverRequests.chatId)))
        .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, chats.workspaceId), eq(whatsappAccounts.id, chats.accountId)))
        .innerJoin(members, and(eq(members.workspaceId, takeOverRequests.workspaceId), eq(members.id, takeOverRequests.requestedBy)))
        .innerJoin(users, eq(users.id, members.userId))
        .where(
          and(
            eq(takeOverRequests.workspaceId, actor.workspaceId),
            isNull(takeOverRequests.closedAt),
            ne(takeOverRequests.requestedBy, actor.memberId),
            hears,
            scope(actor, "chats.view"),
          ),
        )
        .orderBy(asc(takeOverRequests.createdAt), asc(takeOverRequests.id))
        .limit(openRequestsShown);
      return {
        status: 200,
        body: {
          data: rows.map(({ requestId, requestedById, requestedByName, requestedAt, ...chat }) => ({
            chat: presentChat(chat as ChatRow, actor),
            request: { id: requestId, requestedBy: { id: requestedById, name: requestedByName }, createdAt: requestedAt },
          })),
          nextCursor: null,
        },
      };
    },
  }),
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
