import { and, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm";
import { type ChatDayKey, chatDayArrivals, chatDayMessages, type DayLine, loadDayLines } from "../crm/day-lines";
import type { Executor } from "../db/client";
import { messages, pipedriveLogEntries } from "../db/schema";
import type { LogKind } from "./settings";

// What the chat-day's Pipedrive records already hold (pipedrive_log_entries, one row per part)
// and which of the day's messages they don't: a run reads the new messages, not the whole day.

export type { ChatDayKey, DayLine };
export type LogEntry = typeof pipedriveLogEntries.$inferSelect;
export type Target = { personId: number; dealId: number | null };

const entryKey = (job: ChatDayKey, kind: LogKind) =>
  and(
    eq(pipedriveLogEntries.workspaceId, job.workspaceId),
    eq(pipedriveLogEntries.chatId, job.chatId),
    eq(pipedriveLogEntries.day, job.day),
    eq(pipedriveLogEntries.kind, kind),
  ) as SQL;

const dayRange = chatDayMessages;

/** The day's last part of `kind` (the one new lines go to), or null before the first. */
export async function loadCurrentPart(db: Executor, job: ChatDayKey, kind: LogKind): Promise<LogEntry | null> {
  const [entry] = await db.select().from(pipedriveLogEntries).where(entryKey(job, kind)).orderBy(desc(pipedriveLogEntries.part)).limit(1);
  return entry ?? null;
}

/**
 * The day's messages not yet in any part of `kind`, each list in time order: `fresh` after the current
 * part's cursor (an index range), and `late` — when the day holds more messages than were logged
 * and read now — those that arrived late with an earlier time (a delayed webhook, or a commit that
 * overtook another), found by the ids the parts keep.
 */
export async function loadUnloggedLines(
  db: Executor,
  job: ChatDayKey,
  kind: LogKind,
  current: LogEntry | null,
): Promise<{ late: DayLine[]; fresh: DayLine[] }> {
  if (!current?.loggedThroughId) return { late: [], fresh: await loadDayLines(db, job) };
  const cursor = sql`(select ${pipedriveLogEntries.loggedThroughAt}, ${pipedriveLogEntries.loggedThroughId} from ${pipedriveLogEntries} where ${entryKey(job, kind)} and ${pipedriveLogEntries.part} = ${current.part})`;
  const [fresh, [day]] = await Promise.all([
    loadDayLines(db, job, sql`(${messages.createdAt}, ${messages.id}) > ${cursor}`),
    // Arrivals, deleted ones too: a message deleted after it was logged must not hide a late one.
    db.select({ messages: sql<number>`count(*)::int` }).from(messages).where(chatDayArrivals(job)),
  ]);
  if (Number(day?.messages ?? 0) <= current.dayLineCount + fresh.length) return { late: [], fresh };
  return { late: await lateLines(db, job, kind, cursor), fresh };
}

async function lateLines(db: Executor, job: ChatDayKey, kind: LogKind, cursor: SQL): Promise<DayLine[]> {
  const logged = await db.select({ ids: pipedriveLogEntries.messageIds }).from(pipedriveLogEntries).where(entryKey(job, kind));
  const loggedIds = new Set(logged.flatMap((entry) => entry.ids));
  const before = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(dayRange(job), sql`(${messages.createdAt}, ${messages.id}) <= ${cursor}`));
  const missing = before.map((row) => row.id).filter((id) => !loggedIds.has(id));
  return missing.length === 0 ? [] : loadDayLines(db, job, inArray(messages.id, missing));
}

/** Earlier parts of `kind` that still hang on another person or deal than `target`. */
export function loadPartsOffTarget(db: Executor, job: ChatDayKey, kind: LogKind, beforePart: number, target: Target) {
  return db
    .select({ part: pipedriveLogEntries.part, pipedriveId: pipedriveLogEntries.pipedriveId })
    .from(pipedriveLogEntries)
    .where(
      and(
        entryKey(job, kind),
        lt(pipedriveLogEntries.part, beforePart),
        sql`(${pipedriveLogEntries.personId}, ${pipedriveLogEntries.dealId}) is distinct from (${target.personId}::bigint, ${target.dealId}::bigint)`,
      ),
    );
}

/** Records a part's new target after its Pipedrive record was moved there. */
export async function savePartTarget(db: Executor, job: ChatDayKey, kind: LogKind, part: number, target: Target): Promise<void> {
  await db
    .update(pipedriveLogEntries)
    .set({ personId: target.personId, dealId: target.dealId, updatedAt: new Date() })
    .where(and(entryKey(job, kind), eq(pipedriveLogEntries.part, part)));
}

/**
 * Records what a part now holds after its Pipedrive record was written. The cursor is copied
 * from the message row itself, so it keeps the database's microseconds.
 */
export async function savePart(
  db: Executor,
  job: ChatDayKey,
  kind: LogKind,
  part: { part: number; pipedriveId: number; writtenByMemberId: string | null; target: Target; lines: string; lineCount: number; messageIds: string[] },
  through: { dayLineCount: number; messageId: string | null },
): Promise<void> {
  const loggedThroughAt = through.messageId
    ? sql`(select ${messages.createdAt} from ${messages} where ${messages.workspaceId} = ${job.workspaceId} and ${messages.id} = ${through.messageId})`
    : null;
  const values = {
    pipedriveId: part.pipedriveId,
    writtenByMemberId: part.writtenByMemberId,
    personId: part.target.personId,
    dealId: part.target.dealId,
    lines: part.lines,
    lineCount: part.lineCount,
    messageIds: part.messageIds,
    dayLineCount: through.dayLineCount,
    loggedThroughAt,
    loggedThroughId: through.messageId,
    updatedAt: new Date(),
  };
  await db
    .insert(pipedriveLogEntries)
    .values({ workspaceId: job.workspaceId, chatId: job.chatId, day: job.day, kind, part: part.part, ...values })
    .onConflictDoUpdate({
      target: [pipedriveLogEntries.workspaceId, pipedriveLogEntries.chatId, pipedriveLogEntries.day, pipedriveLogEntries.kind, pipedriveLogEntries.part],
      set: values,
    });
}
