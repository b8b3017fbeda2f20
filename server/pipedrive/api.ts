import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { Person } from "pipedrive/v2";
import { type CountryCode, normalizePhone } from "../whatsapp/phone";
import type { PipedriveClient } from "./client";
import { PipedriveError } from "./errors";

// What the panel reads (pipedrive.md §6): deals, persons and person search, all on API v2;
// crm-log.ts has the writes. Every call goes through client.run, so a 429 surfaces as
// PipedriveRateLimited with `retryAfterMs` for the caller's job queue to honour.

export type PanelPhone = { raw: string; e164: string | null; label: string | null; primary: boolean };
export type PanelPerson = { id: number; name: string; orgId: number | null; phones: PanelPhone[]; emails: string[] };
export type PanelDeal = {
  id: number;
  title: string;
  status: string;
  value: number | null;
  currency: string | null;
  personId: number | null;
  orgId: number | null;
  ownerId: number | null;
};
export type PersonMatch = { id: number; name: string; orgName: string | null; phones: PanelPhone[]; score: number };
/** Numbers typed without a country code are read as this region's. */
export type PhoneOptions = { defaultRegion?: CountryCode };

/** Pages of a deal's persons read at most (100 each): a deal with more shows the first 1,000. */
const maxDealPersonPages = 10;

/** The deal and the persons linked to it (its contact person first), phones in E.164. */
export async function getDealWithPersons(
  client: PipedriveClient,
  dealId: number,
  options: PhoneOptions = {},
): Promise<{ deal: PanelDeal; persons: PanelPerson[] }> {
  const deal = required((await client.run((apis) => apis.deals.getDeal({ id: dealId }))).data, "deal");
  const persons: PanelPerson[] = [];
  // v2 lists page by cursor (https://pipedrive.readme.io/docs/core-api-concepts-pagination): follow
  // next_cursor, up to a bound no real deal reaches.
  let cursor: string | undefined;
  for (let page = 0; page < maxDealPersonPages; page++) {
    const answer = await client.run((apis) => apis.persons.getPersons({ deal_id: dealId, ...(cursor ? { cursor } : {}) }));
    persons.push(...(answer.data ?? []).map((person) => panelPerson(person, options)));
    cursor = answer.additional_data?.next_cursor ?? undefined;
    if (!cursor) break;
  }
  const contactId = deal.person_id ?? null;
  persons.sort((left, right) => Number(right.id === contactId) - Number(left.id === contactId));
  return {
    deal: {
      id: required(deal.id, "deal id"),
      title: deal.title ?? "",
      status: deal.status ?? "open",
      value: deal.value ?? null,
      currency: deal.currency ?? null,
      personId: contactId,
      orgId: deal.org_id ?? null,
      ownerId: deal.owner_id ?? null,
    },
    persons,
  };
}

/** One person with their phone numbers normalized to E.164 (null where a number can't be read). */
export async function getPersonWithPhones(client: PipedriveClient, personId: number, options: PhoneOptions = {}): Promise<PanelPerson> {
  const person = required((await client.run((apis) => apis.persons.getPerson({ id: personId }))).data, "person");
  return panelPerson(person, options);
}

/**
 * The Pipedrive users who may see this deal or person: "List permitted users", API v1 only
 * (https://developers.pipedrive.com/docs/api/v1/Deals#getDealUsers,
 * https://developers.pipedrive.com/docs/api/v1/Persons#getPersonUsers), `data: [userId, …]`.
 */
export async function permittedUserIds(client: PipedriveClient, record: { resource: "deal" | "person"; id: number }): Promise<number[]> {
  const response = await client.run((apis) =>
    record.resource === "deal" ? apis.dealsV1.getDealUsers({ id: record.id }) : apis.personsV1.getPersonUsers({ id: record.id }),
  );
  // The SDK types the deal's answer as a bare {success}; Pipedrive sends the same `data` for both.
  const data: unknown = (response as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new PipedriveError("unexpected_response", "Pipedrive's permitted users answer has no data");
  return data.filter((id): id is number => typeof id === "number");
}

/** Pipedrive's person search (40 tokens a call: cache results rather than search on every open). */
export async function searchPersons(
  client: PipedriveClient,
  term: string,
  search: { fields?: "phone" | "name" | "email"; exactMatch?: boolean; limit?: number; cursor?: string } & PhoneOptions = {},
): Promise<PersonMatch[]> {
  return (await searchPersonsPage(client, term, search)).matches;
}

/** One page of a person search and the cursor of the next (null on the last page). */
async function searchPersonsPage(
  client: PipedriveClient,
  term: string,
  search: { fields?: "phone" | "name" | "email"; exactMatch?: boolean; limit?: number; cursor?: string } & PhoneOptions,
): Promise<{ matches: PersonMatch[]; nextCursor: string | null }> {
  const response = await client.run((apis) =>
    apis.persons.searchPersons({
      term,
      fields: search.fields,
      exact_match: search.exactMatch,
      limit: search.limit,
      ...(search.cursor ? { cursor: search.cursor } : {}),
    }),
  );
  const matches = (response.data?.items ?? []).flatMap(({ item, result_score }) =>
    typeof item?.id === "number"
      ? [
          {
            id: item.id,
            name: item.name ?? "",
            orgName: item.organization?.name ?? null,
            phones: (item.phones ?? []).map((raw) => panelPhone(raw, null, false, search)),
            score: result_score ?? 0,
          },
        ]
      : [],
  );
  return { matches, nextCursor: response.additional_data?.next_cursor ?? null };
}

/** Pages of a phone search read at most (100 each, 40 tokens each): a number shared by more than 500 people is not one customer. */
const maxPhoneSearchPages = 5;

/**
 * Persons with this WhatsApp number. Stored numbers are free text ("555-555-0172", "+1 555…"),
 * so the search runs on the national digits and the results are kept only when one of their
 * numbers normalizes to the same E.164.
 */
export async function findPersonsByPhone(client: PipedriveClient, e164: string, options: PhoneOptions = {}): Promise<PersonMatch[]> {
  const wanted = normalizePhone(e164);
  if (!wanted) throw new RangeError(`Not a phone number: ${e164}`);
  // The national number is a substring of every way it is commonly written ("020 7946 0958").
  const nationalNumber = parsePhoneNumberFromString(wanted)?.nationalNumber ?? wanted;
  // The search pages by cursor like every v2 list (https://pipedrive.readme.io/docs/core-api-concepts-pagination).
  const matches: PersonMatch[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPhoneSearchPages; page++) {
    const answer = await searchPersonsPage(client, nationalNumber, { fields: "phone", ...options, ...(cursor ? { cursor } : {}) });
    matches.push(...answer.matches);
    cursor = answer.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return matches.filter((match) => match.phones.some((phone) => phone.e164 === wanted));
}

function panelPerson(person: Person, options: PhoneOptions): PanelPerson {
  return {
    id: required(person.id, "person id"),
    name: person.name ?? "",
    orgId: person.org_id ?? null,
    phones: (person.phones ?? []).flatMap((phone) => (phone.value ? [panelPhone(phone.value, phone.label ?? null, phone.primary ?? false, options)] : [])),
    emails: (person.emails ?? []).flatMap((email) => (email.value ? [email.value] : [])),
  };
}

function panelPhone(raw: string, label: string | null, primary: boolean, options: PhoneOptions): PanelPhone {
  return { raw, e164: normalizePhone(raw, options), label, primary };
}

/** A field Pipedrive's 2xx answer must carry; missing means the response was not what we asked for. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new PipedriveError("unexpected_response", `Pipedrive's answer has no ${what}`);
  return value;
}
