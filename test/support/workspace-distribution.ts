import { sql } from "drizzle-orm";
import type { Executor } from "../../server/db/client";

// The schema is ready to be distributed by workspace on Citus: every tenant table is sharded on
// `workspace_id`, so its primary key, unique keys and foreign keys must carry it — we lead with it,
// which also keeps each workspace's rows together in every index. Tables that cannot carry it are
// reference tables (copied to every node), named here with the reason; Citus lets a distributed
// table reference one, never the other way round. Read from the migrated database, not from
// schema.ts, so a hand-written migration is checked too.

/** Global tables: no workspace_id. They become Citus reference tables. */
export const globalTables = {
  workspaces: "the tenants themselves; the distributed tables reference them",
  users: "login identities shared by the workspaces a person belongs to",
  security_events: "refusals that belong to no workspace",
  attempt_budgets: "the login limits' counters, per email or address across workspaces",
  password_resets: "a reset belongs to a user, not to a workspace",
  pipedrive_oauth_nonces: "an OAuth round trip before any workspace is known",
  pipedrive_app_shares: "who shared the Pipedrive app in a company, before any workspace",
  pipedrive_unclaimed_installations: "a Marketplace install no workspace has claimed yet",
} as const;

/**
 * Tables with a workspace_id that are looked up by a vendor's id before the workspace is known,
 * so their key is that id, unique across workspaces: reference tables too.
 */
export const routingTables = {
  whatsapp_routes: "Meta's phone_number_id → workspace, for an incoming webhook",
  pipedrive_company_routes: "a Pipedrive company → workspace",
  pipedrive_installation_routes: "a Pipedrive installation (company, user) → the one workspace holding it",
  hubspot_installations: "a HubSpot portal (hub_id) → workspace",
  outgoing_mail: "the mail queue; a password reset's mail has no workspace",
} as const;

type Key = {
  table: string;
  name: string;
  kind: "primary key" | "unique" | "foreign key";
  columns: string[];
  references?: { table: string; columns: string[] };
};

async function rows<T>(db: Executor, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** The public schema's tables, each with whether it has workspace_id and whether it is NOT NULL. */
export async function readTables(db: Executor) {
  return rows<{ table: string; workspace_id: "NO" | "YES" | null }>(
    db,
    sql`select t.table_name as "table", c.is_nullable as workspace_id
        from information_schema.tables t
        left join information_schema.columns c
          on c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'workspace_id'
        where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
        order by 1`,
  );
}

/** Primary keys, unique constraints, foreign keys and unique indexes (expression columns as null). */
async function readKeys(db: Executor): Promise<Key[]> {
  const constraints = await rows<{
    table: string;
    name: string;
    type: "p" | "u" | "f";
    columns: string[];
    ref_table: string | null;
    ref_columns: string[] | null;
  }>(
    db,
    sql`select c.conrelid::regclass::text as "table", c.conname::text as name, c.contype::text as type,
          array(select a.attname::text from unnest(c.conkey) with ordinality k(num, pos)
                join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.num order by k.pos) as columns,
          case when c.contype = 'f' then c.confrelid::regclass::text end as ref_table,
          case when c.contype = 'f' then array(select a.attname::text from unnest(c.confkey) with ordinality k(num, pos)
                join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.num order by k.pos) end as ref_columns
        from pg_constraint c
        where c.connamespace = 'public'::regnamespace and c.contype in ('p', 'u', 'f')`,
  );
  // Unique indexes made with CREATE UNIQUE INDEX have no constraint; those behind one are skipped.
  const indexes = await rows<{ table: string; name: string; columns: (string | null)[] }>(
    db,
    sql`select i.indrelid::regclass::text as "table", i.indexrelid::regclass::text as name,
          array(select a.attname::text from unnest(i.indkey::int2[]) with ordinality k(num, pos)
                left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.num order by k.pos) as columns
        from pg_index i join pg_class t on t.oid = i.indrelid
        where t.relnamespace = 'public'::regnamespace and i.indisunique
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u'))`,
  );
  const kinds = { p: "primary key", u: "unique", f: "foreign key" } as const;
  return [
    ...constraints.map((c) => ({
      table: c.table,
      name: c.name,
      kind: kinds[c.type],
      columns: c.columns,
      ...(c.ref_table ? { references: { table: c.ref_table, columns: c.ref_columns ?? [] } } : {}),
    })),
    ...indexes.map((i) => ({ table: i.table, name: i.name, kind: "unique" as const, columns: i.columns.map((c) => c ?? "(expression)") })),
  ];
}

/** Every way a table breaks the rule, one line each, for a readable failure. */
function findViolations(tables: Awaited<ReturnType<typeof readTables>>, keys: Key[]) {
  const referenceTables = new Set<string>([...Object.keys(globalTables), ...Object.keys(routingTables)]);
  const distributed = new Set(tables.filter((t) => t.workspace_id && !referenceTables.has(t.table)).map((t) => t.table));
  const byTable = new Map<string, string[]>();
  const report = (table: string, problem: string) => byTable.set(table, [...(byTable.get(table) ?? []), problem]);

  for (const t of tables) {
    if (!t.workspace_id && !(t.table in globalTables)) report(t.table, "has no workspace_id and is not a named global table");
    if (t.workspace_id === "YES" && distributed.has(t.table)) report(t.table, "workspace_id is nullable");
  }
  for (const key of keys) {
    if (distributed.has(key.table)) {
      if (!key.references && !key.columns.includes("workspace_id")) {
        report(key.table, `${key.kind} ${key.name} (${key.columns}) lacks workspace_id`);
      } else if (!key.references && key.columns[0] !== "workspace_id") {
        report(key.table, `${key.kind} ${key.name} (${key.columns}) does not lead with workspace_id`);
      }
      // A distributed table may reference a reference table by any column; another distributed
      // table only co-located, through (workspace_id, …) on both sides.
      if (key.references && distributed.has(key.references.table) && (key.columns[0] !== "workspace_id" || key.references.columns[0] !== "workspace_id")) {
        report(
          key.table,
          `foreign key ${key.name} (${key.columns}) → ${key.references.table} (${key.references.columns}) does not lead with workspace_id on both sides`,
        );
      }
    } else if (key.references && distributed.has(key.references.table)) {
      report(key.table, `reference table's foreign key ${key.name} → ${key.references.table}, a distributed table`);
    }
  }
  return byTable;
}

/**
 * Reads the migrated schema and answers every way a table breaks the rule, by table (empty when
 * it holds), with how many tables would be distributed and how many are reference tables. Used by
 * test/server/db/workspace-distribution.test.ts and by the benchmark's Targets table.
 */
export async function checkWorkspaceDistribution(db: Executor) {
  const tables = await readTables(db);
  const violations = Object.fromEntries(findViolations(tables, await readKeys(db)));
  const reference = Object.keys(globalTables).length + Object.keys(routingTables).length;
  return { tables: tables.length, reference, distributed: tables.length - reference, violations };
}
