import { and, eq } from "drizzle-orm";
import { appendLines, chatConsoleUrl, dealIntoParts, transcriptHtml, transcriptLineHtml } from "../crm/transcript";
import { pipedriveChatLinks } from "../db/schema";
import { loadChat } from "../inbox/queries";
import type { Services } from "../services";
import { findPersonsByPhone } from "./api";
import type { PipedriveClient } from "./client";
import { clientFor, type InstallationRow, loadIndividualConnection, loadWorkspaceConnection } from "./connections";
import { createActivity, createNote, updateActivity, updateNote } from "./crm-log";
import { PipedriveError } from "./errors";
import {
  type ChatDayKey,
  type DayLine,
  type LogEntry,
  loadCurrentPart,
  loadPartsOffTarget,
  loadUnloggedLines,
  savePart,
  savePartTarget,
  type Target,
} from "./log-entries";
import { type LogKind, loadLoggingSettings, logKinds } from "./settings";

/** What one run did; the worker turns it into the job's next state. */
export type LogRunOutcome = { kind: "done" } | { kind: "skipped"; why: string } | { kind: "retry_now"; why: string };

/**
 * Brings a chat-day's Pipedrive note and/or activity (as the workspace's logging mode says) up to
 * date with that day's messages, sending only the lines not logged yet: they are appended to the
 * day's current part (rewritten in place: Pipedrive has no append) until it is full, then a new
 * part is created (server/crm/transcript.ts). The entry rows name the Pipedrive records and
 * keep what each part holds, so a run reads the new messages, not the day, and running a job again
 * sends nothing twice. Throws PipedriveError for the worker to schedule.
 */
export async function writeChatDayLog(services: Services, job: ChatDayKey): Promise<LogRunOutcome> {
  const db = services.database.db;
  const settings = await loadLoggingSettings(db, job.workspaceId);
  const kinds = logKinds(settings.logging);
  if (kinds.length === 0) return { kind: "skipped", why: "logging is off" };
  const workspaceConnection = await loadWorkspaceConnection(db, job.workspaceId);
  if (!workspaceConnection) return { kind: "skipped", why: "no workspace connection" };
  // A workspace whose serving installation was uninstalled still logs through members' own ones.
  const workspaceInstallation = workspaceConnection.status === "connected" ? workspaceConnection.installation : null;
  const chat = await loadChat(db, job.workspaceId, job.chatId);
  if (!chat) return { kind: "skipped", why: "chat is gone" };
  const [link] = await db
    .select()
    .from(pipedriveChatLinks)
    .where(and(eq(pipedriveChatLinks.workspaceId, job.workspaceId), eq(pipedriveChatLinks.chatId, job.chatId)));
  const day: ChatDay = { services, job, chat, workspaceInstallation, activityType: settings.activityType, link: link ?? null, found: undefined };
  // In "both" mode a note is written even when the activity's run has to wait, and vice versa.
  let outcome: LogRunOutcome = { kind: "done" };
  for (const kind of kinds) {
    const written = await writeEntry(day, kind);
    if (written.kind !== "done") outcome = written;
  }
  return outcome;
}

type ChatDay = {
  services: Services;
  job: ChatDayKey;
  chat: NonNullable<Awaited<ReturnType<typeof loadChat>>>;
  /** The installation serving the workspace; null while the workspace connection needs reconnecting. */
  workspaceInstallation: InstallationRow | null;
  activityType: string;
  link: typeof pipedriveChatLinks.$inferSelect | null;
  /** The person found by the chat's number, once searched (null: nobody has it). */
  found: { personId: number; dealId: number | null } | null | undefined;
};

/**
 * Sends the chat-day's unlogged lines as `kind`: appended to the current part (rewritten in place)
 * while it has room, then in new parts. Each part's row is saved right after its write, so a run
 * that fails halfway resumes where it stopped.
 */
async function writeEntry(day: ChatDay, kind: LogKind): Promise<LogRunOutcome> {
  const { services, job, chat } = day;
  const db = services.database.db;
  const current = await loadCurrentPart(db, job, kind);
  const lines = await loadUnloggedLines(db, job, kind, current);
  if (!current && lines.fresh.length === 0) return { kind: "skipped", why: "no messages that day" };
  // Whoever wrote the day's first part keeps writing it; a new day goes under the responsible
  // member's (or the last replying member's) own Pipedrive user when they connected one.
  const writerId = current ? current.writtenByMemberId : await pickWriter(services, job.workspaceId, [chat.responsibleId, lastAuthor(lines.fresh)]);
  const individual = writerId ? await loadIndividualConnection(db, job.workspaceId, writerId) : null;
  const useIndividual = individual?.status === "connected";
  const installation = useIndividual ? individual : day.workspaceInstallation;
  if (!installation) return { kind: "skipped", why: "the workspace connection needs reconnecting and no member's own connection can write this" };
  let client: PipedriveClient;
  try {
    client = await clientFor(services, installation);
  } catch (error) {
    // The member's tokens died (now marked); the next run writes through the workspace.
    if (useIndividual && error instanceof PipedriveError && error.reason === "reconnect_required") return { kind: "retry_now", why: error.message };
    throw error;
  }

  let target: Target | null = day.link
    ? { personId: day.link.personId, dealId: day.link.dealId }
    : current?.personId
      ? { personId: current.personId, dealId: current.dealId }
      : null;
  if (!target && chat.contactPhone) {
    if (day.found === undefined) {
      const [match] = await findPersonsByPhone(client, chat.contactPhone);
      day.found = match ? { personId: match.id, dealId: null } : null;
    }
    target = day.found;
  }
  if (!target) return { kind: "skipped", why: "no Pipedrive person has this number" };
  const moved = current !== null && (current.personId !== target.personId || (current.dealId ?? null) !== (target.dealId ?? null));
  if (lines.fresh.length + lines.late.length === 0 && !moved) return { kind: "done" };

  const writer = { client, day, kind, target, writtenByMemberId: useIndividual ? writerId : null };
  // A chat linked to another deal or person takes its earlier parts along (link-only updates).
  if (moved && current) {
    for (const earlier of await loadPartsOffTarget(db, job, kind, current.part, target)) {
      await moveRecord(writer, earlier.pipedriveId);
      await savePartTarget(db, job, kind, earlier.part, target);
    }
  }

  const contactLabel = chat.contactName ? `${chat.contactName} (${chat.contactPhone ?? "WhatsApp"})` : (chat.contactPhone ?? "WhatsApp contact");
  const chatUrl = chatConsoleUrl(services.config.publicUrl, job.chatId);
  const rendered = [...lines.late, ...lines.fresh].map((line) => ({ line, html: transcriptLineHtml(line, contactLabel, chatUrl) }));
  const { intoCurrent, newParts } = dealIntoParts(current ? { lineCount: current.lineCount, characters: current.lines.length } : null, rendered);
  const context = { ...writer, contactLabel, fresh: new Set(lines.fresh) };
  let progress: Progress = { dayLineCount: current?.dayLineCount ?? 0, messageId: current?.loggedThroughId ?? null };
  if (current && (intoCurrent.length > 0 || moved)) progress = await writePart(context, current, intoCurrent, progress);
  let part = current?.part ?? 0;
  for (const partLines of newParts) {
    part += 1;
    progress = await writePart(context, { part, pipedriveId: null, lines: "", lineCount: 0, messageIds: [] }, partLines, progress);
  }
  return { kind: "done" };
}

