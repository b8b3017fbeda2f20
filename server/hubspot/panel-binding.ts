import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { authTokens } from "../db/schema";
import type { Principal } from "../identity/tokens";
import { type CardRecord, isHubspotObjectTypeId } from "./card-context";

// A HubSpot panel bearer (kind "panel") is bound to the portal and the record of the card that
// opened it, in its auth_tokens `name`, as Pipedrive's panel tokens are (server/pipedrive/panel-reads.ts):
// written once, here, read back with a strict pattern, and living and dying with the token.

export type HubspotPanelBinding = CardRecord;

const bindingPattern = /^HubSpot panel: portal (\d{1,15}) on (0-1|0-3) (\d{1,20})$/;

export function hubspotPanelTokenName(binding: HubspotPanelBinding): string {
  return `HubSpot panel: portal ${binding.hubId} on ${binding.objectTypeId} ${binding.objectId}`;
}

export function parseHubspotPanelTokenName(name: string | null): HubspotPanelBinding | null {
  const match = name ? bindingPattern.exec(name) : null;
  if (!match) return null;
  const [, hubId, objectTypeId, objectId] = match;
  if (!hubId || !objectTypeId || !objectId || !isHubspotObjectTypeId(objectTypeId)) return null;
  return { hubId: Number(hubId), objectTypeId, objectId };
}

/** The record the caller's HubSpot panel bearer was opened on; null for any other token. */
export async function loadHubspotPanelBinding(db: Executor, actor: Principal): Promise<HubspotPanelBinding | null> {
  if (actor.tokenKind !== "panel") return null;
  const [row] = await db
    .select({ name: authTokens.name })
    .from(authTokens)
    .where(and(eq(authTokens.workspaceId, actor.workspaceId), eq(authTokens.id, actor.tokenId)));
  return parseHubspotPanelTokenName(row?.name ?? null);
}
