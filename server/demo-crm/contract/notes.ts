import { type AddNoteRequest, AddNoteRequestAllOf1PinnedToDealFlagConst, type NoteRequest } from "pipedrive/v1";
import { z } from "zod";
import { type ApiErrorBody, apiErrorBody } from "./responses";
import type { ModelFieldsOf } from "./sdk-models";

// Pipedrive's rules for v1 note bodies (POST /api/v1/notes, PUT /api/v1/notes/{id}), shared by
// the demo CRM and the tests' fake. Sources:
// - Add a note / Update a note: https://developers.pipedrive.com/docs/api/v1/Notes#addNote and
//   https://developers.pipedrive.com/docs/api/v1/Notes#updateNote. The field list is the
//   `pipedrive` package's AddNoteRequest / NoteRequest (checked at compile time below):
//   `content` (HTML) required on add; at least one of deal_id, person_id, org_id, lead_id,
//   project_id (or task_id) on add; `add_time` as `YYYY-MM-DD HH:MM:SS` (UTC); the pinned_to_*
//   flags as 0 or 1 (the SDK's *FlagConst).
// - Fields a note has but a request may not set (id, active_flag, update_time, the nested
//   deal/person/organization/user): the answer's schema, https://developers.pipedrive.com/docs/api/v1/Notes#getNote.
//   v1 pages don't say what happens to unknown or read-only fields; the fakes refuse them, as v2
//   does (https://pipedrive.readme.io/docs/pipedrive-api-v2: "stricter input validation") — (inferred).

const Id = z.number().int().positive();
const Flag = z.union([z.literal(AddNoteRequestAllOf1PinnedToDealFlagConst.NUMBER_0), z.literal(AddNoteRequestAllOf1PinnedToDealFlagConst.NUMBER_1)]);
const DateTime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, "must be YYYY-MM-DD HH:MM:SS");

const noteLinks = {
  lead_id: z.string().min(1),
  deal_id: Id,
  person_id: Id,
  org_id: Id,
  project_id: Id,
  task_id: Id,
};

const addNoteFields = {
  content: z.string().min(1),
  ...noteLinks,
  user_id: Id,
  add_time: DateTime,
  pinned_to_lead_flag: Flag,
  pinned_to_deal_flag: Flag,
  pinned_to_organization_flag: Flag,
  pinned_to_person_flag: Flag,
  pinned_to_project_flag: Flag,
  pinned_to_task_flag: Flag,
} satisfies ModelFieldsOf<AddNoteRequest, never, z.ZodType>;

const updateNoteFields = { ...addNoteFields, content: z.string().min(1) } satisfies ModelFieldsOf<NoteRequest, never, z.ZodType>;

const AddNote = z.strictObject(addNoteFields).partial().required({ content: true });
const UpdateNote = z.strictObject(updateNoteFields).partial();
export type NoteWrite = z.infer<typeof AddNote>;
export type NoteChange = z.infer<typeof UpdateNote>;

const readOnlyNoteFields = ["id", "active_flag", "update_time", "deal", "person", "organization", "user", "lead", "project"];

type Parsed<T> = { ok: true; data: T } | { ok: false; error: ApiErrorBody };

/** Checks a POST /v1/notes body: the fields, or Pipedrive's 400. */
export function parseNoteWrite(body: unknown): Parsed<NoteWrite> {
  const parsed = parseWith(AddNote, body);
  if (!parsed.ok) return parsed;
  const { deal_id, person_id, org_id, lead_id, project_id, task_id } = parsed.data;
  if ([deal_id, person_id, org_id, lead_id, project_id, task_id].every((link) => link === undefined)) {
    return { ok: false, error: apiErrorBody(400, "Note must be attached to a deal, person, organization, lead or project") };
  }
  return parsed;
}

/** Checks a PUT /v1/notes/{id} body. */
export function parseNoteChange(body: unknown): Parsed<NoteChange> {
  return parseWith(UpdateNote, body ?? {});
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, error: apiErrorBody(400, "Request body must be a JSON object") };
  const readOnly = Object.keys(body).find((field) => readOnlyNoteFields.includes(field));
  if (readOnly) return { ok: false, error: apiErrorBody(400, `'${readOnly}' is a read-only field.`) };
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.join(".") ?? "";
  const error =
    issue?.code === "unrecognized_keys"
      ? `Unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `'${key}'`).join(", ")}`
      : `Invalid '${where}': ${issue?.message ?? "invalid value"}`;
  return { ok: false, error: apiErrorBody(400, error) };
}