type PartWriter = { client: PipedriveClient; day: ChatDay; kind: LogKind; target: Target; writtenByMemberId: string | null };
type PartContext = PartWriter & { contactLabel: string; fresh: Set<DayLine> };
type PartState = Pick<LogEntry, "part" | "lines" | "lineCount" | "messageIds"> & { pipedriveId: number | null };
/** The day's lines logged so far and the latest message among them (the cursor new lines follow). */
type Progress = { dayLineCount: number; messageId: string | null };

/** Writes one part with `added` appended (a new record when it has none, or Pipedrive lost it) and saves its row. */
async function writePart(context: PartContext, part: PartState, added: { line: DayLine; html: string }[], progress: Progress): Promise<Progress> {
  const { client, day, kind, target } = context;
  const lines = appendLines(
    part.lines,
    added.map((entry) => entry.html),
  );
  const content = transcriptHtml({ contactLabel: context.contactLabel, day: day.job.day, part: part.part, lines });
  const links = { personId: target.personId, ...(target.dealId ? { dealId: target.dealId } : {}) };
  const name = day.chat.contactName ?? day.chat.contactPhone ?? "contact";
  const subject = `WhatsApp with ${name} (${day.job.day}${part.part > 1 ? `, part ${part.part}` : ""})`;
  const type = day.activityType;

  let pipedriveId: number | null = null;
  if (part.pipedriveId !== null) {
    try {
      pipedriveId =
        kind === "note"
          ? (await updateNote(client, part.pipedriveId, { content, ...links, ...(links.dealId ? { pinnedToDeal: true } : {}) })).id
          : (await updateActivity(client, part.pipedriveId, { subject, type, note: content, ...links })).id;
    } catch (error) {
      // Deleted in Pipedrive: the part gets a fresh record.
      if (!(error instanceof PipedriveError && error.reason === "not_found")) throw error;
    }
  }
  pipedriveId ??=
    kind === "note"
      ? // On a deal, the transcript is pinned there, where the chat was opened from (Pipedrive's note flag).
        (await createNote(client, { content, ...links, ...(links.dealId ? { pinnedToDeal: true } : {}) })).id
      : (await createActivity(client, { subject, type, note: content, done: true, dueAt: added[0]?.line.at, ...links })).id;

  // Late lines come first and sort before the cursor: it moves only past fresh ones.
  const last = added.at(-1)?.line;
  const next = { dayLineCount: progress.dayLineCount + added.length, messageId: last && context.fresh.has(last) ? last.id : progress.messageId };
  const savedPart = {
    part: part.part,
    pipedriveId,
    writtenByMemberId: context.writtenByMemberId,
    target,
    lines,
    lineCount: part.lineCount + added.length,
    messageIds: [...part.messageIds, ...added.map((entry) => entry.line.id)],
  };
  await savePart(day.services.database.db, day.job, kind, savedPart, next);
  return next;
}

/** Links a part's Pipedrive record to the writer's target (nothing else changes). */
async function moveRecord(writer: PartWriter, pipedriveId: number): Promise<void> {
  const links = { personId: writer.target.personId, ...(writer.target.dealId ? { dealId: writer.target.dealId } : {}) };
  try {
    if (writer.kind === "note") await updateNote(writer.client, pipedriveId, { ...links, ...(links.dealId ? { pinnedToDeal: true } : {}) });
    else await updateActivity(writer.client, pipedriveId, links);
  } catch (error) {
    // Deleted in Pipedrive: nothing to move.
    if (!(error instanceof PipedriveError && error.reason === "not_found")) throw error;
  }
}

const lastAuthor = (lines: DayLine[]) => lines.findLast((line) => line.direction === "out" && line.authorId)?.authorId ?? null;

async function pickWriter(services: Services, workspaceId: string, candidates: (string | null)[]): Promise<string | null> {
  for (const memberId of candidates) {
    if (!memberId) continue;
    const connection = await loadIndividualConnection(services.database.db, workspaceId, memberId);
    if (connection?.status === "connected") return memberId;
  }
  return null;
}
