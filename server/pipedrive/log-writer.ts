import { and, asc, eq, gte, lt } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { members, messages, pipedriveChatLinks, pipedriveLogEntries, users } from "../db/schema";
import { loadChat } from "../inbox/queries";
import type { Services } from "../services";
import { findPersonsByPhone } from "./api";
import type { PipedriveClient } from "./client";
import { clientFor, type InstallationRow, loadIndividualConnection, loadWorkspaceConnection } from "./connections";
import { createActivity, createNote, updateActivity, updateNote } from "./crm-log";
import { PipedriveError } from "./errors";
import type { ClaimedLogJob } from "./log-queue";
import { type LogKind, loadLoggingSettings, logKinds } from "./settings";
import { transcriptHtml } from "./transcript";

/** What one run did; the worker turns it into the job's next state. */
export type LogRunOutcome = { kind: "done" } | { kind: "skipped"; why: string } | { kind: "retry_now"; why: string };

/**
 * Brings a chat-day's Pipedrive note and/or activity (as the workspace's logging mode says) up to
 * date with that day's messages: created the first time, rewritten after. The entry row names the
 * Pipedrive record, so running a job again updates rather than duplicates. Throws PipedriveError
 * for the worker to schedule.
 */
export async function writeChatDayLog(services: Services, job: ClaimedLogJob): Promise<LogRunOutcome> {
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
  const lines = await dayMessages(services, job);
  if (lines.length === 0) return { kind: "skipped", why: "no messages that day" };
  const [link] = await db
    .select()
    .from(pipedriveChatLinks)
    .where(and(eq(pipedriveChatLinks.workspaceId, job.workspaceId), eq(pipedriveChatLinks.chatId, job.chatId)));
  const day: ChatDay = { services, job, chat, lines, workspaceInstallation, activityType: settings.activityType, link: link ?? null, found: undefined };
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
  job: ClaimedLogJob;
  chat: NonNullable<Awaited<ReturnType<typeof loadChat>>>;
  lines: DayLine[];
  /** The installation serving the workspace; null while the workspace connection needs reconnecting. */
  workspaceInstallation: InstallationRow | null;
  activityType: string;
  link: typeof pipedriveChatLinks.$inferSelect | null;
  /** The person found by the chat's number, once searched (null: nobody has it). */
  found: { personId: number; dealId: number | null } | null | undefined;
};

/** Writes (or rewrites) the chat-day's note or activity. */
async function writeEntry(day: ChatDay, kind: LogKind): Promise<LogRunOutcome> {
  const { services, job, chat, lines } = day;
  const db = services.database.db;
  const [entry] = await db
    .select()
    .from(pipedriveLogEntries)
    .where(
      and(
        eq(pipedriveLogEntries.workspaceId, job.workspaceId),
        eq(pipedriveLogEntries.chatId, job.chatId),
        eq(pipedriveLogEntries.day, job.day),
        eq(pipedriveLogEntries.kind, kind),
      ),
    );
  // Whoever wrote the record keeps writing it; a new one goes under the responsible member's
  // (or the last replying member's) own Pipedrive user when they connected one.
  const writerId = entry ? entry.writtenByMemberId : await pickWriter(services, job.workspaceId, [chat.responsibleId, lastAuthor(lines)]);
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

  let target = day.link
    ? { personId: day.link.personId, dealId: day.link.dealId }
    : entry?.personId
      ? { personId: entry.personId, dealId: entry.dealId }
      : null;
  if (!target && chat.contactPhone) {
    if (day.found === undefined) {
      const [match] = await findPersonsByPhone(client, chat.contactPhone);
      day.found = match ? { personId: match.id, dealId: null } : null;
    }
    target = day.found;
  }
  if (!target) return { kind: "skipped", why: "no Pipedrive person has this number" };

  const contactLabel = chat.contactName ? `${chat.contactName} (${chat.contactPhone ?? "WhatsApp"})` : (chat.contactPhone ?? "WhatsApp contact");
  const content = transcriptHtml({ contactLabel, day: job.day, lines });
  const links = { personId: target.personId, ...(target.dealId ? { dealId: target.dealId } : {}) };
  const subject = `WhatsApp with ${chat.contactName ?? chat.contactPhone ?? "contact"} (${job.day})`;
  const type = day.activityType;

  let pipedriveId: number | null = null;
  if (entry) {
    try {
      pipedriveId =
        kind === "note"
          ? (await updateNote(client, entry.pipedriveId, { content, ...links })).id
          : (await updateActivity(client, entry.pipedriveId, { subject, type, note: content, ...links })).id;
    } catch (error) {
      // Deleted in Pipedrive: the day gets a fresh record.
      if (!(error instanceof PipedriveError && error.reason === "not_found")) throw error;
    }
  }
  pipedriveId ??=
    kind === "note"
      ? (await createNote(client, { content, ...links })).id
      : (await createActivity(client, { subject, type, note: content, done: true, dueAt: lines[0]?.at, ...links })).id;

  const values = {
    pipedriveId,
    writtenByMemberId: useIndividual ? writerId : null,
    personId: target.personId,
    dealId: target.dealId,
    updatedAt: new Date(),
  };
  await db
    .insert(pipedriveLogEntries)
    .values({ workspaceId: job.workspaceId, chatId: job.chatId, day: job.day, kind, ...values })
    .onConflictDoUpdate({
      target: [pipedriveLogEntries.workspaceId, pipedriveLogEntries.chatId, pipedriveLogEntries.day, pipedriveLogEntries.kind],
      set: values,
    });
  return { kind: "done" };
}

type DayLine = { at: Date; direction: "in" | "out"; text: string; authorName: string | null; authorId: string | null };

async function dayMessages(services: Services, job: ClaimedLogJob): Promise<DayLine[]> {
  const start = new Date(`${job.day}T00:00:00.000Z`);
  const end = new Date(start.getTime() + 24 * 60 * 60 * 1000);
  const author = alias(members, "author");
  return services.database.db
    .select({ at: messages.createdAt, direction: messages.direction, text: messages.text, authorName: users.name, authorId: messages.authorId })
    .from(messages)
    .leftJoin(author, and(eq(author.workspaceId, messages.workspaceId), eq(author.id, messages.authorId)))
    .leftJoin(users, eq(users.id, author.userId))
    .where(and(eq(messages.workspaceId, job.workspaceId), eq(messages.chatId, job.chatId), gte(messages.createdAt, start), lt(messages.createdAt, end)))
    .orderBy(asc(messages.createdAt), asc(messages.id));
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
