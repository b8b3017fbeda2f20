import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { withDatabase } from "../../support/global-setup";
import { callApi, freePort, runScript, type SpawnedServer, seedWorkspaceThroughApi, spawnServer, stopServer } from "../../support/spawned-server";

const encryptionKey = Buffer.alloc(32, 6).toString("base64");
const adminUrl = process.env.TEST_DATABASE_URL as string;

describe("npm run db:move-to-postgres", { timeout: 600_000 }, () => {
  const servers: SpawnedServer[] = [];
  let dataDir: string;
  let targetName: string;
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
  });
  afterAll(() => admin.end());
  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "sb-move-"));
    targetName = `switchboard_move_${randomBytes(6).toString("hex")}`;
    await admin.query(`create database ${targetName}`);
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
    await admin.query(`drop database if exists ${targetName} with (force)`);
  });

  it("copies a workspace made on the embedded default into an empty PostgreSQL database, which then serves it with its log intact", async () => {
    const targetUrl = withDatabase(adminUrl, targetName);
    const move = () => runScript("server/datadir/move-to-postgres-cli.ts", [targetUrl], dataDir, { ENCRYPTION_KEY: encryptionKey });
    const embeddedPort = await freePort();
    const embedded = spawnServer(dataDir, embeddedPort, { ENCRYPTION_KEY: encryptionKey });
    servers.push(embedded);
    expect(await embedded.outcome).toBe("listening");
    const before = await seedWorkspaceThroughApi(embeddedPort);
    // Past autovacuum's threshold for a new table (50 rows), so the move must leave it analyzed.
    const { token } = (await callApi(embeddedPort, "POST", "/sessions", { body: before.credentials })).body;
    const [account] = (await callApi(embeddedPort, "GET", "/whatsapp-accounts", { token })).body.data;
    for (let customer = 0; customer < 60; customer++) {
      const body = { from: `+44 20 7946 ${String(1000 + customer)}`, text: "Hello" };
      expect((await callApi(embeddedPort, "POST", `/whatsapp-accounts/${account.id}/sandbox/inbound`, { token, body })).status).toBe(201);
    }
    const chatsBefore = await callApi(embeddedPort, "GET", "/chats?limit=200", { token });
    const auditLogBefore = await callApi(embeddedPort, "GET", "/audit-log?limit=200", { token });

    const whileRunning = await move();
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.output).toContain(`in use by pid ${embedded.child.pid}`);
    expect(await stopServer(embedded)).toBe(0);

    const moved = await move();
    expect(moved.output).toContain(`DATABASE_URL=${targetUrl}`);
    expect(moved.output).toContain("the activity log verifies");
    expect(moved.code).toBe(0);
    // The server on PostgreSQL starts with plans for the rows it has, not for empty tables.
    const target = new pg.Client({ connectionString: targetUrl });
    await target.connect();
    const statistics = await target.query(
      "select reltuples::int as estimated, (select count(*) from chats)::int as actual from pg_class where relname = 'chats'",
    );
    await target.end();
    expect(statistics.rows).toEqual([{ estimated: 62, actual: 62 }]);

    const postgresPort = await freePort();
    const onPostgres = spawnServer(dataDir, postgresPort, { ENCRYPTION_KEY: encryptionKey, DATABASE_URL: targetUrl });
    servers.push(onPostgres);
    expect(await onPostgres.outcome).toBe("listening");
    expect(onPostgres.output()).toContain("database: postgres");
    const login = await callApi(postgresPort, "POST", "/sessions", { body: before.credentials });
    expect(login.status).toBe(201);
    expect(await callApi(postgresPort, "GET", "/chats?limit=200", { token: login.body.token })).toEqual(chatsBefore);
    const auditLog = await callApi(postgresPort, "GET", "/audit-log?limit=200", { token: login.body.token });
    expect(auditLog.body.data.slice(-auditLogBefore.body.data.length)).toEqual(auditLogBefore.body.data);
    expect(await stopServer(onPostgres)).toBe(0);

    // The target now holds data: a second move refuses rather than mix two workspaces' histories.
    const again = await move();
    expect(again.code).toBe(1);
    expect(again.output).toContain("is not empty");
  });
});
