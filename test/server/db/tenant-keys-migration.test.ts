import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { type Database, pgliteExtensions } from "../../../server/db/client";
import * as schema from "../../../server/db/schema";
import { findHubspotUserLink } from "../../../server/hubspot/user-links";
import { loadIndividualConnection, loadWorkspaceConnection } from "../../../server/pipedrive/connections";
import { openPipedriveTokens, sealPipedriveTokens } from "../../../server/pipedrive/token-storage";

// Migration 0031 makes every tenant table's keys lead with workspace_id (Citus co-location,
// workspace-distribution.test.ts). Rows written before it keep working after it: Pipedrive
// installations get their route (or, linked to no workspace, become unclaimed Marketplace
// installs), and HubSpot links and logs keep their rows under the reordered keys. The old rows
// are written in the old schema's SQL, since no code writes that schema any more.

const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../server/db/migrations");
const key = Buffer.alloc(32, 7);
const tokens = (accessToken: string) =>
  sealPipedriveTokens(key, {
    accessToken,
    refreshToken: `${accessToken}-refresh`,
    scope: "base",
    apiDomain: "https://acme.pipedrive.com",
    expiresAt: new Date("2027-01-01T00:00:00Z"),
  });

/** The migrations folder as it was before `firstNew` (its journal cut there). */
function migrationsBefore(firstNew: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), "sb-migrations-"));
  cpSync(migrations, folder, { recursive: true });
  const journalPath = path.join(folder, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((entry) => entry.tag.startsWith(firstNew));
  if (cut < 0) throw new Error(`No migration ${firstNew}`);
  journal.entries = journal.entries.slice(0, cut);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

async function rows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

describe("migrating tenant keys to lead with workspace_id (0031)", () => {
  let pglite: PGlite;
  let db: Database;
  let old: string;

  beforeAll(async () => {
    pglite = await PGlite.create({ extensions: pgliteExtensions });
    db = drizzle(pglite, { schema }) as unknown as Database;
    old = migrationsBefore("0031_");
    await migrate(db as never, { migrationsFolder: old });
    await db.execute(sql`insert into workspaces (id, name, join_code) values ('ws_1', 'Acme', 'join-1'), ('ws_2', 'Other', 'join-2')`);
    await db.execute(sql`insert into users (id, email, name, password_hash) values ('usr_a', 'a@x', 'Ada', 'x'), ('usr_g', 'g@x', 'Grace', 'x')`);
    await db.execute(
      sql`insert into members (workspace_id, id, user_id, role_id) values ('ws_1', 'mem_admin', 'usr_a', 'admin'), ('ws_1', 'mem_agent', 'usr_g', 'agent'), ('ws_2', 'mem_other', 'usr_a', 'owner')`,
    );
    // Pipedrive: the installation serving ws_1, a member's own one, and a Marketplace install nobody claimed yet.
    await db.execute(sql`insert into pipedrive_connections (workspace_id, company_id, company_domain, pipedrive_user_id, connected_by)
      values ('ws_1', 67890, 'acme', 12345, 'mem_admin')`);
    await db.execute(sql`insert into pipedrive_company_routes (company_id, workspace_id) values (67890, 'ws_1')`);
    for (const [companyId, userId, workspaceId, memberId, name] of [
      [67890, 12345, "ws_1", null, "Ada Lovelace"],
      [67890, 22222, "ws_1", "mem_agent", "Grace Hopper"],
      [55555, 33333, null, null, "Alan Turing"],
    ] as const) {
      const sealed = tokens(`access-${userId}`);
      await db.execute(sql`insert into pipedrive_installations (company_id, pipedrive_user_id, workspace_id, member_id, name,
          access_token_encrypted, refresh_token_encrypted, scope, api_domain, expires_at)
        values (${companyId}, ${userId}, ${workspaceId}, ${memberId}, ${name}, ${sealed.accessTokenEncrypted}, ${sealed.refreshTokenEncrypted}, 'base', ${sealed.apiDomain}, ${sealed.expiresAt})`);
    }
    // HubSpot: ws_1's portal, a user link, and a logged message and transcript part.
    await db.execute(
      sql`insert into hubspot_installations (hub_id, workspace_id, connected_by, hubspot_user_id, scopes) values (777, 'ws_1', 'mem_admin', 1, 'crm')`,
    );
    await db.execute(sql`insert into hubspot_user_links (hub_id, hubspot_user_id, workspace_id, member_id) values (777, 42, 'ws_1', 'mem_agent')`);
    await db.execute(
      sql`insert into whatsapp_accounts (workspace_id, id, provider, phone_number, display_name, connected_by) values ('ws_1', 'acc_1', 'sandbox', '+15550000001', 'Sales', 'mem_admin')`,
    );
    await db.execute(sql`insert into contacts (workspace_id, id, phone) values ('ws_1', 'con_1', '+15550000002')`);
    await db.execute(sql`insert into chats (workspace_id, id, account_id, contact_id) values ('ws_1', 'cht_1', 'acc_1', 'con_1')`);
    await db.execute(sql`insert into hubspot_log_entries (hub_id, workspace_id, chat_id, day, part, communication_id, contact_id)
      values (777, 'ws_1', 'cht_1', '2026-12-01', 1, 'comm_1', 'hs_contact')`);
    await db.execute(sql`insert into hubspot_message_logs (hub_id, workspace_id, message_id, chat_id, communication_id, contact_id)
      values (777, 'ws_1', 'msg_1', 'cht_1', 'comm_2', 'hs_contact')`);

    await migrate(db as never, { migrationsFolder: migrations });
  });

  afterAll(async () => {
    await pglite?.close();
    if (old) rmSync(old, { recursive: true, force: true });
  });

  it("keeps the workspace's and the member's Pipedrive installations, each routed to its workspace", async () => {
    const connection = await loadWorkspaceConnection(db, "ws_1");
    expect(connection).toMatchObject({ status: "connected", installation: { workspaceId: "ws_1", pipedriveUserId: 12345, name: "Ada Lovelace" } });
    expect(openPipedriveTokens(key, connection?.installation as NonNullable<typeof connection>["installation"] & object).accessToken).toBe("access-12345");
    const own = await loadIndividualConnection(db, "ws_1", "mem_agent");
    expect(own).toMatchObject({ companyId: 67890, pipedriveUserId: 22222, name: "Grace Hopper" });
    expect(
      await rows(
        db,
        sql`select company_id::int as "companyId", pipedrive_user_id::int as "userId", workspace_id as "workspaceId" from pipedrive_installation_routes order by 2`,
      ),
    ).toEqual([
      { companyId: 67890, userId: 12345, workspaceId: "ws_1" },
      { companyId: 67890, userId: 22222, workspaceId: "ws_1" },
    ]);
  });

  it("moves the install linked to no workspace to the unclaimed ones, tokens and all", async () => {
    const [unclaimed] = await db.select().from(schema.pipedriveUnclaimedInstallations);
    expect(unclaimed).toMatchObject({ companyId: 55555, pipedriveUserId: 33333, name: "Alan Turing", status: "connected" });
    expect(openPipedriveTokens(key, unclaimed as NonNullable<typeof unclaimed>).accessToken).toBe("access-33333");
    expect(await rows(db, sql`select 1 from pipedrive_installations where company_id = 55555`)).toEqual([]);
  });

  it("keeps HubSpot's user link, transcript part and message log", async () => {
    expect(await findHubspotUserLink(db, 777, 42)).toMatchObject({ workspaceId: "ws_1", memberId: "mem_agent" });
    expect(
      await rows(db, sql`select communication_id as id from hubspot_log_entries union all select communication_id from hubspot_message_logs order by 1`),
    ).toEqual([{ id: "comm_1" }, { id: "comm_2" }]);
  });

  it("still holds the global uniqueness: one Pipedrive installation in one workspace, one HubSpot user linked once", async () => {
    const sealed = tokens("access-again");
    // The (company, user) installation is ws_1's: ws_2 cannot hold it too (its route is ws_1's).
    await expect(
      db.execute(sql`insert into pipedrive_installations (workspace_id, company_id, pipedrive_user_id, name,
          access_token_encrypted, refresh_token_encrypted, scope, api_domain, expires_at)
        values ('ws_2', 67890, 22222, 'Grace', ${sealed.accessTokenEncrypted}, ${sealed.refreshTokenEncrypted}, 'base', ${sealed.apiDomain}, ${sealed.expiresAt})`),
    ).rejects.toMatchObject({ cause: { constraint: "pipedrive_installations_route_fk" } });
    await expect(
      db.execute(sql`insert into pipedrive_installation_routes (company_id, pipedrive_user_id, workspace_id) values (67890, 22222, 'ws_2')`),
    ).rejects.toMatchObject({
      cause: { constraint: "pipedrive_installation_routes_company_id_pipedrive_user_id_pk" },
    });
    // Portal 777 is ws_1's: ws_2 cannot link one of its users.
    await expect(
      db.execute(sql`insert into hubspot_user_links (workspace_id, hub_id, hubspot_user_id, member_id) values ('ws_2', 777, 42, 'mem_other')`),
    ).rejects.toMatchObject({ cause: { constraint: "hubspot_user_links_installation_fk" } });
    // Removing a route removes its installation.
    await db.execute(sql`delete from pipedrive_installation_routes where company_id = 67890 and pipedrive_user_id = 22222`);
    expect(await loadIndividualConnection(db, "ws_1", "mem_agent")).toBeNull();
  });
});
