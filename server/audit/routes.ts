import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import { z } from "zod";
import { auditLog } from "../db/schema";
import { toCsv } from "../http/csv";
import { requires, route } from "../http/route";
import { decodeCursor, ListQuery, page } from "../http/schemas";
import type { Principal } from "../identity/tokens";
import { type Actor, maskNumbersIn, maySeeNumbers } from "../permissions";
import { chainedFieldsOf } from "./recorder";

const AuditFilters = z.object({
  actorId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  targetId: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
const AuditQuery = ListQuery.extend(AuditFilters.shape);
const exportLimit = 100_000;

function filtersFor(actor: Principal, filters: z.infer<typeof AuditFilters>): SQL[] {
  return [
    eq(auditLog.workspaceId, actor.workspaceId),
    filters.actorId ? eq(auditLog.actorId, filters.actorId) : undefined,
    filters.action ? eq(auditLog.action, filters.action) : undefined,
    filters.targetId ? eq(auditLog.targetId, filters.targetId) : undefined,
    filters.from ? gte(auditLog.at, new Date(filters.from).toISOString()) : undefined,
    filters.to ? lte(auditLog.at, new Date(filters.to).toISOString()) : undefined,
  ].filter((condition): condition is SQL => condition !== undefined);
}

/**
 * An entry as the API shows it to `viewer`: what its hash covers, without the chain's numbering;
 * contacts' numbers in its details masked without contacts.view_numbers (the chain is verified on
 * the stored rows, server/audit/verify.ts, not on this).
 */
function presentEntry(row: typeof auditLog.$inferSelect, viewer: Actor) {
  const { seq: _seq, ...entry } = chainedFieldsOf(row);
  return maySeeNumbers(viewer) ? entry : { ...entry, details: maskNumbersIn(entry.details) };
}

export const auditRoutes = [
  route({
    method: "get",
    path: "/audit-log",
    summary: "The activity log, newest first",
    tag: "Activity log",
    access: requires("audit.view"),
    query: AuditQuery,
    responses: { 200: "{data: [{id, at, actorId, action, targetType, targetId, ip, details}], nextCursor}" },
    async handler({ actor, query, db }) {
      const after = decodeCursor(query.cursor, 1);
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(...filtersFor(actor, query), after ? lt(auditLog.seq, Number(after[0])) : undefined))
        .orderBy(desc(auditLog.seq))
        .limit(query.limit + 1);
      return {
        status: 200,
        body: page(
          rows,
          query.limit,
          (row) => [row.seq],
          (row) => presentEntry(row, actor),
        ),
      };
    },
  }),
  route({
    method: "get",
    path: "/audit-log/export",
    summary: "The activity log as CSV (the download itself is logged)",
    tag: "Activity log",
    access: requires("audit.view"),
    query: AuditFilters,
    responses: { 200: "text/csv" },
    async handler({ actor, query, db, audit }) {
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(...filtersFor(actor, query)))
        .orderBy(desc(auditLog.seq))
        .limit(exportLimit);
      await audit({ action: "export.audit_log", targetType: "workspace", targetId: actor.workspaceId, details: { filters: query, rows: rows.length } });
      const csv = toCsv(
        rows.map((row) => presentEntry(row, actor)).map((entry) => ({ ...entry, details: JSON.stringify(entry.details) })),
        { columns: ["id", "at", "actorId", "action", "targetType", "targetId", "ip", "userAgent", "details"] },
      );
      return { status: 200, csv, filename: "activity-log.csv" };
    },
  }),
];
