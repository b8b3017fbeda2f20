import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { verifyAuditChains } from "../audit/verify";
import { openDatabase } from "../db/client";
import { analyzeStaleTables } from "./maintenance";

export type MovedTable = { table: string; rows: number };

export class MoveRefused extends Error {}

/** Rows per INSERT: large enough to be quick, small enough for any message size limit. */
const batchSize = 500;

const tablesQuery = "select tablename as name from pg_tables where schemaname = 'public' order by tablename";

/**
 * Copies every table of the embedded database into an empty PostgreSQL database: migrates it to
 * the same schema, copies rows parents first in one transaction (so a failure leaves it empty),
 * then checks every table's row count and content checksum against the source and verifies the
 * activity log's hash chain there with `auditChainKey`. Throws MoveRefused for a database that is
 * not empty and for any difference.
 */
export async function moveToPostgres(source: PGlite, targetUrl: string, auditChainKey: Buffer): Promise<MovedTable[]> {
  await refuseUnlessEmpty(targetUrl);
  const migrated = await openDatabase({ databaseUrl: targetUrl, poolSize: 1 });
  await migrated.close();

  const target = new pg.Client({ connectionString: targetUrl });
  await target.connect();
  const moved: MovedTable[] = [];
  try {
    // Rendered timestamps (the checksums) must not depend on either server's time zone.
    await source.exec("set timezone = 'UTC'");
    const sourceTables = (await source.query<{ name: string }>(tablesQuery)).rows.map((row) => row.name);
    const targetTables = (await target.query<{ name: string }>(tablesQuery)).rows.map((row) => row.name);
    if (sourceTables.join() !== targetTables.join()) {
      throw new MoveRefused(`the schemas differ after migrating: embedded has ${sourceTables.join(", ")}; PostgreSQL has ${targetTables.join(", ")}`);
    }
    const order = parentsFirst(targetTables, (await target.query<{ child: string; parent: string }>(foreignKeysQuery)).rows);
    await target.query("begin");
    // Local to the transaction that copies and checksums: a session setting would stay behind on
    // whichever server connection a transaction-mode pooler (pgbouncer) gave the statement.
    await target.query("set local timezone = 'UTC'");
    for (const table of order) {
      const { rows } = await source.query<{ row: string }>(`select row_to_json(t)::text as row from ${quoted(table)} t`);
      for (let start = 0; start < rows.length; start += batchSize) {
        const batch = `[${rows
          .slice(start, start + batchSize)
          .map((entry) => entry.row)
          .join(",")}]`;
        await target.query(`insert into ${quoted(table)} select * from json_populate_recordset(null::${quoted(table)}, $1::json)`, [batch]);
      }
      moved.push({ table, rows: rows.length });
    }
    await copySequences(source, target);
    for (const { table, rows } of moved) {
      const [here, there] = await Promise.all([checksum(source, table), checksum(target, table)]);
      if (here.count !== rows || there.count !== rows || here.digest !== there.digest) {
        throw new MoveRefused(`${table}: ${rows} rows read, ${there.count} written, content ${here.digest === there.digest ? "identical" : "differs"}`);
      }
    }
    await target.query("commit");
    // On the session that wrote, whose counts are not flushed yet: the server then starts with
    // plans for the rows it has rather than for empty tables, before autovacuum's first round.
    await analyzeStaleTables(target);
  } catch (error) {
    await target.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    await target.end();
  }

  const copy = await openDatabase({ databaseUrl: targetUrl, poolSize: 1 });
  try {
    const problems = await verifyAuditChains(copy.db, auditChainKey);
    if (problems.length > 0) {
      const first = problems[0];
      throw new MoveRefused(
        `the activity log does not verify on PostgreSQL (${problems.length} problem(s); first: workspace ${first?.workspaceId} entry ${first?.seq}: ${first?.problem})`,
      );
    }
  } finally {
    await copy.close();
  }
  return moved;
}

async function refuseUnlessEmpty(targetUrl: string) {
  const client = new pg.Client({ connectionString: targetUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "select schemaname || '.' || tablename as name from pg_tables where schemaname not in ('pg_catalog', 'information_schema') order by 1",
    );
    if (rows.length > 0) {
      const names = rows.slice(0, 5).map((row) => row.name);
      throw new MoveRefused(
        `the PostgreSQL database is not empty (${rows.length} table(s): ${names.join(", ")}${rows.length > 5 ? ", …" : ""}): give it an empty database`,
      );
    }
  } finally {
    await client.end();
  }
}

const foreignKeysQuery = `
  select child.relname as child, parent.relname as parent
  from pg_constraint c
  join pg_class child on child.oid = c.conrelid
  join pg_class parent on parent.oid = c.confrelid
  join pg_namespace n on n.oid = child.relnamespace
  where c.contype = 'f' and n.nspname = 'public'`;

/** Tables ordered so every table comes after the tables its foreign keys point to. */
export function parentsFirst(tables: string[], references: { child: string; parent: string }[]): string[] {
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (placed.has(table)) return;
    if (visiting.has(table)) throw new MoveRefused(`foreign keys form a cycle through ${table}: cannot order the copy`);
    visiting.add(table);
    for (const { parent } of references.filter((reference) => reference.child === table && reference.parent !== table)) visit(parent);
    if (references.some((reference) => reference.child === table && reference.parent === table)) {
      throw new MoveRefused(`${table} references itself: its rows would need ordering the copy does not do`);
    }
    visiting.delete(table);
    placed.add(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

/** Sequences (none today: ids are generated by the app) continue where the embedded ones stopped. */
async function copySequences(source: PGlite, target: pg.Client) {
  const { rows } = await source.query<{ name: string; value: string }>(
    "select quote_ident(schemaname) || '.' || quote_ident(sequencename) as name, last_value::text as value from pg_sequences where schemaname = 'public' and last_value is not null",
  );
  for (const { name, value } of rows) await target.query("select setval($1::regclass, $2::bigint, true)", [name, value]);
}

type Queryable = { query<T>(text: string): Promise<{ rows: T[] }> };

/** A table's row count and an md5 of all its rows' JSON, in a collation-independent order. */
async function checksum(database: Queryable, table: string) {
  const { rows } = await database.query<{ count: number; digest: string | null }>(
    `select count(*)::int as count, md5(coalesce(string_agg(row_to_json(t)::text, E'\\n' order by row_to_json(t)::text collate "C"), '')) as digest from ${quoted(table)} t`,
  );
  return rows[0] ?? { count: -1, digest: null };
}

const quoted = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
