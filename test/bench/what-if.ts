import type { BenchDatabase } from "./engines";
import { routeQueries } from "./explain";
import type { LatencyResult } from "./latency";
import { benchCallers, memberId } from "./layout";
import { withSession } from "./sessions";
import { summarize } from "./stats";

// The "own" level (Agent) compiles to `account_id IN (accounts I connected) OR responsible_id = me`.
// An OR over a subquery can't use either ordered index, so PostgreSQL walks the whole workspace's
// activity index and filters: the fewer chats an agent sees, the more rows it reads per page.
// This compares the app's SQL with a shape that reads each visible slice through its own ordered
// index (one LATERAL scan per connected account plus one on the responsible index, each limited
// to a page) and merges them: work proportional to the page, not the workspace.

export type WhatIfResult = { caller: string; caseKey: string; currentMedian: number; proposedMedian: number; rowsMatch: boolean; proposedPlan: string };

const chatColumns = `c.id, c.workspace_id, c.account_id, c.contact_id, c.contact_phone, c.contact_name, c.responsible_id, c.last_message_at,
  c.last_message_at::text, c.last_message_preview, c.window_open_until, wa.connected_by, wa.provider, wa.status`;

/** The proposed chat-list SQL for the "own" level: $1 workspace, $2 member, $3 limit, $4/$5 the cursor. */
export function ownChatListSql(withCursor: boolean): string {
  const after = (alias: string) => (withCursor ? `and (${alias}.last_message_at, ${alias}.id) < ($4::timestamptz, $5)` : "");
  return `select ${chatColumns}
from (
  select own.* from whatsapp_accounts a cross join lateral (
    select * from chats where chats.workspace_id = a.workspace_id and chats.account_id = a.id ${after("chats")}
    order by chats.last_message_at desc, chats.id desc limit $3) own
  where a.workspace_id = $1 and a.connected_by = $2
  union all
  (select * from chats r where r.workspace_id = $1 and r.responsible_id = $2 ${after("r")}
     and r.account_id not in (select id from whatsapp_accounts where workspace_id = $1 and connected_by = $2)
   order by r.last_message_at desc, r.id desc limit $3)
) c
inner join whatsapp_accounts wa on wa.workspace_id = c.workspace_id and wa.id = c.account_id
order by c.last_message_at desc, c.id desc limit $3`;
}

/** Times the captured "own" list queries against the proposed shape, `repetitions` times each. */
export async function compareOwnScope(database: BenchDatabase, workspaceId: string, results: LatencyResult[], repetitions: number): Promise<WhatIfResult[]> {
  const ownCallers = benchCallers.filter((caller) => caller.visibility === "own");
  const comparisons: WhatIfResult[] = [];
  await withSession(database, async (run) => {
    const time = async (statement: string, values: unknown[]) => {
      const samples: number[] = [];
      let rows: Record<string, unknown>[] = [];
      for (let index = 0; index < repetitions; index++) {
        const started = performance.now();
        rows = await run(statement, values);
        samples.push(performance.now() - started);
      }
      return { median: summarize(samples).p50, ids: rows.map((row) => String(row.id)).join(",") };
    };
    for (const caller of ownCallers) {
      for (const result of results.filter((candidate) => candidate.caller === caller.key && candidate.caseKey !== "messages")) {
        const [current] = routeQueries(result.queries);
        if (!current) continue;
        const withCursor = result.caseKey === "chats_deep";
        if (withCursor && !result.cursorKey) continue;
        const proposedValues = [workspaceId, memberId(caller.memberIndex), 51, ...(withCursor && result.cursorKey ? result.cursorKey : [])];
        const proposedSql = ownChatListSql(withCursor);
        const currentTiming = await time(current.text, current.values);
        const proposedTiming = await time(proposedSql, proposedValues);
        const plan = await run(`explain (analyze, buffers) ${proposedSql}`, proposedValues);
        comparisons.push({
          caller: caller.key,
          caseKey: result.caseKey,
          currentMedian: currentTiming.median,
          proposedMedian: proposedTiming.median,
          rowsMatch: currentTiming.ids === proposedTiming.ids,
          proposedPlan: plan.map((row) => String(row["QUERY PLAN"])).join("\n"),
        });
      }
    }
  });
  return comparisons;
}
