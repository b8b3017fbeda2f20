import { eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { hubspotSettings } from "../db/schema";

export type HubspotLoggingMode = (typeof hubspotSettings.$inferSelect)["logging"];

/** The workspace's HubSpot logging mode: one Communication per chat per day until an Admin chooses. */
export async function loadHubspotLoggingMode(db: Executor, workspaceId: string): Promise<HubspotLoggingMode> {
  const [row] = await db.select({ logging: hubspotSettings.logging }).from(hubspotSettings).where(eq(hubspotSettings.workspaceId, workspaceId));
  return row?.logging ?? "per_day";
}
