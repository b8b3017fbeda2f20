import type { AddActivityRequest } from "pipedrive/v2";
import { required } from "./api";
import type { PipedriveClient } from "./client";

// Logging conversations into Pipedrive: notes (API v1, the only version that has them) and
// activities (API v2). Note content is HTML that Pipedrive sanitizes; escape message text
// before putting it in.

/** What a note hangs on; at least one is required. */
export type NoteLinks = { dealId?: number; personId?: number; orgId?: number };
export type NoteInput = NoteLinks & { content: string; pinnedToDeal?: boolean; addedAt?: Date };

export type ActivityInput = {
  subject: string;
  /** An activity-type key ("call", "task", or a custom type's key); Pipedrive's default when absent. */
  type?: string;
  dealId?: number;
  /**
   * The person it is with, sent as the primary participant: API v2 refuses `person_id` on
   * activities (read-only there, 400), and shows the primary participant's id as `person_id`.
   */
  personId?: number;
  orgId?: number;
  /** Due date and time, sent in UTC. */
  dueAt?: Date;
  durationMinutes?: number;
  done?: boolean;
  note?: string;
};

/** Creates a note on a deal, person and/or organization. */
export async function createNote(client: PipedriveClient, input: NoteInput): Promise<{ id: number }> {
  if (input.content.trim() === "") throw new RangeError("A note needs content");
  if (input.dealId === undefined && input.personId === undefined && input.orgId === undefined) {
    throw new RangeError("A note must belong to a deal, person or organization");
  }
  const response = await client.run((apis) =>
    apis.notes.addNote({
      AddNoteRequest: {
        content: input.content,
        deal_id: input.dealId,
        person_id: input.personId,
        org_id: input.orgId,
        ...(input.pinnedToDeal === undefined ? {} : { pinned_to_deal_flag: input.pinnedToDeal ? 1 : 0 }),
        ...(input.addedAt ? { add_time: pipedriveDateTime(input.addedAt) } : {}),
      },
    }),
  );
  return { id: required(response.data?.id, "note id") };
}

/**
 * Rewrites a note's content and/or moves it to another deal or person (e.g. a growing transcript);
 * a note moved onto a deal is pinned there as one created on it is (NoteRequest's pinned_to_deal_flag).
 */
export async function updateNote(
  client: PipedriveClient,
  noteId: number,
  change: NoteLinks & { content?: string; pinnedToDeal?: boolean },
): Promise<{ id: number }> {
  const response = await client.run((apis) =>
    apis.notes.updateNote({
      id: noteId,
      NoteRequest: {
        content: change.content,
        deal_id: change.dealId,
        person_id: change.personId,
        org_id: change.orgId,
        ...(change.pinnedToDeal === undefined ? {} : { pinned_to_deal_flag: change.pinnedToDeal ? 1 : 0 }),
      },
    }),
  );
  return { id: required(response.data?.id, "note id") };
}

/** Creates an activity, e.g. a done "WhatsApp conversation" on the deal. */
export async function createActivity(client: PipedriveClient, input: ActivityInput): Promise<{ id: number }> {
  if (input.subject.trim() === "") throw new RangeError("An activity needs a subject");
  const response = await client.run((apis) => apis.activities.addActivity({ AddActivityRequest: activityRequest(input) }));
  return { id: required(response.data?.id, "activity id") };
}

/** Changes some fields of an activity (PATCH: absent fields are left alone). */
export async function updateActivity(client: PipedriveClient, activityId: number, change: Partial<ActivityInput>): Promise<{ id: number }> {
  const response = await client.run((apis) => apis.activities.updateActivity({ id: activityId, AddActivityRequest: activityRequest(change) }));
  return { id: required(response.data?.id, "activity id") };
}

function activityRequest(input: Partial<ActivityInput>): AddActivityRequest {
  // JSON.stringify drops the undefined fields, so a PATCH only carries what changed.
  return {
    subject: input.subject,
    type: input.type,
    deal_id: input.dealId,
    // https://pipedrive.readme.io/docs/pipedrive-api-v2-migration-guide: person_id is read-only
    // in v2; `primary` (not v1's `primary_flag`) marks the participant it becomes.
    participants: input.personId === undefined ? undefined : [{ person_id: input.personId, primary: true }],
    org_id: input.orgId,
    due_date: input.dueAt?.toISOString().slice(0, 10),
    due_time: input.dueAt?.toISOString().slice(11, 16),
    duration: input.durationMinutes === undefined ? undefined : hoursAndMinutes(input.durationMinutes),
    done: input.done,
    note: input.note,
  };
}

/** Pipedrive's `YYYY-MM-DD HH:MM:SS` in UTC. */
function pipedriveDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

function hoursAndMinutes(totalMinutes: number): string {
  const minutes = Math.max(0, Math.round(totalMinutes));
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}
