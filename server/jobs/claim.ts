import { type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Executor } from "../db/client";

/** The one claiming statement every queue uses; `candidate` is the alias `where` and `orderBy` refer to. */
export type ClaimStatement = {
  table: PgTable;
  /** The table's primary key columns. */
  key: PgColumn[];
  /** Which rows may be claimed, over `candidate`. */
  where: SQL;
  orderBy: SQL;
  limit: number;
  /** What claiming writes (a lease, a status, an attempt counted). */
  set: Record<string, SQL>;
};

/**
 * Claims up to `limit` rows in one committed statement: SELECT … FOR UPDATE SKIP LOCKED, so any
 * number of processes claim at once without waiting on or taking each other's rows, and the
 * update makes the claim outlive the statement (the work then runs outside any transaction).
 * The same SQL on PGlite and PostgreSQL. Answers the claimed rows, as Drizzle maps them.
 */
export async function claimRows<Row>(db: Executor, statement: ClaimStatement): Promise<Row[]> {
  const key = sql.join(
    statement.key.map((column) => sql.identifier(column.name)),
    sql`, `,
  );
  const candidateKey = sql.join(
    statement.key.map((column) => sql`candidate.${sql.identifier(column.name)}`),
    sql`, `,
  );
  const rows = await db
    .update(statement.table)
    .set(statement.set as never)
    .where(
      sql`(${key}) in (
        select ${candidateKey} from ${statement.table} as candidate
        where ${statement.where}
        order by ${statement.orderBy}
        limit ${statement.limit}
        for update of candidate skip locked)`,
    )
    .returning();
  return rows as Row[];
}
