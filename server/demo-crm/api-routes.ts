import express, { type Response } from "express";
import type { Config } from "../config";
import { type DemoCrmPerson, type DemoCrmUser, demoCrmCompany, demoCrmPersons, demoCrmUsers } from "./company";
import { parseActivityWrite, primaryPersonId } from "./contract/activities";
import { parseNoteChange, parseNoteWrite } from "./contract/notes";
import { cursorPage, offsetPage } from "./contract/pagination";
import { parsePersonSearch } from "./contract/person-search";
import { createRateLimiter } from "./contract/rate-limit";
import { sendApiError, success } from "./contract/responses";
import { scopeAllows, scopeMismatch } from "./contract/scopes";
import { presentActivity, presentDeal, presentMe, presentNote, presentPerson, presentSearchItem, presentUsers } from "./presenters";
import { type DemoCrmStore, dealPersons, findDeal, findPerson, isRevoked, missingTarget } from "./store";
import { demoCrmScope, verifyDemoCrmGrant } from "./tokens";

// The part of Pipedrive's REST API that Switchboard calls (server/pipedrive/api.ts, crm-log.ts,
// oauth.ts and the user mapping): users/me and users, v2 deals and persons with search, v1 notes,
// v2 activities, v1 permitted users. Every call needs a bearer the demo CRM issued, not expired and
// not revoked; the rules shared with the tests' fake (envelopes, pagination, rate limits, scopes,
// request bodies) are in contract/, each with its Pipedrive page.

/** The demo CRM's /api router; `store` keeps the notes and activities it is given. */
export function demoCrmApi(config: Config, store: DemoCrmStore) {
  const api = express.Router();
  // 30,000 tokens × the plan multiplier (1) × the company's seats.
  const rateLimiter = createRateLimiter({ burstLimit: 80, searchBurstLimit: 10, dailyBudget: 30_000 * demoCrmUsers.length });
  api.use((request, response, next) => {
    const token = /^Bearer (.+)$/.exec(request.get("authorization") ?? "")?.[1];
    const grant = token ? verifyDemoCrmGrant(config.demoCrm.tokenKey, token, "access") : null;
    const user = grant && !isRevoked(store, grant) ? demoCrmUsers.find((candidate) => candidate.id === grant.userId) : undefined;
    if (!token || !user) return void sendApiError(response, 401, "unauthorized access");
    const verdict = rateLimiter.charge({ token, companyId: demoCrmCompany.id, method: request.method, path: request.path });
    response.set(verdict.headers);
    if (verdict.refused) {
      response.set("retry-after", String(verdict.refused.retryAfterSeconds));
      return void sendApiError(response, 429, verdict.refused.error);
    }
    // Every demo CRM token carries the demo app's scopes.
    if (!scopeAllows(demoCrmScope, request.method, request.path)) return void sendApiError(response, 403, scopeMismatch);
    response.locals.user = user;
    next();
  });
  const caller = (response: Response): DemoCrmUser => response.locals.user;

  api.get("/v1/users/me", (_request, response) => void response.json(success(presentMe(caller(response)))));
  api.get("/v1/users", (_request, response) => void response.json(success(presentUsers(caller(response)))));

  api.get("/v2/deals/:id", (request, response) => {
    const deal = findDeal(Number(request.params.id));
    if (!deal) return void sendApiError(response, 404, "Deal not found");
    response.json(success(presentDeal(deal)));
  });

  // "List permitted users" (v1 only): every demo deal and person is visible to the entire company,
  // so every demo user. https://developers.pipedrive.com/docs/api/v1/Deals#getDealUsers,
  // https://developers.pipedrive.com/docs/api/v1/Persons#getPersonUsers: `{success, data: [userId, …]}`.
  api.get("/v1/deals/:id/permittedUsers", (request, response) => {
    if (!findDeal(Number(request.params.id))) return void sendApiError(response, 404, "Deal not found");
    response.json(success(demoCrmUsers.map((user) => user.id)));
  });
  api.get("/v1/persons/:id/permittedUsers", (request, response) => {
    if (!findPerson(Number(request.params.id))) return void sendApiError(response, 404, "Person not found");
    response.json(success(demoCrmUsers.map((user) => user.id)));
  });

  api.get("/v2/persons/search", (request, response) => {
    const parsed = parsePersonSearch(request.query);
    if (!parsed.ok) return void response.status(400).json(parsed.error);
    const { term, fields, exact } = parsed.search;
    const page = cursorPage(
      demoCrmPersons.filter((person) => personMatches(person, term, fields, exact)),
      request.query,
    );
    if (!page.ok) return void response.status(400).json(page.error);
    response.json(success({ items: page.data.map(presentSearchItem) }, page.additionalData));
  });

  api.get("/v2/persons/:id", (request, response) => {
    const person = findPerson(Number(request.params.id));
    if (!person) return void sendApiError(response, 404, "Person not found");
    response.json(success(presentPerson(person)));
  });

  api.get("/v2/persons", (request, response) => {
    const dealId = request.query.deal_id === undefined ? null : Number(request.query.deal_id);
    if (dealId !== null && !findDeal(dealId)) return void sendApiError(response, 404, "Deal not found");
    const page = cursorPage(dealId === null ? demoCrmPersons : dealPersons(dealId), request.query);
    if (!page.ok) return void response.status(400).json(page.error);
    response.json(success(page.data.map(presentPerson), page.additionalData));
  });

  api.get("/v1/notes", (request, response) => {
    const wanted = (field: "deal_id" | "person_id", value: number | null) => request.query[field] === undefined || value === Number(request.query[field]);
    const page = offsetPage(
      store.notes.filter((note) => wanted("deal_id", note.dealId) && wanted("person_id", note.personId)),
      request.query,
    );
    if (!page.ok) return void sendApiError(response, 400, page.error.error);
    response.json(
      success(
        page.data.map((note) => presentNote(note, caller(response))),
        page.additionalData,
      ),
    );
  });

  api.post("/v1/notes", (request, response) => {
    const parsed = parseNoteWrite(request.body);
    if (!parsed.ok) return void response.status(400).json(parsed.error);
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
    response.status(201).json(success(presentNote(note, caller(response))));
  });

  api.put("/v1/notes/:id", (request, response) => {
    const note = store.notes.find((candidate) => candidate.id === Number(request.params.id));
    if (!note) return void sendApiError(response, 404, "Note not found");
    const parsed = parseNoteChange(request.body);
    if (!parsed.ok) return void response.status(400).json(parsed.error);
    const change = parsed.data;
    const links = { dealId: change.deal_id ?? note.dealId, personId: change.person_id ?? note.personId, orgId: change.org_id ?? note.orgId };
    const problem = missingTarget(links);
    if (problem) return void sendApiError(response, 400, problem);
    Object.assign(note, links, {
      content: change.content ?? note.content,
      pinnedToDeal: change.pinned_to_deal_flag === undefined ? note.pinnedToDeal : change.pinned_to_deal_flag === 1,
      updateTime: new Date(),
    });
    response.json(success(presentNote(note, caller(response))));
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
    response.json(success(presentActivity(activity)));
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
    response.json(success(presentActivity(activity)));
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
