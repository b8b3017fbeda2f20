import type { DatabaseHandle } from "../../server/db/client";
import { accountConnector, accountCount, accountSkewExponent, activitySpanDays, memberCount, memberId, responsibleShare, roleRanges } from "./layout";
import { rowsOf, withSession } from "./sessions";

// Seeds inside the database with generate_series: one INSERT … SELECT per table, so 100k chats
// and 1M messages take seconds on PostgreSQL rather than the hours the HTTP API would. Every
// value derives from the row number through hashint8, so both engines get identical data.

export type SeedResult = { workspaceId: string; chats: number; messages: number; contacts: number; seconds: number };

const firstNames = "Ana Ben Chloé Dmitri Emeka Fatima Gustavo Hana Ivan Jana Kofi Lea Mateo Nia Omar Priya Quentin Rosa Sven Tariq".split(" ");
const lastNames = "Silva Okafor Müller Nguyen Rossi Kowalski García Haddad Tanaka Dubois Novak Jensen Costa Ali Kim Olsen Moreau Patel Lind Reyes".split(" ");
const phrases = [
  "Hi! Is my order on its way?",
  "Thanks, that works for me.",
  "Could you send me the invoice again?",
  "What time do you open tomorrow?",
  "The package arrived damaged, what can I do?",
  "Great, see you on Monday.",
  "Can I change the delivery address?",
  "Is the blue one still in stock?",
];

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
const textArray = (values: string[]) => `array[${values.map(literal).join(",")}]`;

