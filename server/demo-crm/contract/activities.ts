import type { AddActivityRequest } from "pipedrive/v2";
import { z } from "zod";
import type { ModelFieldsOf } from "./sdk-models";

// Pipedrive's rules for API v2 activity bodies (POST /api/v2/activities, PATCH /api/v2/activities/{id}),
// in one place for both imitations of Pipedrive: the demo CRM (server/demo-crm/) and the tests'
// fake (test/fakes/pipedrive.ts, which imports this; the server never imports from test/). Each
// rule names the page it comes from. What is not documented is marked (inferred).
//
// Sources:
// - Add / update an activity (v2): https://developers.pipedrive.com/docs/api/v1/Activities#addActivity
//   and https://developers.pipedrive.com/docs/api/v1/Activities#updateActivity (the v2 operations
//   live on the same page; the field list is pipedrive@33's AddActivityRequest).
// - `person_id` is read-only in v2, set through a primary participant, and sending it is a 400
//   `{success:false, error:"'person_id' is a read-only field. …", code:"ERR_BAD_REQUEST"}`:
//   https://pipedrive.readme.io/docs/pipedrive-api-v2-migration-guide and
//   https://devcommunity.pipedrive.com/t/api-v1-to-v2-upgrade-post-activities-http-400-responses/19734

/** Pipedrive's 400 body for a refused v2 request (the community thread above shows it verbatim). */
export type PipedriveBadRequest = { success: false; error: string; code: "ERR_BAD_REQUEST" };

export const badRequest = (error: string): PipedriveBadRequest => ({ success: false, error, code: "ERR_BAD_REQUEST" });

const Id = z.number().int().positive();
// https://developers.pipedrive.com/docs/api/v1/Activities#addActivity: due_date YYYY-MM-DD,
// due_time and duration HH:MM (due_time in UTC).
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");
const HoursMinutes = z.string().regex(/^\d{2}:\d{2}$/, "must be HH:MM");

/**
 * A participant as v2 takes it: `primary`, not v1's (and v2 GET's) `primary_flag`
 * (https://devcommunity.pipedrive.com/t/api-v1-to-v2-upgrade-post-activities-http-400-responses/19734).
 */
const Participant = z.strictObject({ person_id: Id, primary: z.boolean().optional() });

/**
 * The writable fields (https://developers.pipedrive.com/docs/api/v1/Activities#addActivity); all
 * optional in v2. They are the SDK's AddActivityRequest without `person_id` (read-only, below),
 * checked at compile time.
 */
const activityFields = {
  subject: z.string().min(1),
  type: z.string().min(1),
  owner_id: Id,
  deal_id: Id.nullable(),
  lead_id: z.string().min(1).nullable(),
  org_id: Id.nullable(),
  project_id: Id.nullable(),
  due_date: Day,
  due_time: HoursMinutes,
  duration: HoursMinutes,
  busy: z.boolean(),
  done: z.boolean(),
  location: z.looseObject({ value: z.string().optional() }),
  participants: z.array(Participant),
  attendees: z.array(z.looseObject({})),
  public_description: z.string(),
  priority: z.number().int(),
  outcome: z.number().int().nullable(),
  note: z.string(),
} satisfies ModelFieldsOf<AddActivityRequest, "person_id", z.ZodType>;

export const ActivityWrite = z.strictObject(activityFields).partial();

export type ActivityWrite = z.infer<typeof ActivityWrite>;

/**
 * Fields an activity has but a request may not set. `person_id`: the v2 migration guide and the
 * community thread above, with Pipedrive's own message. The rest are the response's
 * server-kept fields (https://developers.pipedrive.com/docs/api/v1/Activities#getActivity);
 * their message follows person_id's (inferred).
 */
const readOnlyFields: Record<string, string> = {
  person_id: "'person_id' is a read-only field. Add a primary participant to set 'person_id' instead.",
  id: "'id' is a read-only field.",
  creator_user_id: "'creator_user_id' is a read-only field.",
  add_time: "'add_time' is a read-only field.",
  update_time: "'update_time' is a read-only field.",
  marked_as_done_time: "'marked_as_done_time' is a read-only field.",
  is_deleted: "'is_deleted' is a read-only field.",
};

/**
 * Checks a POST or PATCH body against Pipedrive's v2 rules: the parsed fields, or the 400 body
 * Pipedrive answers. "Stricter input validation" is a stated v2 property
 * (https://pipedrive.readme.io/docs/pipedrive-api-v2), so unknown fields are refused too (inferred
 * message).
 */
export function parseActivityWrite(body: unknown): { ok: true; data: ActivityWrite } | { ok: false; error: PipedriveBadRequest } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, error: badRequest("Request body must be a JSON object") };
  const readOnly = Object.keys(body).find((field) => field in readOnlyFields);
  if (readOnly) return { ok: false, error: badRequest(readOnlyFields[readOnly] as string) };
  const parsed = ActivityWrite.safeParse(body);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.join(".") ?? "";
  const error =
    issue?.code === "unrecognized_keys"
      ? `Unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `'${where ? `${where}.` : ""}${key}'`).join(", ")}`
      : `Invalid '${where}': ${issue?.message ?? "invalid value"}`;
  return { ok: false, error: badRequest(error) };
}

/** The person an activity is "about": its primary participant's (what v2 shows as the read-only `person_id`). */
export function primaryPersonId(participants: { person_id: number; primary?: boolean }[]): number | null {
  return (participants.find((participant) => participant.primary) ?? participants[0])?.person_id ?? null;
}

/** Participants as v2 responses show them (`primary_flag`, not `primary`). */
export function presentParticipants(participants: { person_id: number; primary?: boolean }[]) {
  const primary = primaryPersonId(participants);
  return participants.map((participant) => ({ person_id: participant.person_id, primary_flag: participant.person_id === primary }));
}
