import express, { type Response } from "express";
import { z } from "zod";
import type { Config } from "../config";
import { type DemoCrmPerson, type DemoCrmUser, demoCrmPersons, demoCrmUsers } from "./company";
import { parseActivityWrite, primaryPersonId } from "./contract/activities";
import { presentActivity, presentDeal, presentMe, presentNote, presentPerson, presentSearchItem, presentUsers, sendApiError } from "./presenters";
import { type DemoCrmStore, dealPersons, findDeal, findPerson, missingTarget } from "./store";
import { verifyDemoCrmGrant } from "./tokens";

// The part of Pipedrive's REST API that Switchboard calls (server/pipedrive/api.ts, crm-log.ts,
// oauth.ts and the user mapping): users/me and users, v2 deals and persons with search, v1 notes,
// v2 activities, v1 permitted users. Every call needs a bearer the demo CRM issued and not yet expired.

const Id = z.number().int().positive();
const NoteBody = z.looseObject({
  content: z.string().min(1),
  deal_id: Id.nullish(),
  person_id: Id.nullish(),
  org_id: Id.nullish(),
  pinned_to_deal_flag: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
  add_time: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    .optional(),
});
/** The demo CRM's /api router; `store` keeps the notes and activities it is given. */
export function demoCrmApi(config: Config, store: DemoCrmStore) {
  const api = express.Router();
  api.use((request, response, next) => {
    response.set({ "x-ratelimit-limit": "80", "x-ratelimit-remaining": "79", "x-ratelimit-reset": "2" });
    const token = /^Bearer (.+)$/.exec(request.get("authorization") ?? "")?.[1];
    const grant = token ? verifyDemoCrmGrant(config.demoCrm.tokenKey, token, "access") : null;
    const user = grant ? demoCrmUsers.find((candidate) => candidate.id === grant.userId) : undefined;
    if (!user) return void sendApiError(response, 401, "unauthorized access");
    response.locals.user = user;
    next();
  });
  const caller = (response: Response): DemoCrmUser => response.locals.user;

  api.get("/v1/users/me", (_request, response) => void response.json({ success: true, data: presentMe(caller(response)) }));
  api.get("/v1/users", (_request, response) => void response.json({ success: true, data: presentUsers(caller(response)) }));

  api.get("/v2/deals/:id", (request, response) => {
    const deal = findDeal(Number(request.params.id));
    if (!deal) return void sendApiError(response, 404, "Deal not found");
    response.json({ success: true, data: presentDeal(deal) });
  });

  // "List permitted users" (v1 only): every demo deal and person is visible to the entire company,
  // so every demo user. https://developers.pipedrive.com/docs/api/v1/Deals#getDealUsers,
  // https://developers.pipedrive.com/docs/api/v1/Persons#getPersonUsers: `{success, data: [userId, …]}`.
  api.get("/v1/deals/:id/permittedUsers", (request, response) => {
    if (!findDeal(Number(request.params.id))) return void sendApiError(response, 404, "Deal not found");
    response.json({ success: true, data: demoCrmUsers.map((user) => user.id) });
  });
  api.get("/v1/persons/:id/permittedUsers", (request, response) => {
    if (!findPerson(Number(request.params.id))) return void sendApiError(response, 404, "Person not found");
    response.json({ success: true, data: demoCrmUsers.map((user) => user.id) });
  });

  api.get("/v2/persons/search", (request, response) => {
    const term = String(request.query.term ?? "");
    const exact = request.query.exact_match === "true";
    if (term.length < (exact ? 1 : 2)) return void sendApiError(response, 400, "term must be at least 2 characters long");
    const fields = String(request.query.fields ?? "name,phone,email").split(",");
    const items = demoCrmPersons
      .filter((person) => personMatches(person, term, fields, exact))
      .slice(0, Number(request.query.limit ?? 100))
      .map(presentSearchItem);
    response.json({ success: true, data: { items }, additional_data: { next_cursor: null } });
  });

  api.get("/v2/persons/:id", (request, response) => {
    const person = findPerson(Number(request.params.id));
    if (!person) return void sendApiError(response, 404, "Person not found");
    response.json({ success: true, data: presentPerson(person) });
  });

  api.get("/v2/persons", (request, response) => {
    const dealId = request.query.deal_id === undefined ? null : Number(request.query.deal_id);
    if (dealId !== null && !findDeal(dealId)) return void sendApiError(response, 404, "Deal not found");
    const persons = dealId === null ? demoCrmPersons : dealPersons(dealId);
    response.json({ success: true, data: persons.map(presentPerson), additional_data: { next_cursor: null } });
  });

  api.get("/v1/notes", (request, response) => {
    const wanted = (field: "deal_id" | "person_id", value: number | null) => request.query[field] === undefined || value === Number(request.query[field]);
    const data = store.notes
      .filter((note) => wanted("deal_id", note.dealId) && wanted("person_id", note.personId))
      .map((note) => presentNote(note, caller(response)));
    response.json({ success: true, data, additional_data: { pagination: { start: 0, limit: 100, more_items_in_collection: false } } });
  });

  api.post("/v1/notes", (request, response) => {
    const parsed = NoteBody.safeParse(request.body);
    if (!parsed.success) return void sendApiError(response, 400, `Invalid note: ${parsed.error.issues[0]?.message}`);
    const links = { dealId: parsed.data.deal_id ?? null, personId: parsed.data.person_id ?? null, orgId: parsed.data.org_id ?? null };
    const problem = missingTarget(links);
    if (problem) return void sendApiError(response, 400, problem);
    const now = new Date();
    const note = {
      id: store.nextId(),
      content: parsed.data.content,
      ...links,
      userId: caller(response).id,
      pinnedToDeal: Boolean(parsed.data.pinned_to_deal_flag),
      addTime: parsed.data.add_time ? new Date(`${parsed.data.add_time.replace(" ", "T")}Z`) : now,
      updateTime: now,
    };
    store.notes.push(note);
    response.status(201).json({ success: true, data: presentNote(note, caller(response)) });
  });

  api.put("/v1/notes/:id", (request, response) => {
    const note = store.notes.find((candidate) => candidate.id === Number(request.params.id));
    if (!note) return void sendApiError(response, 404, "Note not found");
    const parsed = NoteBody.partial().safeParse(request.body ?? {});
    if (!parsed.success) return void sendApiError(response, 400, `Invalid note: ${parsed.error.issues[0]?.message}`);
    const change = parsed.data;
    const links = { dealId: change.deal_id ?? note.dealId, personId: change.person_id ?? note.personId, orgId: change.org_id ?? note.orgId };
    const problem = missingTarget(links);
    if (problem) return void sendApiError(response, 400, problem);
    Object.assign(note, links, { content: change.content ?? note.content, updateTime: new Date() });
    response.json({ success: true, data: presentNote(note, caller(response)) });
  });

  // Pipedrive's v2 rules for activity bodies (person_id read-only, unknown fields refused):
  // contract/activities.ts, shared with the tests' fake.
  api.post("/v2/activities", (request, response) => {
    const parsed = parseActivityWrite(request.body);
    if (!parsed.ok) return void response.status(400).json(parsed.error);
    const body = parsed.data;
    const participants = body.participants ?? [];
    const now = new Date();
    const type = body.type ?? "task";
    const activity = {
      id: store.nextId(),
      subject: body.subject ?? type,
      type,
      dealId: body.deal_id ?? null,
      participants,
      personId: primaryPersonId(participants),
      orgId: body.org_id ?? null,
      ownerId: body.owner_id ?? caller(response).id,
      dueDate: body.due_date ?? null,
      dueTime: body.due_time ?? null,
      duration: body.duration ?? null,
      done: body.done ?? false,
      note: body.note ?? null,
      addTime: now,
      updateTime: now,
    };
    store.activities.push(activity);
    response.json({ success: true, data: presentActivity(activity) });
  });

  api.patch("/v2/activities/:id", (request, response) => {
    const activity = store.activities.find((candidate) => candidate.id === Number(request.params.id));
    if (!activity) return void sendApiError(response, 404, "Activity not found");
    const parsed = parseActivityWrite(request.body ?? {});
    if (!parsed.ok) return void response.status(400).json(parsed.error);
    const change = parsed.data;
    const participants = change.participants ?? activity.participants;
    Object.assign(activity, {
      subject: change.subject ?? activity.subject,
      type: change.type ?? activity.type,
      dealId: change.deal_id === undefined ? activity.dealId : change.deal_id,
      participants,
      personId: primaryPersonId(participants),
      orgId: change.org_id === undefined ? activity.orgId : change.org_id,
      ownerId: change.owner_id ?? activity.ownerId,
      dueDate: change.due_date ?? activity.dueDate,
      dueTime: change.due_time ?? activity.dueTime,
      duration: change.duration ?? activity.duration,
      done: change.done ?? activity.done,
      note: change.note ?? activity.note,
      updateTime: new Date(),
    });
    response.json({ success: true, data: presentActivity(activity) });
  });

  api.use((_request, response) => sendApiError(response, 404, "Unknown method ."));
  return api;
}

// Phone search compares digits, so "+44 20 7946 0958" is found by "2079460958".
function personMatches(person: DemoCrmPerson, term: string, fields: string[], exact: boolean): boolean {
  const lowered = term.toLowerCase();
  const textMatches = (value: string) => (exact ? value.toLowerCase() === lowered : value.toLowerCase().includes(lowered));
  const termDigits = term.replace(/\D/g, "");
  const phoneMatches = (value: string) => {
    const digits = value.replace(/\D/g, "");
    return termDigits !== "" && (exact ? digits === termDigits : digits.includes(termDigits));
  };
  return (
    (fields.includes("name") && textMatches(person.name)) ||
    (fields.includes("email") && person.emails.some(textMatches)) ||
    (fields.includes("phone") && person.phones.some((phone) => phoneMatches(phone.value)))
  );
}
