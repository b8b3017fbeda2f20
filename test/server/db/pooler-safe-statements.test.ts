import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// DATABASE_URL may be pgbouncer in transaction mode (README, "Running at scale"): each transaction,
// and each statement outside one, may run on another server session. So the pooled queries keep no
// session state: node-postgres sends unnamed statements unless given a name (Drizzle's
// `.prepare(name)`), which pgbouncer 1.18 cannot carry between transactions; no advisory locks, no
// session SET (SET LOCAL, inside a transaction, is fine), no temporary tables; LISTEN only on the
// event bus's own session (DATABASE_LISTEN_URL). test/server/scale-out/ runs the app through a real
// pgbouncer; this scan keeps code paths that test does not reach from bringing session state back.

const serverRoot = path.resolve(import.meta.dirname, "../../../server");

const sessionState = [
  { what: "a named prepared statement", pattern: /\.prepare\(/ },
  { what: "an advisory lock", pattern: /pg_(try_)?advisory/i },
  { what: "a session SET", pattern: /["'`]\s*set\s+(session\s+)?(?!local\b)[a-z_]+\s*(=|to)\s/i },
  { what: "a LISTEN", pattern: /["'`]\s*listen\s/i },
  { what: "a temporary table", pattern: /create\s+(temp|temporary)\s+table/i },
];

/** Where session state is right, and why. */
const allowed = [
  { file: "events/listen-connection.ts", what: "a LISTEN", why: "the bus's own session, outside the pool (DATABASE_LISTEN_URL)" },
  { file: "datadir/move-to-postgres.ts", what: "a session SET", why: "on the embedded PGlite source, which has one session" },
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

describe("statements that would break behind a transaction-mode pooler", () => {
  it("server/ keeps no session state on pooled connections", () => {
    const found: string[] = [];
    for (const file of sourceFiles(serverRoot)) {
      const relative = path.relative(serverRoot, file);
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          for (const { what, pattern } of sessionState) {
            if (!pattern.test(line)) continue;
            if (allowed.some((exception) => exception.file === relative && exception.what === what)) continue;
            found.push(`${relative}:${index + 1}: ${what}: ${line.trim()}`);
          }
        });
    }
    expect(found).toEqual([]);
  });

  it.each(sessionState)("recognises $what", ({ what, pattern }) => {
    const examples: Record<string, string> = {
      "a named prepared statement": "db.select().from(chats).prepare('chats_by_id')",
      "an advisory lock": "sql`select pg_advisory_xact_lock(42)`",
      "a session SET": "await client.query(\"set timezone = 'UTC'\")",
      "a LISTEN": "await client.query(`LISTEN switchboard_events`)",
      "a temporary table": "sql`create temp table staged (id text)`",
    };
    expect(pattern.test(examples[what] ?? "")).toBe(true);
    expect(pattern.test("await client.query(\"set local timezone = 'UTC'\")")).toBe(false);
  });
});
