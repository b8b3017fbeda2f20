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
import { loadIndividualConnection, loadWorkspaceConnection } from "../../../server/pipedrive/connections";
import { openPipedriveTokens, sealPipedriveTokens } from "../../../server/pipedrive/token-storage";

// An install made before migrations 0009/0010 (company connection and individual connections in
// their own tables) keeps working after the upgrade: its rows become per-user installations. The
// old rows are written in the old schema's SQL, since no code writes that schema any more.

const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../server/db/migrations");
const key = Buffer.alloc(32, 7);
const tokens = (accessToken: string, refreshToken: string) =>
  sealPipedriveTokens(key, { accessToken, refreshToken, scope: "base", apiDomain: "https://acme.pipedrive.com", expiresAt: new Date("2027-01-01T00:00:00Z") });

/** The migrations folder as it was before `firstNew` (its journal cut there). */
function migrationsBefore(firstNew: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), "sb-migrations-"));
  cpSync(migrations, folder, { recursive: true });
  const journalPath = path.join(folder, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(
    0,
    journal.entries.findIndex((entry) => entry.tag.startsWith(firstNew)),
  );
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

describe("migrating Pipedrive connections to per-user installations (0009, 0010)", () => {
  it("carries the workspace connection and members' own connections over; the merged Admin row stays theirs", async () => {
    const pglite = await PGlite.create({ extensions: pgliteExtensions });
    const db = drizzle(pglite, { schema }) as unknown as Database;
    const old = migrationsBefore("0009_");
    try {
      await migrate(db as never, { migrationsFolder: old });
      const ws = tokens("ws-access", "ws-refresh");
      const agent = tokens("agent-access", "agent-refresh");
      const admin = tokens("admin-access", "admin-refresh");
      await db.execute(sql`insert into workspaces (id, name, join_code) values ('ws_1', 'Acme', 'join-1')`);
      await db.execute(sql`insert into users (id, email, name, password_hash) values ('usr_a', 'a@x', 'Ada', 'x'), ('usr_g', 'g@x', 'Grace', 'x')`);
      await db.execute(
        sql`insert into members (workspace_id, id, user_id, role_id) values ('ws_1', 'mem_admin', 'usr_a', 'admin'), ('ws_1', 'mem_agent', 'usr_g', 'agent')`,
      );
      await db.execute(sql`insert into pipedrive_connections (workspace_id, company_id, company_domain, pipedrive_user_id, connected_by,
          access_token_encrypted, refresh_token_encrypted, scope, api_domain, expires_at)
        values ('ws_1', 67890, 'acme', 12345, 'mem_admin', ${ws.accessTokenEncrypted}, ${ws.refreshTokenEncrypted}, 'base', ${ws.apiDomain}, ${ws.expiresAt})`);
      await db.execute(sql`insert into pipedrive_company_routes (company_id, workspace_id) values (67890, 'ws_1')`);
      await db.execute(sql`insert into pipedrive_individual_connections (workspace_id, member_id, pipedrive_user_id, company_id, name,
          access_token_encrypted, refresh_token_encrypted, scope, api_domain, expires_at)
        values ('ws_1', 'mem_agent', 22222, 67890, 'Grace Hopper', ${agent.accessTokenEncrypted}, ${agent.refreshTokenEncrypted}, 'base', ${agent.apiDomain}, ${agent.expiresAt}),
               ('ws_1', 'mem_admin', 12345, 67890, 'Ada Lovelace', ${admin.accessTokenEncrypted}, ${admin.refreshTokenEncrypted}, 'base', ${admin.apiDomain}, ${admin.expiresAt})`);

      await migrate(db as never, { migrationsFolder: migrations });

      const connection = await loadWorkspaceConnection(db, "ws_1");
      expect(connection).toMatchObject({ companyId: 67890, pipedriveUserId: 12345, connectedBy: "mem_admin", status: "connected" });
      expect(connection?.installation).toMatchObject({ workspaceId: "ws_1", memberId: "mem_admin", name: "Ada Lovelace" });
      expect(openPipedriveTokens(key, connection?.installation as NonNullable<typeof connection>["installation"] & object).refreshToken).toBe("admin-refresh");
      const agentsOwn = await loadIndividualConnection(db, "ws_1", "mem_agent");
      expect(agentsOwn).toMatchObject({ companyId: 67890, pipedriveUserId: 22222, name: "Grace Hopper", status: "connected" });
      expect(openPipedriveTokens(key, agentsOwn as NonNullable<typeof agentsOwn>).accessToken).toBe("agent-access");
    } finally {
      await pglite.close();
      rmSync(old, { recursive: true, force: true });
    }
  });

  it("a workspace connection without an individual twin becomes an installation nobody owns, still serving the workspace", async () => {
    const pglite = await PGlite.create({ extensions: pgliteExtensions });
    const db = drizzle(pglite, { schema }) as unknown as Database;
    const old = migrationsBefore("0009_");
    try {
      await migrate(db as never, { migrationsFolder: old });
      const ws = tokens("ws-access", "ws-refresh");
      await db.execute(sql`insert into workspaces (id, name, join_code) values ('ws_1', 'Acme', 'join-1')`);
      await db.execute(sql`insert into pipedrive_connections (workspace_id, company_id, company_domain, pipedrive_user_id, connected_by,
          access_token_encrypted, refresh_token_encrypted, scope, api_domain, expires_at, status, status_reason)
        values ('ws_1', 67890, 'acme', 12345, 'mem_admin', ${ws.accessTokenEncrypted}, ${ws.refreshTokenEncrypted}, 'base', ${ws.apiDomain}, ${ws.expiresAt}, 'reconnect_required', 'invalid_grant')`);

      await migrate(db as never, { migrationsFolder: migrations });

      const connection = await loadWorkspaceConnection(db, "ws_1");
      expect(connection).toMatchObject({ status: "reconnect_required", statusReason: "invalid_grant" });
      expect(connection?.installation).toMatchObject({ memberId: null, pipedriveUserId: 12345 });
      expect(openPipedriveTokens(key, connection?.installation as NonNullable<typeof connection>["installation"] & object).accessToken).toBe("ws-access");
    } finally {
      await pglite.close();
      rmSync(old, { recursive: true, force: true });
    }
  });
});
