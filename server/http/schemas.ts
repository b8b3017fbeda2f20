import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { invalidRequest } from "./problem";

export const Email = z
  .email()
  .max(254)
  .transform((email) => email.toLowerCase());
export const Password = z.string().min(10, "must be at least 10 characters").max(200);
export const PersonName = z.string().trim().min(1).max(100);
export const IdParam = z.object({ id: z.string().min(1).max(100) }).strict();

/** `?limit=` (default 50, max 200) and an opaque `?cursor=`. */
export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

/** Cursors are the last row's sort key, opaque to clients. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor(cursor: string | undefined, length: number): (string | number)[] | null {
  if (cursor === undefined) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(key) && key.length === length && key.every((part) => ["string", "number"].includes(typeof part))) {
      return key;
    }
  } catch {
    // fall through to the problem below
  }
  throw invalidRequest("The cursor is not valid.", [{ path: "cursor", message: "not a cursor from this list" }]);
}

/** Builds `{data, nextCursor}` from rows fetched with limit + 1. */
export function page<Row, Out>(rows: Row[], limit: number, key: (row: Row) => (string | number)[], present: (row: Row) => Out) {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return {
    data: data.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null,
  };
}

/** A timestamp column as the database's own text: keeps microseconds a JS Date would drop. */
export const timestampText = (column: AnyPgColumn) => sql<string>`${column}::text`;

/**
 * The keyset condition "after this (time, id)" for a list ordered by (time, id) in `direction`;
 * the cursor's time is database text, so no precision is lost between pages.
 */
export function afterKeyset(timeColumn: AnyPgColumn, idColumn: AnyPgColumn, after: (string | number)[] | null, direction: "asc" | "desc"): SQL | undefined {
  if (!after) return undefined;
  const [time, id] = [String(after[0]), String(after[1])];
  const beyond = direction === "asc" ? sql`>` : sql`<`;
  return sql`(${timeColumn}, ${idColumn}) ${beyond} (${time}::timestamptz, ${id})`;
}
