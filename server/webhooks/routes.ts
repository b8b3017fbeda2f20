import { and, asc, count, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { encryptSecret } from "../crypto/secrets";
import type { Executor } from "../db/client";
import { webhookDeliveries, webhooks } from "../db/schema";
import { inboxEventTypes } from "../events/bus";
import { conflict, invalidRequest, notFound } from "../http/problem";
import { requires, route } from "../http/route";
import { afterKeyset, decodeCursor, IdParam, ListQuery, page, timestampText } from "../http/schemas";
import { newId } from "../ids";
import { presentDelivery, presentWebhook } from "./presenters";
import { newWebhookSecret } from "./signing";
import { checkWebhookUrl, maxWebhookUrlLength, webhookUrlPolicy } from "./url-policy";

/** Each event is sent to every subscribed webhook; the cap bounds that fan-out. */
export const maxWebhooksPerWorkspace = 20;

const EventList = z
  .array(z.enum(inboxEventTypes))
  .min(1, "subscribe to at least one event")
  .refine((events) => new Set(events).size === events.length, "must not repeat an event");
const NewWebhook = z.object({ url: z.string().trim().min(1).max(maxWebhookUrlLength), events: EventList }).strict();
const DeliveryQuery = ListQuery.extend({ status: z.enum(["pending", "delivered", "failed"]).optional() });

/** The caller's workspace's webhook, or 404. */
export async function requireWebhook(db: Executor, workspaceId: string, id: string) {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, id)));
  if (!row) throw notFound("webhook");
  return row;
}

export const webhookRoutes = [
  route({
    method: "get",
    path: "/webhooks",
    summary: "The workspace's outgoing event webhooks (never their secrets)",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: { 200: "{data: [{id, url, events, enabled, createdAt, createdBy}], nextCursor: null}" },
    async handler({ actor, db }) {
      const rows = await db.select().from(webhooks).where(eq(webhooks.workspaceId, actor.workspaceId)).orderBy(asc(webhooks.createdAt), asc(webhooks.id));
      return { status: 200, body: { data: rows.map(presentWebhook), nextCursor: null } };
    },
  }),
  route({
    method: "post",
    path: "/webhooks",
    summary: "Subscribe a URL to inbox events; the signing secret is shown in this answer only",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    body: NewWebhook,
    responses: { 201: "{webhook, secret}", 400: "URL not allowed, or unknown or repeated events", 409: "The workspace has the maximum number of webhooks" },
    async handler({ actor, body, db, services, audit }) {
      const verdict = checkWebhookUrl(body.url, webhookUrlPolicy(services.config));
      if (!verdict.ok) throw invalidRequest("The webhook URL is not allowed.", [{ path: "body.url", message: verdict.reason }]);
      const [existing] = await db.select({ total: count() }).from(webhooks).where(eq(webhooks.workspaceId, actor.workspaceId));
      if ((existing?.total ?? 0) >= maxWebhooksPerWorkspace) throw conflict(`A workspace may have at most ${maxWebhooksPerWorkspace} webhooks.`);
      const secret = newWebhookSecret();
      const events = inboxEventTypes.filter((event) => body.events.includes(event));
      const [row] = await db
        .insert(webhooks)
        .values({
          workspaceId: actor.workspaceId,
          id: newId("wh"),
          url: verdict.url.href,
          events,
          secretEncrypted: encryptSecret(services.config.encryptionKey, secret),
          createdBy: actor.memberId,
        })
        .returning();
      if (!row) throw new Error("webhook insert returned nothing");
      await audit({ action: "webhook.create", targetType: "webhook", targetId: row.id, details: { after: { url: row.url, events } } });
      return { status: 201, headers: { "cache-control": "no-store" }, body: { webhook: presentWebhook(row), secret } };
    },
  }),
  route({
    method: "delete",
    path: "/webhooks/:id",
    summary: "Delete a webhook; its pending deliveries are dropped with it",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    params: IdParam,
    responses: { 204: "Deleted" },
    async handler({ actor, params, db, audit }) {
      const existing = await requireWebhook(db, actor.workspaceId, params.id);
      // The activity-log lock first, then the row: the order in which sends and assignments take
      // them (audit, then a delivery whose foreign key share-locks the webhook), so no deadlock.
      await audit({
        action: "webhook.delete",
        targetType: "webhook",
        targetId: existing.id,
        details: { before: { url: existing.url, events: existing.events } },
      });
      const deleted = await db
        .delete(webhooks)
        .where(and(eq(webhooks.workspaceId, actor.workspaceId), eq(webhooks.id, existing.id)))
        .returning({ id: webhooks.id });
      if (deleted.length === 0) throw notFound("webhook");
      return { status: 204 };
    },
  }),
  route({
    method: "get",
    path: "/webhooks/:id/deliveries",
    summary: "A webhook's delivery log, newest first",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    params: IdParam,
    query: DeliveryQuery,
    responses: { 200: "{data: [{id, event, eventId, status, attempts, lastStatusCode, lastError, nextAttemptAt, createdAt, deliveredAt}], nextCursor}" },
    async handler({ actor, params, query, db }) {
      const webhook = await requireWebhook(db, actor.workspaceId, params.id);
      const after = decodeCursor(query.cursor, 2);
      const rows = await db
        .select({ delivery: webhookDeliveries, cursorAt: timestampText(webhookDeliveries.createdAt) })
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.workspaceId, actor.workspaceId),
            eq(webhookDeliveries.webhookId, webhook.id),
            query.status ? eq(webhookDeliveries.status, query.status) : undefined,
            afterKeyset(webhookDeliveries.createdAt, webhookDeliveries.id, after, "desc"),
          ),
        )
        .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
        .limit(query.limit + 1);
      return {
        status: 200,
        body: page(
          rows,
          query.limit,
          (row) => [row.cursorAt, row.delivery.id],
          (row) => presentDelivery(row.delivery),
        ),
      };
    },
  }),
];
