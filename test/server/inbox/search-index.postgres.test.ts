import { sql } from "drizzle-orm";
import { messages } from "../../../server/db/schema";
import { newId } from "../../../server/ids";
import { insertAccountDirectly, insertChatDirectly } from "../../support/factories";
import { recordStatements } from "../../support/query-log";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// The chat search (3+ characters) is written so the trigram indexes can answer it. The workspace
// gets a few thousand chats and messages and fresh statistics, so its workspace_id btrees stop
// being selective, and sequential scans are priced out for the EXPLAIN: what is checked is that
// the SQL the app sends *can* and does use the GIN indexes (the old EXISTS under an OR could not).
let server: TestServer;
let team: Team;
const filler = 10_000;

beforeAll(async () => {
  server = await startTestServer();
  const db = server.database.db;
  team = await insertTeamDirectly(db);
  const line = await insertAccountDirectly(db, team.workspace, team.agent.id);
  const chat = await insertChatDirectly(db, team.workspace, line, { name: "Gina Grant", customerWroteAt: new Date() });
  await db.insert(messages).values({
    workspaceId: team.workspace.id,
    id: newId("msg"),
    chatId: chat.id,
    direction: "in",
    text: "my invoice please",
    status: "received",
    createdAt: new Date(),
  });
  const ws = team.workspace.id;
  await db.execute(sql`insert into contacts (workspace_id, id, phone, name)
    select ${ws}, 'ct_fill_' || i, '+1444' || (1000000 + i), 'Filler ' || i from generate_series(1, ${filler}) i`);
  await db.execute(sql`insert into chats (workspace_id, id, account_id, contact_id, contact_phone, contact_name)
    select ${ws}, 'chat_fill_' || i, ${line.id}, 'ct_fill_' || i, '+1444' || (1000000 + i), 'Filler ' || i from generate_series(1, ${filler}) i`);
  await db.execute(sql`insert into messages (workspace_id, id, chat_id, direction, text, status)
    select ${ws}, 'msg_fill_' || i || '_' || k, 'chat_fill_' || i, 'in', 'Filler text number ' || i || '.' || k, 'received'
    from generate_series(1, ${filler}) i, generate_series(1, 5) k`);
  await db.execute(sql`analyze chats`);
  await db.execute(sql`analyze messages`);
});
afterAll(() => server.close());

async function planOf(q: string, token: string): Promise<string> {
  const statements = await recordStatements(server.database, async () => {
    const reply = await server.api("GET", `/chats?q=${encodeURIComponent(q)}`, { token });
    expect(reply.status).toBe(200);
  });
  const search = statements.find((statement) => /ilike/i.test(statement.text));
  if (!search) throw new Error(`no search statement among ${statements.length}`);
  const client = await server.database.pool?.connect();
  if (!client) throw new Error("not PostgreSQL");
  try {
    await client.query("begin");
    await client.query("set local enable_seqscan = off");
    const rows = (await client.query(`explain ${search.text}`, search.values)).rows as { "QUERY PLAN": string }[];
    return rows.map((row) => row["QUERY PLAN"]).join("\n");
  } finally {
    await client.query("rollback");
    client.release();
  }
}

describe("the chat search uses the trigram index on PostgreSQL", () => {
  it.each([
    ["owner", "invoice"],
    ["agent", "Gina"],
  ] as const)("%s searching %s: the message text through its GIN index", async (who, q) => {
    const plan = await planOf(q, team[who].token);
    // The million-row side. (At this size the 10,000 chats still go through their workspace btree;
    // at the bench's 100k, chats_contact_name/phone_trgm_idx are used too: test/bench/RESULTS.md.)
    expect(plan).toMatch(/Bitmap Index Scan on messages_text_trgm_idx/);
    expect(plan).not.toMatch(/Seq Scan on messages/);
  });
});
