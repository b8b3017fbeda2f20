import { PGlite } from "@electric-sql/pglite";
import { analyzeStaleTables, vacuumTables } from "../../server/datadir/maintenance";
import { connectSandbox, createTemplate, launch, recipients } from "../server/campaigns/support";
import { startTestServer, type TestServer } from "../support/server";

// PGlite has no autovacuum: without this pass, a table that grows after start keeps the plans
// made for its size at start.
describe("statistics maintenance on the embedded database", { timeout: 180_000 }, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const analyzeCount = async (table: string) => {
    const pglite = server.database.pglite as NonNullable<typeof server.database.pglite>;
    await pglite.query("select pg_stat_force_next_flush()");
    const { rows } = await pglite.query<{ count: number }>("select analyze_count::int as count from pg_stat_user_tables where relname = $1", [table]);
    return rows[0]?.count ?? 0;
  };

  it("a chats table grown through the API past 50 + 10% of its rows gets analyzed; one that did not grow is left alone", async () => {
    const owner = await server.api("POST", "/signup", {
      body: { workspaceName: "Acme", name: "Ada Owner", email: "ada@acme.test", password: "a long enough passphrase" },
    });
    const token = owner.body.token as string;
    const account = await server.api("POST", "/whatsapp-accounts", { token, body: { provider: "sandbox", phoneNumber: "+1 555 010 2000" } });
    const pglite = server.database.pglite as NonNullable<typeof server.database.pglite>;
    await analyzeStaleTables(pglite);
    const before = await analyzeCount("chats");

    for (let customer = 0; customer < 70; customer++) {
      const from = `+44 20 7946 ${String(1000 + customer)}`;
      const inbound = await server.api("POST", `/whatsapp-accounts/${account.body.account.id}/sandbox/inbound`, { token, body: { from, text: "Hello" } });
      expect(inbound.status).toBe(201);
    }
    const analyzed = await analyzeStaleTables(pglite);
    expect(analyzed).toContain("chats");
    expect(analyzed).not.toContain("invitations");
    expect(await analyzeCount("chats")).toBe(before + 1);
    expect(await analyzeStaleTables(pglite)).not.toContain("chats");
  });
});

// The bulk writes do not wait for the timer's next check: each applies the rule once it commits.
describe("statistics right after a bulk write on the embedded database", { timeout: 180_000 }, () => {
  const statisticsOf = async (server: TestServer, table: string) => {
    const pglite = server.database.pglite as NonNullable<typeof server.database.pglite>;
    const { rows } = await pglite.query<{ estimated: number; actual: number }>(
      `select (select reltuples from pg_class where oid = $1::regclass)::int as estimated, (select count(*) from "${table}")::int as actual`,
      [table],
    );
    return rows[0] as { estimated: number; actual: number };
  };

  it("a launched campaign's recipients are counted in the queue table's statistics when the launch answers", async () => {
    const server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
    try {
      const owner = await server.api("POST", "/signup", {
        body: { workspaceName: "Acme", name: "Ada Owner", email: "ada@acme.test", password: "a long enough passphrase" },
      });
      const token = owner.body.token as string;
      const accountId = await connectSandbox(server, token, "+1 555 010 2000");
      const templateId = await createTemplate(server, token);
      const launched = await launch(server, token, { accountId, templateId, recipients: recipients(300) });
      expect(launched.status).toBe(202);
      expect(await statisticsOf(server, "campaign_recipients")).toEqual({ estimated: 300, actual: 300 });
    } finally {
      await server.close();
    }
  });
});

// PGlite runs statements on the thread that serves requests: a pass must let them in between tables.
describe("a maintenance pass on the embedded database yields to requests between tables", { timeout: 120_000 }, () => {
  it.each([
    ["vacuumTables", (pglite: PGlite) => vacuumTables(pglite)],
    ["analyzeStaleTables", async (pglite: PGlite) => analyzeStaleTables(pglite)],
  ])("%s: work queued when the pass starts runs before the pass ends", async (_name, pass) => {
    const pglite = await PGlite.create();
    try {
      for (const table of ["a", "b", "c"]) await pglite.exec(`create table ${table} (id int); insert into ${table} select generate_series(1, 100)`);
      let passEnded = false;
      const running = pass(pglite).then(() => {
        passEnded = true;
      });
      // As a request read from a socket would be: the event loop's next turn.
      const endedBeforeTheRequest = await new Promise<boolean>((resolve) => setImmediate(() => resolve(passEnded)));
      await running;
      expect(endedBeforeTheRequest).toBe(false);
    } finally {
      await pglite.close();
    }
  });
});
