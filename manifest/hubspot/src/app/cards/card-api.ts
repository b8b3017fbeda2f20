import { hubspot } from "@hubspot/ui-extensions";
import { switchboardUrl } from "./switchboard-url.ts";

/** A chat the member may see with this record's people, as Switchboard's card endpoint sends it. */
export type CardChat = {
  id: string;
  contactName: string | null;
  phone: string;
  accountLabel: string;
  responsible: string | null;
  lastMessage: { text: string; direction: "in" | "out"; at: string } | null;
};

/**
 * What the card shows for a record (POST /api/v1/hubspot/card): "ready" for a HubSpot user linked
 * to a Switchboard member, "link_required" (the one-time sign-in that links them) otherwise.
 */
export type CardState =
  | {
      state: "ready";
      memberName: string;
      chats: CardChat[];
      /** Chats beyond the newest ten the card shows (the conversation shows them all). */
      moreChats?: number;
      sendFrom: string[];
      /** The panel behind a short-lived, single-use signed token. */
      conversationUri: string;
    }
  | { state: "link_required"; linkUri: string }
  | { state: "not_installed"; detail: string };

export class CardApiError extends Error {}

/**
 * Asks Switchboard what to show. The card runs in HubSpot's worker: no window.fetch, only
 * hubspot.fetch, which HubSpot signs (X-HubSpot-Signature-v3) on its way to us; only an
 * Authorization header would pass, so nothing else is sent. The record is named; who is asking is
 * decided by Switchboard from the signed request, not from anything the card says.
 */
export async function loadCardState(record: { objectTypeId: string; objectId: number | string }): Promise<CardState> {
  const response = await hubspot.fetch(`${switchboardUrl}/api/v1/hubspot/card`, {
    method: "POST",
    timeout: 15_000,
    body: { objectTypeId: record.objectTypeId, objectId: String(record.objectId) },
  });
  // HubSpot's proxy may hand a non-2xx back wrapped as 200 {status:"error"}: treat both as errors.
  const body = (await response.json().catch(() => null)) as (CardState & { status?: string; detail?: string }) | null;
  if (!response.ok || !body || body.status === "error" || !("state" in body)) {
    throw new CardApiError(body?.detail ?? "Switchboard did not answer. Try again in a moment.");
  }
  return body;
}
