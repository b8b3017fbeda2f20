// The inbox's shapes, as the API presents them. Only *types* come from server/.
import type { presentChat, presentMessage } from "../../../server/inbox/presenters";
import type { presentAccount } from "../../../server/whatsapp/accounts";
import type { RichFields } from "../../shared/message/content-types";

/** What the caller may do in one chat, decided by the server. */
export type ChatAbilities = { reply: boolean; assign: boolean; delete: boolean; askToTakeOver: boolean };
/** A chat of GET /chats, GET /chats/{id} and live events: always with the viewer's abilities. */
export type Chat = Omit<ReturnType<typeof presentChat>, "abilities"> & { abilities: ChatAbilities };
/** PUT /chats/{id}/responsible answers without abilities when the caller may no longer see the chat. */
export type MaybeVisibleChat = Omit<Chat, "abilities"> & { abilities?: ChatAbilities };
/** A message with what it may carry besides text (a file, a quote, reactions…: extension/shared/message/content-types.ts). */
export type Message = ReturnType<typeof presentMessage> & RichFields;
export type MessageStatus = Message["status"];
export type WhatsAppAccount = ReturnType<typeof presentAccount>;

/** Which slice of the chat list the member is looking at. */
export const chatViews = ["all", "mine", "unassigned"] as const;
export type ChatView = (typeof chatViews)[number];
export type ChatFilters = { view: ChatView; accountId: string; q: string };
export const noChatFilters: ChatFilters = { view: "all", accountId: "", q: "" };
