import { type SQL, sql } from "drizzle-orm";
import { hubspotLogEnqueueSql } from "../hubspot/log-queue";
import { pipedriveLogEnqueueSql } from "../pipedrive/log-queue";

// "A message was stored": the one hook through which CRM logging hears of new messages. The
// inbox calls it in the transaction that stores them (server/webhooks/outbox.ts), and each CRM
// adapter's statement decides in SQL whether its connection logs them (a no-op without one).
// A third CRM adds its statement to this list.

type EnqueueStatement = (events: { workspaceId: string; messageId: string }[]) => SQL;
const crmLogEnqueuers: { name: string; statement: EnqueueStatement }[] = [
  { name: "pipedrive_log", statement: pipedriveLogEnqueueSql },
  { name: "hubspot_log", statement: hubspotLogEnqueueSql },
];

/**
 * The CTEs (for a WITH clause, without the keyword) that queue every connected CRM's logging of
 * these new messages: data-modifying CTEs run once whether or not the query reads them, so the
 * caller rides them on a statement it sends anyway.
 */
export function messageStoredCtes(events: { workspaceId: string; messageId: string }[]): SQL {
  return sql.join(
    crmLogEnqueuers.map(({ name, statement }) => sql`${sql.identifier(name)} as (${statement(events)} returning 1)`),
    sql`, `,
  );
}
