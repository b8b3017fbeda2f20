import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { memberPreferences } from "../db/schema";
import { invalidRequest, notFound } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { presentChat } from "./presenters";
import { loadVisibleChat } from "./queries";
import { countUnreadChats, loadVisibleChatWithReadState, markRead, markUnread, messageAsReadPoint, unreadCountCap } from "./read-state";

const MarkRead = z.object({ throughMessageId: z.string().min(1).max(100).optional() }).strict();
const PreferencesChange = z
  .object({ desktopNotifications: z.boolean().optional(), notificationSound: z.boolean().optional() })
  .strict()
  .refine((change) => Object.keys(change).length > 0, "name at least one setting");

// A read marker is the member's own view of the inbox, seen by nobody else, and is written each
// time they open a chat: no activity-log entry (as no shared inbox logs reads), which would also
// put every chat opened in the workspace in line behind the log's hash chain.
const readMarkerNotAudited = "a member's own read marker, visible to nobody else and written on every chat opened; it changes no shared record";

const defaultPreferences = { desktopNotifications: false, notificationSound: false };

export const readStateRoutes = [
  route({
    method: "put",
    path: "/chats/:id/read",
    summary: "Mark a chat read for me (through its newest message, or through `throughMessageId`); my other tabs and devices follow",
    tag: "Chats",
    access: requires("chats.view"),
    params: IdParam,
    body: MarkRead,
    auditExempt: readMarkerNotAudited,
    responses: { 200: "{chat} with my unreadCount and markedUnread", 404: "The chat (or that message in it) does not exist or is not visible to me" },
    async handler({ actor, params, body, db }) {
      const chat = await loadVisibleChat(db, actor, params.id);
      let through = null;
      if (body.throughMessageId) {
        through = await messageAsReadPoint(db, chat, body.throughMessageId);
        if (!through) throw invalidRequest("That message is not in this chat.", [{ path: "body.throughMessageId", message: "not a message of this chat" }]);
      }
      await markRead(db, actor, chat, through);
      const updated = await loadVisibleChatWithReadState(db, actor, chat.id);
      if (!updated) throw notFound("chat");
      return { status: 200, body: { chat: presentChat(updated, actor) } };
    },
  }),
  route({
    method: "delete",
    path: "/chats/:id/read",
    summary: "Mark a chat unread for me until I read it again; my other tabs and devices follow",
    tag: "Chats",
    access: requires("chats.view"),
    params: IdParam,
    auditExempt: readMarkerNotAudited,
    responses: { 200: "{chat} with markedUnread: true", 404: "The chat does not exist or is not visible to me" },
    async handler({ actor, params, db }) {
      const chat = await loadVisibleChat(db, actor, params.id);
      await markUnread(db, actor, chat);
      const updated = await loadVisibleChatWithReadState(db, actor, chat.id);
      if (!updated) throw notFound("chat");
      return { status: 200, body: { chat: presentChat(updated, actor) } };
    },
  }),
  route({
    method: "get",
    path: "/me/unread",
    summary: `How many of the chats I may see are unread for me (counted up to ${unreadCountCap}): the console's tab title`,
    tag: "Chats",
    access: requires("chats.view"),
    responses: { 200: `{unreadChats, cap}: unreadChats = cap means "cap or more"` },
    async handler({ actor, db }) {
      return { status: 200, body: { unreadChats: await countUnreadChats(db, actor), cap: unreadCountCap } };
    },
  }),
  route({
    method: "get",
    path: "/me/preferences",
    summary: "My own settings, the same on every device: desktop notifications and a sound for new messages in chats I am responsible for",
    tag: "Identity",
    access: anyMember,
    responses: { 200: "{desktopNotifications, notificationSound} (both off until I turn them on)" },
    async handler({ actor, db }) {
      const [row] = await db
        .select({ desktopNotifications: memberPreferences.desktopNotifications, notificationSound: memberPreferences.notificationSound })
        .from(memberPreferences)
        .where(and(eq(memberPreferences.workspaceId, actor.workspaceId), eq(memberPreferences.memberId, actor.memberId)));
      return { status: 200, body: row ?? defaultPreferences };
    },
  }),
  route({
    method: "patch",
    path: "/me/preferences",
    summary: "Change my own settings (desktop notifications, sound)",
    tag: "Identity",
    access: anyMember,
    body: PreferencesChange,
    responses: { 200: "{desktopNotifications, notificationSound}" },
    async handler({ actor, body, db, audit }) {
      const [before] = await db
        .select({ desktopNotifications: memberPreferences.desktopNotifications, notificationSound: memberPreferences.notificationSound })
        .from(memberPreferences)
        .where(and(eq(memberPreferences.workspaceId, actor.workspaceId), eq(memberPreferences.memberId, actor.memberId)));
      const after = { ...defaultPreferences, ...before, ...body };
      await db
        .insert(memberPreferences)
        .values({ workspaceId: actor.workspaceId, memberId: actor.memberId, ...after })
        .onConflictDoUpdate({ target: [memberPreferences.workspaceId, memberPreferences.memberId], set: { ...after, updatedAt: sql`now()` } });
      await audit({
        action: "preferences.update",
        targetType: "member",
        targetId: actor.memberId,
        details: { before: before ?? defaultPreferences, after },
      });
      return { status: 200, body: after };
    },
  }),
];