/** Seeds one workspace of `chatCount` chats (≈10 messages each) and runs VACUUM ANALYZE. */
export async function seedWorkspace(handle: DatabaseHandle, chatCount: number, workspaceId: string): Promise<SeedResult> {
  const started = performance.now();
  const ws = literal(workspaceId);
  // A fixed anchor: chats and their messages are computed by separate statements and must agree.
  const anchor = literal(new Date().toISOString());
  const roleOf = roleRanges.map((range) => `when m between ${range.first} and ${range.last} then '${range.roleId}'`).join(" ");
  const connectorOf = Array.from({ length: accountCount }, (_, index) => `when ${index} then '${memberId(accountConnector(index))}'`).join(" ");
  // Per chat i: its account, responsible, last activity and message count (n), all from hashes.
  const chatRows = `
    select i,
      'chat_' || substr(md5('chat' || i), 1, 16) as chat_id,
      'ct_' || substr(md5('ct' || i), 1, 16) as contact_id,
      '+1310' || (2000000 + i) as phone,
      (${textArray(firstNames)})[1 + i % 20] || ' ' || (${textArray(lastNames)})[1 + (i / 20) % 20] as contact_name,
      'acct_b' || lpad(least(${accountCount - 1}, floor(${accountCount} * power(bench_unit(i, 1), ${accountSkewExponent})))::int::text, 2, '0') as account_id,
      case when bench_unit(i, 2) < ${responsibleShare} then 'mem_b' || lpad((1 + floor(bench_unit(i, 3) * ${memberCount - 1}))::int::text, 2, '0') end as responsible_id,
      ${anchor}::timestamptz - power(bench_unit(i, 4), 1.5) * interval '${activitySpanDays} days' as last_at,
      (1 + floor(bench_unit(i, 5) * 19))::int as n,
      (5 + floor(bench_unit(i, 6) * 240))::int as spacing_minutes
    from generate_series(1, ${chatCount}) i`;
  const messageText = (k: string) => `(${textArray(phrases)})[1 + (i * 7 + ${k}) % ${phrases.length}] || ' #' || ((i * 31 + ${k}) % 100000)`;

  await withSession(handle, async (run) => {
    await run(`create or replace function bench_unit(seed bigint, salt int) returns double precision
    language sql immutable parallel safe as $$ select (hashint8(seed * 1000003 + salt) & 2147483647)::double precision / 2147483648.0 $$`);
    await run("begin");
    // Rows are consistent by construction; skipping the per-row foreign-key triggers makes the
    // million-message insert several times faster (superuser only; otherwise the triggers run).
    const [role] = await run("select current_setting('is_superuser') as superuser");
    if (role?.superuser === "on") await run("set local session_replication_role = replica");
    await run(
      `insert into workspaces (id, name, join_code, plan) values (${ws}, ${literal(`Bench ${chatCount}`)}, ${literal(`bench-${workspaceId}`)}, 'business')`,
    );
    await run(`insert into users (id, email, name, password_hash)
    select 'usr_' || ${ws} || '_' || m, 'member' || m || '@' || ${ws} || '.bench.test', 'Member ' || m, 'scrypt$bench$not-a-login'
    from generate_series(0, ${memberCount - 1}) m`);
    await run(`insert into members (workspace_id, id, user_id, role_id)
    select ${ws}, 'mem_b' || lpad(m::text, 2, '0'), 'usr_' || ${ws} || '_' || m, case ${roleOf} end
    from generate_series(0, ${memberCount - 1}) m`);
    await run(`insert into whatsapp_accounts (workspace_id, id, provider, phone_number, display_name, connected_by, cloud_phone_number_id, cloud_waba_id)
    select ${ws}, 'acct_b' || lpad(a::text, 2, '0'), 'cloud', '+1555010' || lpad(a::text, 4, '0'), 'Line ' || a,
      case a ${connectorOf} end, '90000000' || lpad(a::text, 2, '0'), '1020000000'
    from generate_series(0, ${accountCount - 1}) a`);
    await run(`insert into whatsapp_routes (phone_number_id, workspace_id, account_id)
    select '90000000' || lpad(a::text, 2, '0'), ${ws}, 'acct_b' || lpad(a::text, 2, '0') from generate_series(0, ${accountCount - 1}) a`);
    await run(`insert into contacts (workspace_id, id, phone, name, created_at)
    select ${ws}, contact_id, phone, contact_name, last_at - (n - 1) * spacing_minutes * interval '1 minute' from (${chatRows}) c`);
    await run(`insert into chats (workspace_id, id, account_id, contact_id, contact_phone, contact_name, responsible_id, last_message_at, last_message_preview, window_open_until, created_at)
    select ${ws}, chat_id, account_id, contact_id, phone, contact_name, responsible_id, last_at, left(${messageText("n")}, 120),
      -- the window runs 24 h from the customer's last message: the last one when it was inbound
      case when (i + n) % 2 = 0 then last_at when n > 1 then last_at - spacing_minutes * interval '1 minute' end + interval '24 hours',
      last_at - (n - 1) * spacing_minutes * interval '1 minute'
    from (${chatRows}) c`);
    await run(`insert into messages (workspace_id, id, chat_id, direction, text, status, author_id, provider_message_id, created_at, status_at, sent_at)
    select ${ws}, 'msg_' || substr(md5(i || '.' || k), 1, 16), chat_id,
      case when (i + k) % 2 = 0 then 'in' else 'out' end,
      ${messageText("k")},
      case when (i + k) % 2 = 0 then 'received' else 'read' end,
      case when (i + k) % 2 = 1 then coalesce(responsible_id, 'mem_b00') end,
      'wamid.seed.' || i || '.' || k,
      last_at - (n - k) * spacing_minutes * interval '1 minute',
      case when (i + k) % 2 = 1 then last_at - (n - k) * spacing_minutes * interval '1 minute' + interval '2 minutes' end,
      case when (i + k) % 2 = 1 then last_at - (n - k) * spacing_minutes * interval '1 minute' end
    from (${chatRows}) c, generate_series(1, c.n) k`);
    await run("commit");
    await run("vacuum analyze");
  });
  const [counts] = (await rowsOf(
    handle,
    `select (select count(*) from chats where workspace_id = ${ws})::int as chats,
            (select count(*) from messages where workspace_id = ${ws})::int as messages,
            (select count(*) from contacts where workspace_id = ${ws})::int as contacts`,
  )) as { chats: number; messages: number; contacts: number }[];
  if (!counts || counts.chats !== chatCount) throw new Error(`seeding ${workspaceId} produced ${counts?.chats} chats, expected ${chatCount}`);
  return { workspaceId, ...counts, seconds: (performance.now() - started) / 1000 };
}
