import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/client";
import { pipedriveSettings } from "../db/schema";

export type LoggingMode = (typeof pipedriveSettings.$inferSelect)["logging"];
/** What one chat-day's transcript becomes in Pipedrive; "both" writes one of each. */
export type LogKind = "note" | "activity";
export type LoggingSettings = { logging: LoggingMode; activityType: string };

/**
 * An activity type's `key_string` (Pipedrive's ActivityTypes: "call", "meeting", "task", or a custom
 * type's key). Pipedrive makes them from the type's name; letters, digits, `_` and `-` cover them.
 */
export const ActivityTypeKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, "must be an activity type's key (letters, digits, _ or -)");

/** "call" until an Admin chooses: a type every Pipedrive company starts with. */
export const defaultActivityType = "call";

const defaults: LoggingSettings = { logging: "note", activityType: defaultActivityType };

/** The workspace's logging settings; a note per chat-day, activities of type call, until an Admin chooses. */
export async function loadLoggingSettings(db: Executor, workspaceId: string): Promise<LoggingSettings> {
  const [row] = await db
    .select({ logging: pipedriveSettings.logging, activityType: pipedriveSettings.activityType })
    .from(pipedriveSettings)
    .where(eq(pipedriveSettings.workspaceId, workspaceId));
  return row ?? defaults;
}

/** The workspace's logging mode; "note" until an Admin chooses. */
export async function loadLoggingMode(db: Executor, workspaceId: string): Promise<LoggingMode> {
  return (await loadLoggingSettings(db, workspaceId)).logging;
}

/** The records a mode writes for each chat-day. */
export function logKinds(mode: LoggingMode): LogKind[] {
  if (mode === "both") return ["note", "activity"];
  return mode === "off" ? [] : [mode];
}
