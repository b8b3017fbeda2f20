import { eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { pipedriveSettings } from "../db/schema";

export type LoggingMode = (typeof pipedriveSettings.$inferSelect)["logging"];

/** The workspace's logging mode; "note" until an Admin chooses. */
export async function loadLoggingMode(db: Executor, workspaceId: string): Promise<LoggingMode> {
  const [row] = await db.select({ logging: pipedriveSettings.logging }).from(pipedriveSettings).where(eq(pipedriveSettings.workspaceId, workspaceId));
  return row?.logging ?? "note";
}
