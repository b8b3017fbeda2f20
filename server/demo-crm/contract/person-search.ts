import { z } from "zod";
import { badRequest, type PipedriveBadRequest } from "./activities";

// GET /api/v2/persons/search, https://developers.pipedrive.com/docs/api/v1/Persons#searchPersons
// (the v2 operation on the same page): `term` of at least 2 characters (1 with `exact_match`),
// `fields` a comma-separated subset of custom_fields, email, notes, phone, name (all when absent),
// `exact_match` a boolean; cursor pagination (pagination.ts). Shared by both imitations.

export const personSearchFields = ["custom_fields", "email", "notes", "phone", "name"] as const;
export type PersonSearchField = (typeof personSearchFields)[number];

const SearchQuery = z.looseObject({
  term: z.string(),
  fields: z.string().optional(),
  exact_match: z.enum(["true", "false"]).optional(),
});

export type PersonSearch = { term: string; fields: PersonSearchField[]; exact: boolean };

/** The search a query asks for, or Pipedrive's 400. */
export function parsePersonSearch(query: unknown): { ok: true; search: PersonSearch } | { ok: false; error: PipedriveBadRequest } {
  const parsed = SearchQuery.safeParse(query);
  if (!parsed.success) return { ok: false, error: badRequest(`Invalid '${parsed.error.issues[0]?.path.join(".")}'`) };
  const exact = parsed.data.exact_match === "true";
  if (parsed.data.term.length < (exact ? 1 : 2)) return { ok: false, error: badRequest("term must be at least 2 characters long") };
  const fields = (parsed.data.fields ?? personSearchFields.join(",")).split(",");
  const unknown = fields.find((field) => !(personSearchFields as readonly string[]).includes(field));
  if (unknown !== undefined) return { ok: false, error: badRequest(`Invalid 'fields': ${unknown}`) };
  return { ok: true, search: { term: parsed.data.term, fields: fields as PersonSearchField[], exact } };
}
