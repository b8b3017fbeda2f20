import type { Campaign } from "../campaigns/types";
import type { Chat, Message } from "../inbox/types";

export const liveEventTypes = [
  "message.created",
  "message.status",
  "message.reaction",
  "message.deleted",
  "chat.assigned",
  "chat.unassigned",
  "chat.read_state",
  "chat.take_over_requested",
] as const;
export type LiveEventType = (typeof liveEventTypes)[number];

/** One event of GET /events, already scoped by the server to what the member may see. */
export type LiveEvent = {
  type: LiveEventType;
  chat: Chat;
  message?: Message;
  /** `message.deleted`: the message that is gone (for everyone here); nothing of it is sent. */
  messageId?: string;
  /**
   * false: the chat just left what the member may see (they were its responsible and it was
   * unassigned or reassigned); `chat` then carries only its id.
   */
  visible?: boolean;
  /** `chat.take_over_requested` (heard by the chat's responsible and the team's managers): who asks for the chat. */
  request?: TakeOverRequest;
};

/** A member's "Ask to take over" of a chat held under the ownership lock. */
export type TakeOverRequest = { id: string; requestedBy: { id: string; name: string } };

/** `campaign.progress`: a campaign whose report the member may see changed state or counts. */
export type CampaignProgressEvent = { type: "campaign.progress"; campaign: Campaign };

/** What live listeners hear: the server's events, and "resync" after a reconnect (events may have been missed). */
export type LiveSignal = LiveEvent | { type: "resync" };

/** Where the one connection stands: shown as a small badge in the inbox. */
export type LiveStatus = "off" | "connecting" | "live" | "reconnecting" | "stopped";

const isLiveEventType = (type: unknown): type is LiveEventType => liveEventTypes.includes(type as LiveEventType);

/**
 * Splits a text/event-stream into events (the WHATWG format: blocks separated by a blank line,
 * `event:` and `data:` fields, `:` comments such as the server's heartbeat).
 */
export function createEventStreamParser(onEvent: (event: LiveEvent) => void, onCampaignProgress?: (event: CampaignProgressEvent) => void) {
  let buffer = "";
  const dispatch = (block: string) => {
    let type = "";
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") type = value;
      if (field === "data") data.push(value);
    }
    if (data.length === 0) return;
    try {
      const parsed = JSON.parse(data.join("\n")) as Omit<LiveEvent, "type"> & { type?: string; campaign?: Campaign };
      const eventType = type || parsed.type;
      if (eventType === "campaign.progress" && parsed.campaign) onCampaignProgress?.({ type: eventType, campaign: parsed.campaign });
      if (isLiveEventType(eventType) && parsed.chat) onEvent({ ...parsed, type: eventType });
    } catch {
      // A malformed event is skipped; the next one stands on its own.
    }
  };
  return (chunk: string) => {
    buffer += chunk;
    for (let boundary = buffer.search(/\r?\n\r?\n/); boundary >= 0; boundary = buffer.search(/\r?\n\r?\n/)) {
      const separator = buffer.slice(boundary).match(/^\r?\n\r?\n/)?.[0].length ?? 2;
      dispatch(buffer.slice(0, boundary));
      buffer = buffer.slice(boundary + separator);
    }
  };
}
