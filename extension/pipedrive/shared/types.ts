// The panel's shapes as the API presents them. Only *types* come from the console and server/.
import type { Chat, Message, WhatsAppAccount } from "../../console/inbox/types";

export type { Chat, Message, WhatsAppAccount };
/**
 * A record's phone: `e164` and `raw` as the member may see them (masked, "+49 ••• ••• 12", without
 * contacts.view_numbers); `ref` starts a chat with it (POST /chats {phoneRef}), null when WhatsApp can't reach it.
 */
export type PanelPhone = { e164: string | null; label: string; raw: string; ref?: string | null };
export type PanelPerson = { id: number; name: string; phones: PanelPhone[] };
/**
 * GET /panel/pipedrive/context: `accounts` are only those the member may send from; `ownConnection`
 * false: read through the workspace's Pipedrive connection (only the record the panel is on).
 */
export type PanelContext = {
  persons: PanelPerson[];
  chats: Chat[];
  accounts: WhatsAppAccount[];
  ownConnection: boolean;
  /** Without an own connection: whether the member may connect one, else who maps Pipedrive users (names). */
  ownAccount?: { canConnect: boolean; mappedBy: string[] };
};
export type ListedMember = { id: string; name: string; roleId: string; status: string };
export type TemplateContent = { name: string; languageCode: string; bodyParameters: string[] };
