import type { ChatDayKey, DayLine } from "../crm/day-lines";
import { appendLines, chatConsoleUrl, dealIntoParts, transcriptHtml, transcriptLineHtml } from "../crm/transcript";
import { loadChat } from "../inbox/queries";
import type { Services } from "../services";
import { type HubspotApi, HubspotApiError, hubspotApi } from "./api";
import { type CommunicationTarget, createCommunication, findContactByPhone, findOwnerIdByEmail, updateCommunicationBody } from "./crm";
import { loadHubspotInstallation } from "./installations";
import {
  type HubspotLogEntry,
  loadChatDealLink,
  loadLinesNotLogged,
  loadLinesOutsideParts,
  loadParts,
  memberEmail,
  saveMessageLog,
  savePart,
} from "./log-entries";
import { loadHubspotLoggingMode } from "./settings";

/** What one run did; the worker turns it into the job's next state. */
export type HubspotLogOutcome = { kind: "done" } | { kind: "skipped"; why: string };

type ChatRow = NonNullable<Awaited<ReturnType<typeof loadChat>>>;
/** Where a logged file opens: the chat in the console, behind Switchboard's sign-in and permission check. */
const chatUrlOf = (run: Run) => chatConsoleUrl(run.services.config.publicUrl, run.job.chatId);

type Run = {
  services: Services;
  job: ChatDayKey;
  chat: ChatRow;
  api: HubspotApi;
  contactLabel: string;
  /** Owner ids by member, looked up once a run. */
  owners: Map<string, string | null>;
};

/**
 * Logs a chat-day's messages in the workspace's HubSpot portal as WhatsApp Communications on the
 * contact whose phone is the chat's number: per day, the transcript's parts (server/crm/transcript.ts),
 * a new part created and the current one grown in place with PATCH; per message, one
 * Communication each. Only what the portal doesn't hold yet is sent (hubspot_log_entries,
 * hubspot_message_logs), so running a job again sends nothing. Throws HubspotRateLimited,
 * HubspotReconnectRequired or HubspotApiError for the worker to schedule.
 */
export async function writeHubspotChatDay(services: Services, job: ChatDayKey): Promise<HubspotLogOutcome> {
  const db = services.database.db;
  const mode = await loadHubspotLoggingMode(db, job.workspaceId);
  if (mode === "off") return { kind: "skipped", why: "logging to HubSpot is off" };
  const installation = await loadHubspotInstallation(db, job.workspaceId);
  if (!installation) return { kind: "skipped", why: "no HubSpot portal is connected" };
  if (installation.status !== "connected") return { kind: "skipped", why: "the HubSpot connection needs reconnecting" };
  const chat = await loadChat(db, job.workspaceId, job.chatId);
  if (!chat) return { kind: "skipped", why: "the chat is gone" };
  const hubId = installation.hubId;
  const parts = mode === "per_day" ? await loadParts(db, hubId, job) : [];
  const lines = mode === "per_day" ? await loadLinesOutsideParts(db, hubId, job) : await loadLinesNotLogged(db, hubId, job);
  if (lines.length === 0) return { kind: "done" };

  const api = await hubspotApi(services, job.workspaceId);
  const contactLabel = chat.contactName ? `${chat.contactName} (${chat.contactPhone ?? "WhatsApp"})` : (chat.contactPhone ?? "WhatsApp contact");
  const run: Run = { services, job, chat, api, contactLabel, owners: new Map() };
  // A chat used from a HubSpot panel on a deal goes on that deal and its contact (81 and 85);
  // otherwise on the day's earlier parts' contact, or the contact the chat's number finds.
  const dealLink = await loadChatDealLink(db, hubId, job);
  const knownContact = dealLink?.contactId ?? parts.at(-1)?.contactId ?? null;
  const contactId = knownContact ?? (chat.contactPhone ? await findContactByPhone(api, chat.contactPhone) : null);
  if (!contactId) return { kind: "skipped", why: "no HubSpot contact has this chat's number (phone, mobilephone or hs_whatsapp_phone_number)" };
  const target: CommunicationTarget = { contactId, dealId: dealLink?.dealId ?? null };
  if (mode === "per_message") await logEachMessage(run, target, lines);
  else {
    // A part on another contact or deal (the chat was linked to a deal since) is not grown: the
    // day goes on in a new part that carries the deal, since a PATCH can't add associations.
    const last = parts.at(-1) ?? null;
    const current = last && last.contactId === target.contactId && last.dealId === target.dealId ? last : null;
    await appendToParts(run, target, current, lines, last?.part ?? 0);
  }
  return { kind: "done" };
}

