import { and, eq } from "drizzle-orm";
import { renderCampaignProgress } from "../campaigns/live";
import { messageMedia, messages } from "../db/schema";
import { anyMember, route } from "../http/route";
import { type Principal, resolvePrincipal } from "../identity/tokens";
import { conversationRelationsOf } from "../inbox/message-presentation";
import { presentChat, presentMessage } from "../inbox/presenters";
import { chatRecord, loadChat } from "../inbox/queries";
import { loadVisibleChatWithReadState, readStatesOfChat } from "../inbox/read-state";
import { presentMedia } from "../media/presentation";
import { can } from "../permissions";
import type { Services } from "../services";
import type { BusEvent } from "./bus";
import { loadOnce } from "./load-once";

const heartbeatMs = 25_000;
/** The longest a Node timer waits (about 24.8 days). */
const maxTimerMs = 2 ** 31 - 1;

type ChatEvent = Extract<BusEvent, { chatId: string }>;

/** The chat (with its account, for the permission rule) and message an event names: read once per event. */
function loadChatEvent(services: Services, event: ChatEvent) {
  const db = services.database.db;
  return loadOnce(event, "chat", async () => {
    const messageId = "messageId" in event ? event.messageId : undefined;
    const [chat, [row]] = await Promise.all([
      loadChat(db, event.workspaceId, event.chatId),
      // The message with its file, if any, in the same statement.
      messageId
        ? db
            .select({ message: messages, media: messageMedia })
            .from(messages)
            .leftJoin(messageMedia, and(eq(messageMedia.workspaceId, messages.workspaceId), eq(messageMedia.messageId, messages.id)))
            .where(and(eq(messages.workspaceId, event.workspaceId), eq(messages.id, messageId)))
        : [],
    ]);
    // Its quoted message and reactions: read once per event, like the message.
    const relations = row ? (await conversationRelationsOf(db, [row.message])).get(row.message.id) : undefined;
    return { chat, message: row?.message, media: row?.media ?? undefined, relations };
  });
}

/** The members with a live-update stream open in this process, per workspace (a member may have several). */
const listening = new Map<string, Map<string, number>>();
function listen(workspaceId: string, memberId: string): () => void {
  const members = listening.get(workspaceId) ?? new Map<string, number>();
  listening.set(workspaceId, members);
  members.set(memberId, (members.get(memberId) ?? 0) + 1);
  return () => {
    const left = (members.get(memberId) ?? 1) - 1;
    if (left > 0) members.set(memberId, left);
    else members.delete(memberId);
    if (members.size === 0) listening.delete(workspaceId);
  };
}

/** Each listening member's read state of the event's chat: one statement per event, shared by every stream. */
function loadReadStates(services: Services, event: ChatEvent) {
  return loadOnce(event, "readStates", () =>
    readStatesOfChat(services.database.db, event.workspaceId, event.chatId, [...(listening.get(event.workspaceId)?.keys() ?? [])]),
  );
}

/**
 * What one subscriber receives for one bus event, or null when the chat is not theirs to see. A
 * member who was responsible until this event and can no longer see the chat hears that it left
 * their view — its id and `visible: false`, nothing more — so their list drops it at once.
 */
async function renderFor(services: Services, viewer: Principal, event: ChatEvent) {
  // A member's read state is theirs alone: only their own streams (other tabs, other devices) hear it.
  if (event.type === "chat.read_state" && event.memberId !== viewer.memberId) return null;
  // A take-over request is heard by its recipients only: the chat's responsible and the team's managers.
  if (event.type === "chat.take_over_requested" && !event.recipientIds.includes(viewer.memberId)) return null;
  const { chat, message, media, relations } = await loadChatEvent(services, event);
  if (!chat) return null;
  if (!can(viewer, "chats.view", chatRecord(chat)))
    return "previousResponsibleId" in event && event.previousResponsibleId === viewer.memberId
      ? { type: event.type, chat: { id: chat.id }, visible: false }
      : null;
  if (event.type === "chat.take_over_requested")
    return { type: event.type, chat: presentChat(chat, viewer), request: { id: event.requestId, requestedBy: event.requestedBy } };
  // Where the viewer's unread count may have changed (a customer's message, their read state, a
  // chat entering their list), it is counted for them; a status update leaves it as it was.
  const recount = event.type === "chat.read_state" || event.type === "chat.assigned" || event.type === "chat.unassigned" || message?.direction === "in";
  // Counted once per event for every listening member; a stream opened after that count reads its own.
  const readState = recount ? (await loadReadStates(services, event)).get(viewer.memberId) : undefined;
  const withReadState = !recount ? null : readState ? { ...chat, ...readState } : await loadVisibleChatWithReadState(services.database.db, viewer, chat.id);
  // A deleted message is gone: its own event names it, and no later event (a status, a reaction) shows it again.
  if (event.type === "message.deleted") return { type: event.type, chat: presentChat(withReadState ?? chat, viewer), messageId: event.messageId };
  if (message?.deletedAt) return { type: event.type, chat: presentChat(withReadState ?? chat, viewer) };
  // Only viewers who may see the chat get here: a file's link is signed for them.
  return {
    type: event.type,
    chat: presentChat(withReadState ?? chat, viewer),
    ...(message ? { message: presentMessage(message, { ...relations, media: media && presentMedia(media, services.config.mediaLinkKey) }, viewer) } : {}),
  };
}

