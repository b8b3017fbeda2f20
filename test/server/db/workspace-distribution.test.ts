import type { DatabaseHandle } from "../../../server/db/client";
import { openTestDatabase } from "../../support/database";
import { checkWorkspaceDistribution, globalTables, readTables, routingTables } from "../../support/workspace-distribution";

// The rule and its reasons are in test/support/workspace-distribution.ts (the benchmark checks it too).

describe("the schema is ready to distribute by workspace_id (Citus)", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("leads every tenant table's primary key, unique keys and foreign keys with workspace_id; the rest are named reference tables", async () => {
    const { violations } = await checkWorkspaceDistribution(handle.db);
    expect(violations).toEqual({});
  });

  it("names only tables that exist, each once", async () => {
    const tables = new Set((await readTables(handle.db)).map((t) => t.table));
    const named = [...Object.keys(globalTables), ...Object.keys(routingTables)];
    expect(named.filter((table) => !tables.has(table))).toEqual([]);
    expect(new Set(named).size).toBe(named.length);
  });
});