/** Per day: the lines go into the current part while it has room (PATCH), then into new parts (POST); each part's row is saved right after its write. */
async function appendToParts(run: Run, target: CommunicationTarget, current: HubspotLogEntry | null, lines: DayLine[], lastPart: number): Promise<void> {
  const db = run.services.database.db;
  const rendered = lines.map((line) => ({ line, html: transcriptLineHtml(line, run.contactLabel, chatUrlOf(run)) }));
  const { intoCurrent, newParts } = dealIntoParts(current ? { lineCount: current.lineCount, characters: current.lines.length } : null, rendered);
  if (current && intoCurrent.length > 0) {
    const grown = grow(run, current, intoCurrent);
    try {
      await updateCommunicationBody(run.api, current.communicationId, grown.body);
      await savePart(db, run.api.hubId, run.job, { ...current, ...grown.entry });
    } catch (error) {
      // Deleted in HubSpot: the part is written anew.
      if (!(error instanceof HubspotApiError && error.reason === "not_found")) throw error;
      const communicationId = await createCommunication(run.api, {
        body: grown.body,
        at: intoCurrent[0]?.line.at ?? new Date(),
        ownerId: await ownerFor(run, dayOwnerMember(run.chat, lines)),
        target,
      });
      await savePart(db, run.api.hubId, run.job, { ...current, ...grown.entry, communicationId, contactId: target.contactId, dealId: target.dealId });
    }
  }
  let part = lastPart;
  for (const partLines of newParts) {
    part += 1;
    const empty = { part, lines: "", lineCount: 0, messageIds: [] as string[] };
    const grown = grow(run, empty, partLines);
    const communicationId = await createCommunication(run.api, {
      body: grown.body,
      at: partLines[0]?.line.at ?? new Date(),
      ownerId: await ownerFor(run, dayOwnerMember(run.chat, lines)),
      target,
    });
    await savePart(db, run.api.hubId, run.job, { part, communicationId, contactId: target.contactId, dealId: target.dealId, ...grown.entry });
  }
}

/** A part with `added` appended: its new body, and the row values that say so. */
function grow(run: Run, part: Pick<HubspotLogEntry, "part" | "lines" | "lineCount" | "messageIds">, added: { line: DayLine; html: string }[]) {
  const lines = appendLines(
    part.lines,
    added.map((entry) => entry.html),
  );
  return {
    body: transcriptHtml({ contactLabel: run.contactLabel, day: run.job.day, part: part.part, lines }),
    entry: { lines, lineCount: part.lineCount + added.length, messageIds: [...part.messageIds, ...added.map((entry) => entry.line.id)] },
  };
}

/** Per message: one Communication each, at the message's time, owned by its author (or the chat's responsible member for the customer's). */
async function logEachMessage(run: Run, target: CommunicationTarget, lines: DayLine[]): Promise<void> {
  for (const line of lines) {
    const communicationId = await createCommunication(run.api, {
      body: `<p>${transcriptLineHtml(line, run.contactLabel, chatUrlOf(run))}</p>`,
      at: line.at,
      ownerId: await ownerFor(run, line.direction === "out" ? (line.authorId ?? run.chat.responsibleId) : run.chat.responsibleId),
      target,
    });
    await saveMessageLog(run.services.database.db, run.api.hubId, run.job, { messageId: line.id, communicationId, contactId: target.contactId });
  }
}

/** Whose a chat-day's Communication is: the chat's responsible member, else the last member who replied. */
function dayOwnerMember(chat: ChatRow, lines: DayLine[]): string | null {
  return chat.responsibleId ?? lines.findLast((line) => line.direction === "out" && line.authorId)?.authorId ?? null;
}

/**
 * The HubSpot owner id for a member: the owner whose e-mail is the member's sign-in e-mail (owners
 * API), or null — the Communication is then logged without an owner. (A member's HubSpot user
 * link, user-links.ts, names a HubSpot user id, not an owner id; the owners API is matched by e-mail.)
 */
async function ownerFor(run: Run, memberId: string | null): Promise<string | null> {
  if (!memberId) return null;
  if (run.owners.has(memberId)) return run.owners.get(memberId) ?? null;
  const email = await memberEmail(run.services.database.db, run.job.workspaceId, memberId);
  const ownerId = email ? await findOwnerIdByEmail(run.api, email) : null;
  run.owners.set(memberId, ownerId);
  return ownerId;
}