export const eventRoutes = [
  route({
    method: "get",
    path: "/events",
    summary: "Live updates (server-sent events) about the chats and campaign reports the caller may see",
    tag: "Live updates",
    access: anyMember,
    responses: {
      200: "text/event-stream: message.created, message.status, message.reaction, message.deleted ({chat, messageId}), chat.assigned, chat.unassigned, chat.read_state (the caller's own), chat.take_over_requested ({chat, request: {id, requestedBy: {id, name}}}, to the chat's responsible and the team's managers), campaign.progress",
    },
    async handler({ actor, services, request, response }) {
      const token = request.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
      let viewer: Principal | null = actor;
      let closed = false;
      response.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      response.write(": connected\n\n");
      // A write after end() would emit an error on the response: once closed, nothing is written.
      const send = (chunk: string) => closed || response.write(chunk);
      // Events are handled one at a time, in bus order, so a subscriber never sees them reordered.
      let queue = Promise.resolve();
      const enqueue = (work: () => Promise<void>) => {
        queue = queue.then(work).catch((error) => services.logger.warn({ err: error }, "live update failed"));
      };
      const stopListening = listen(actor.workspaceId, actor.memberId);
      const close = () => {
        if (closed) return;
        closed = true;
        stopListening();
        viewer = null;
        unsubscribe();
        clearInterval(heartbeat);
        clearInterval(recheck);
        clearTimeout(expiry);
        response.end();
      };
      // Re-reads who is listening: a role change re-scopes the stream; a suspension, a removal, or a
      // token revoked or expired ends it. A database that can't answer leaves the stream as it is.
      const reread = async () => {
        if (closed) return;
        const current = await resolvePrincipal(services.database.db, token);
        if (closed) return;
        if (current?.status !== "active") close();
        else viewer = current;
      };
      const unsubscribe = services.events.subscribe((event) => {
        if (event.workspaceId !== actor.workspaceId) return;
        // At once, ahead of any queued rendering: nothing more may reach a revoked token.
        if (event.type === "tokens.revoked") return void (event.tokenIds.includes(actor.tokenId) && close());
        if (event.type === "access.changed") return enqueue(reread);
        enqueue(async () => {
          if (!viewer) return;
          const rendered =
            event.type === "campaign.progress" ? await renderCampaignProgress(services, viewer, event) : await renderFor(services, viewer, event);
          if (rendered) send(`event: ${event.type}\ndata: ${JSON.stringify(rendered)}\n\n`);
        });
      });
      const heartbeat = setInterval(() => send(": ping\n\n"), heartbeatMs);
      heartbeat.unref();
      // A revocation this process never heard of (NOTIFY is lost while LISTEN reconnects) still ends the stream.
      const recheck = setInterval(() => enqueue(reread), services.config.liveUpdates.tokenRecheckMs);
      recheck.unref();
      // The stream ends when its token does (a panel session after PIPEDRIVE_PANEL_SESSION_SECONDS),
      // in steps no longer than a timer can wait (a session lives 30 days).
      let expiry: NodeJS.Timeout | undefined;
      const endAtExpiry = () => {
        if (!actor.tokenExpiresAt) return;
        const remainingMs = actor.tokenExpiresAt.getTime() - Date.now();
        if (remainingMs <= 0) return close();
        expiry = setTimeout(endAtExpiry, Math.min(remainingMs, maxTimerMs));
        expiry.unref();
      };
      endAtExpiry();
      request.on("close", close);
      return { streamed: true };
    },
  }),
];
