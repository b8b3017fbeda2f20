import { and, desc, eq, sql } from "drizzle-orm";
import { analyzeAfterBulkWrite } from "../datadir/maintenance";
import type { Executor } from "../db/client";
import { templates } from "../db/schema";
import { conflict, notFound } from "../http/problem";
import { requires, route } from "../http/route";
import { afterKeyset, decodeCursor, IdParam, ListQuery, page, timestampText } from "../http/schemas";
import type { Principal } from "../identity/tokens";
import { newId } from "../ids";
import { scope } from "../permissions";
import { presentTemplate } from "./presenters";
import { loadAccountForCampaigns, type TemplateRow } from "./queries";
import { CreateTemplate, SyncTemplates, UpdateTemplate } from "./schemas";
import { fetchMetaTemplates, storeMetaTemplates } from "./template-sync";

/**
 * Loads a template the actor may use (templates.use: all → everyone's, own → their own), or
 * answers 404. Using, editing and deleting follow the same rule, so what one sees one may change.
 */
export async function loadUsableTemplate(db: Executor, actor: Principal, templateId: string): Promise<TemplateRow> {
  const [template] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.id, templateId), scope(actor, "templates.use")));
  if (!template) throw notFound("template");
  return template;
}

export const templateRoutes = [
  route({
    method: "get",
    path: "/templates",
    summary: "The templates the caller may use (templates.use: all → everyone's, own → their own)",
    tag: "Templates",
    access: requires("templates.use"),
    query: ListQuery,
    responses: { 200: "{data: [template], nextCursor}" },
    async handler({ actor, query, db }) {
      const after = decodeCursor(query.cursor, 2);
      const rows = await db
        .select({ template: templates, cursorAt: timestampText(templates.createdAt) })
        .from(templates)
        .where(and(scope(actor, "templates.use"), afterKeyset(templates.createdAt, templates.id, after, "desc")))
        .orderBy(desc(templates.createdAt), desc(templates.id))
        .limit(query.limit + 1);
      return {
        status: 200,
        body: page(
          rows,
          query.limit,
          (row) => [row.cursorAt, row.template.id],
          (row) => presentTemplate(row.template, actor),
        ),
      };
    },
  }),
  route({
    method: "get",
    path: "/templates/:id",
    summary: "One template (404 unless the caller may use it)",
    tag: "Templates",
    access: requires("templates.use"),
    params: IdParam,
    responses: { 200: "The template with its variables and abilities" },
    async handler({ actor, params, db }) {
      return { status: 200, body: presentTemplate(await loadUsableTemplate(db, actor, params.id), actor) };
    },
  }),
  route({
    method: "post",
    path: "/templates",
    summary: "Create a template owned by the caller; {{name}}, {{phone}} and any {{key}} are filled per recipient",
    tag: "Templates",
    access: requires("templates.use"),
    body: CreateTemplate,
    responses: { 201: "{template}" },
    async handler({ actor, body, db, audit }) {
      const [template] = await db
        .insert(templates)
        .values({
          workspaceId: actor.workspaceId,
          id: newId("tpl"),
          ownerId: actor.memberId,
          name: body.name,
          body: body.body,
          metaTemplateName: body.metaTemplateName ?? null,
          metaLanguage: body.metaLanguage ?? null,
        })
        .returning();
      if (!template) throw new Error("template insert returned nothing");
      await audit({
        action: "template.create",
        targetType: "template",
        targetId: template.id,
        details: { name: template.name, metaTemplateName: template.metaTemplateName },
      });
      return { status: 201, body: { template: presentTemplate(template, actor) } };
    },
  }),
  route({
    method: "patch",
    path: "/templates/:id",
    summary: "Edit a template (one's own, or any with templates.use: all); a synced Meta template can only be renamed",
    tag: "Templates",
    access: requires("templates.use"),
    params: IdParam,
    body: UpdateTemplate,
    responses: { 200: "{template}", 409: "A synced Meta template's text is Meta's: edit it in WhatsApp Manager and sync again" },
    async handler({ actor, params, body, db, audit }) {
      const before = await loadUsableTemplate(db, actor, params.id);
      const changesMetaText = body.body !== undefined || body.metaTemplateName !== undefined || body.metaLanguage !== undefined;
      if (before.source === "meta" && changesMetaText)
        throw conflict("This template is synced from Meta: edit its text in WhatsApp Manager and sync again; here it can only be renamed.");
      const [template] = await db
        .update(templates)
        .set({ ...body, updatedAt: sql`now()` })
        .where(and(eq(templates.workspaceId, actor.workspaceId), eq(templates.id, before.id)))
        .returning();
      if (!template) throw notFound("template");
      const changed = Object.keys(body);
      await audit({
        action: "template.update",
        targetType: "template",
        targetId: template.id,
        details: { changed, before: pick(before, changed), after: pick(template, changed) },
      });
      return { status: 200, body: { template: presentTemplate(template, actor) } };
    },
  }),
  route({
    method: "delete",
    path: "/templates/:id",
    summary: "Delete a template (one's own, or any with templates.use: all); campaigns already launched keep their copy",
    tag: "Templates",
    access: requires("templates.use"),
    params: IdParam,
    responses: { 204: "Deleted" },
    async handler({ actor, params, db, audit }) {
      const template = await loadUsableTemplate(db, actor, params.id);
      await db.delete(templates).where(and(eq(templates.workspaceId, actor.workspaceId), eq(templates.id, template.id)));
      await audit({ action: "template.delete", targetType: "template", targetId: template.id, details: { name: template.name, ownerId: template.ownerId } });
      return { status: 204 };
    },
  }),
  route({
    method: "post",
    path: "/templates/sync",
    summary: "Import the templates of a WhatsApp account's WhatsApp Business Account (every review state, with category), owned by the caller",
    tag: "Templates",
    access: requires("templates.use"),
    body: SyncTemplates,
    ownTransactions: true,
    responses: { 200: "{data: [template], imported, refreshed}", 409: "Not a connected Cloud API account, or Meta refused" },
    async handler({ actor, body, services, audit }) {
      const db = services.database.db;
      const account = await loadAccountForCampaigns(db, actor, body.accountId);
      const fetched = await fetchMetaTemplates(services, account);
      const result = await db.transaction(async (tx) => {
        const stored = await storeMetaTemplates(tx, actor.workspaceId, actor.memberId, account.id, fetched);
        await audit(
          {
            action: "template.sync",
            targetType: "whatsapp_account",
            targetId: account.id,
            details: { fetched: fetched.length, imported: stored.imported, refreshed: stored.refreshed },
          },
          tx,
        );
        return stored;
      });
      await analyzeAfterBulkWrite(services.database);
      return {
        status: 200,
        body: { data: result.stored.map((template) => presentTemplate(template, actor)), imported: result.imported, refreshed: result.refreshed },
      };
    },
  }),
];

function pick(row: TemplateRow, keys: string[]) {
  return Object.fromEntries(keys.map((key) => [key, row[key as keyof TemplateRow] ?? null]));
}
