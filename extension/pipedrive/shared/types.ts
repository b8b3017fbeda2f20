// The panel's shapes as the API presents them. Only *types* come from the console and server/.
import type { Chat, Message, WhatsAppAccount } from "../../console/inbox/types";

export type { Chat, Message, WhatsAppAccount };
export type PanelPhone = { e164: string | null; label: string; raw: string };
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
