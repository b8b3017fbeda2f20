import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "../../../server/db/client";
import { EventHub, publish } from "../../../server/events/bus";
import { openTestDatabase } from "../../support/database";
import { eventually } from "../../support/sse";

// The bus's LISTEN session is a connection of its own (PostgreSQL only: *.postgres.test.ts). When
// PostgreSQL ends it (a restart, a failover, pg_terminate_backend) the process stops hearing events
// until it is back; whoever caches on the strength of events (the webhook routes) is told both ways.
describe("the bus's LISTEN connection, ended by PostgreSQL", () => {
  let database: DatabaseHandle;
  const hub = new EventHub();
  beforeAll(async () => {
    database = await openTestDatabase();
    await hub.start(database, database.databaseUrl);
  });
  afterAll(async () => {
    await hub.stop();
    await database?.close();
  });

  it("tells its listeners it was lost and is back, then delivers events again", async () => {
    const changes: boolean[] = [];
    hub.onConnectionChange((connected) => changes.push(connected));
    const heard: string[] = [];
    hub.subscribe((event) => {
      if (event.type === "access.changed") heard.push(event.workspaceId);
    });
    await database.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'LISTEN%'`,
    );
    await eventually(() => expect(changes).toEqual([false, true]), 15_000);
    await publish(database.db, { type: "access.changed", workspaceId: "ws_after_reconnect" });
    await eventually(() => expect(heard).toContain("ws_after_reconnect"), 5_000);
  });
});
