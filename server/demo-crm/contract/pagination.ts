import { z } from "zod";
import { badRequest, type PipedriveBadRequest } from "./activities";

// Pagination, https://pipedrive.readme.io/docs/core-api-concepts-pagination:
// - every v2 list endpoint pages by cursor: `cursor` (opaque) and `limit` (default 100, at most
//   500) in the query, `additional_data.next_cursor` in the answer, null on the last page;
// - the other v1 GET lists page by offset: `start` (default 0) and `limit` (default 100, at most
//   500), `additional_data.pagination: {start, limit, more_items_in_collection, next_start?}`.
// A limit over 500 or a cursor Pipedrive didn't issue is a 400 (inferred: the page gives the
// bounds, not the answer to a request outside them).

const maxLimit = 500;
const defaultLimit = 100;
const Limit = z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit);
const CursorQuery = z.looseObject({ cursor: z.string().min(1).optional(), limit: Limit });
const OffsetQuery = z.looseObject({ start: z.coerce.number().int().min(0).default(0), limit: Limit });

type Paged<T> = { ok: true; data: T[]; additionalData: Record<string, unknown> } | { ok: false; error: PipedriveBadRequest };

/** One page of `items` (in their stable order) for a v2 list request's query. */
export function cursorPage<T>(items: T[], query: unknown): Paged<T> {
  const parsed = CursorQuery.safeParse(query);
  if (!parsed.success) return { ok: false, error: badRequest(`Invalid '${parsed.error.issues[0]?.path.join(".")}': must be an integer from 1 to ${maxLimit}`) };
  const start = parsed.data.cursor === undefined ? 0 : decodeCursor(parsed.data.cursor);
  if (start === null) return { ok: false, error: badRequest("Invalid 'cursor'") };
  const end = start + parsed.data.limit;
  return { ok: true, data: items.slice(start, end), additionalData: { next_cursor: end < items.length ? encodeCursor(end) : null } };
}

/** One page of `items` for a v1 list request's query (`start`/`limit`). */
export function offsetPage<T>(items: T[], query: unknown): Paged<T> {
  const parsed = OffsetQuery.safeParse(query);
  if (!parsed.success) return { ok: false, error: badRequest(`Invalid '${parsed.error.issues[0]?.path.join(".")}'`) };
  const { start, limit } = parsed.data;
  const more = start + limit < items.length;
  return {
    ok: true,
    data: items.slice(start, start + limit),
    additionalData: { pagination: { start, limit, more_items_in_collection: more, ...(more ? { next_start: start + limit } : {}) } },
  };
}

const encodeCursor = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString("base64url");

function decodeCursor(cursor: string): number | null {
  try {
    const offset = (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { offset?: unknown }).offset;
    return typeof offset === "number" && Number.isSafeInteger(offset) && offset >= 0 ? offset : null;
  } catch {
    return null;
  }
}
