import { and, eq } from "drizzle-orm";
import { renderCampaignProgress } from "../campaigns/live";
import { messages } from "../db/schema";
import { anyMember, route } from "../http/route";
import { type Principal, resolvePrincipal } from "../identity/tokens";
import { presentChat, presentMessage } from "../inbox/presenters";
import { chatRecord, loadChat } from "../inbox/queries";
import { can } from "../permissions";
import type { Services } from "../services";
import type { BusEvent } from "./bus";

const heartbeatMs = 25_000;

/**
 * What one subscriber receives for one bus event, or null when the chat is not theirs to see. A
 * member who was responsible until this event and can no longer see the chat hears that it left
 * their view — its id and `visible: false`, nothing more — so their list drops it at once.
 */
async function renderFor(services: Services, viewer: Principal, event: Extract<BusEvent, { chatId: string }>) {
  const db = services.database.db;
  const chat = await loadChat(db, event.workspaceId, event.chatId);
  if (!chat) return null;
  if (!can(viewer, "chats.view", chatRecord(chat)))
    return event.previousResponsibleId === viewer.memberId ? { type: event.type, chat: { id: chat.id }, visible: false } : null;
  const [message] = event.messageId
    ? await db
        .select()
        .from(messages)
        .where(and(eq(messages.workspaceId, event.workspaceId), eq(messages.id, event.messageId)))
    : [];
  return { type: event.type, chat: presentChat(chat, viewer), ...(message ? { message: presentMessage(message) } : {}) };
}

export const eventRoutes = [
  route({
    method: "get",
    path: "/events",
    summary: "Live updates (server-sent events) about the chats and campaign reports the caller may see",
    tag: "Live updates",
    access: anyMember,
    responses: { 200: "text/event-stream: message.created, message.status, chat.assigned, chat.unassigned, campaign.progress" },
    async handler({ actor, services, request, response }) {
      const token = request.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
      let viewer: Principal | null = actor;
      response.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      response.write(": connected\n\n");
      // Events are handled one at a time, in bus order, so a subscriber never sees them reordered.
      let queue = Promise.resolve();
      const close = () => {
        unsubscribe();
        clearInterval(heartbeat);
        response.end();
      };
      const unsubscribe = services.events.subscribe((event) => {
        if (event.workspaceId !== actor.workspaceId) return;
        queue = queue
          .then(async () => {
            if (!viewer) return;
            if (event.type === "access.changed") {
              // A role change or suspension applies to open streams too: re-read who is listening.
              viewer = await resolvePrincipal(services.database.db, token);
              if (viewer?.status !== "active") close();
              return;
            }
            const rendered =
              event.type === "campaign.progress" ? await renderCampaignProgress(services, viewer, event) : await renderFor(services, viewer, event);
            if (rendered) response.write(`event: ${event.type}\ndata: ${JSON.stringify(rendered)}\n\n`);
          })
          .catch((error) => services.logger.warn({ err: error }, "live update failed"));
      });
      const heartbeat = setInterval(() => response.write(": ping\n\n"), heartbeatMs);
      heartbeat.unref();
      request.on("close", close);
      return { streamed: true };
    },
  }),
];
