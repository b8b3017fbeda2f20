import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { webhookDeliveries, webhooks } from "../db/schema";
import { conflict, notFound } from "../http/problem";
import { requires, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { failWaitingDeliveries, requeueFailedDelivery } from "./delivery-queue";
import { presentDelivery, presentWebhook } from "./presenters";
import { requireWebhook } from "./routes";

// What the console does with a webhook after creating it: turn it off and on, and send a failed
// delivery again.

const WebhookChange = z.object({ enabled: z.boolean() }).strict();
const DeliveryParams = IdParam.extend({ deliveryId: z.string().min(1).max(100) }).strict();

const notRetryable: Record<"pending" | "delivered", string> = {
  pending: "This delivery is still being attempted; only a failed delivery can be retried.",
  delivered: "This delivery was delivered; only a failed delivery can be retried.",
};

export const webhookManageRoutes = [
  route({
    method: "patch",
    path: "/webhooks/:id",
    summary: "Turn a webhook off or on; turned off, its waiting deliveries fail and no new ones are queued",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    params: IdParam,
    body: WebhookChange,
    responses: { 200: "{webhook}", 404: "No such webhook in the workspace" },
    async handler({ actor, params, body, db, audit }) {
      const existing = await requireWebhook(db, actor.workspaceId, params.id);
      // The activity-log lock first, then the rows: the order sends take them in (routes.ts, delete).
      const change = { before: { enabled: existing.enabled }, after: { enabled: body.enabled } };
      if (body.enabled) await audit({ action: "webhook.enable", targetType: "webhook", targetId: existing.id, details: change });
      const [row] = await db
        .update(webhooks)
        .set({ enabled: body.enabled })
        .where(and(eq(webhooks.workspaceId, actor.workspaceId), eq(webhooks.id, existing.id)))
        .returning();
      if (!row) throw notFound("webhook");
      if (!body.enabled) {
        const failedDeliveries = await failWaitingDeliveries(db, actor.workspaceId, existing.id);
        await audit({ action: "webhook.disable", targetType: "webhook", targetId: existing.id, details: { ...change, failedDeliveries } });
      }
      return { status: 200, body: { webhook: presentWebhook(row) } };
    },
  }),
  route({
    method: "post",
    path: "/webhooks/:id/deliveries/:deliveryId/retry",
    summary: "Send a failed delivery again (one more attempt, due now)",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    params: DeliveryParams,
    responses: {
      202: "{delivery}: queued again",
      404: "No such webhook, or no such delivery of it",
      409: "The delivery is not failed, or the webhook is turned off",
    },
    async handler({ actor, params, db, audit }) {
      const webhook = await requireWebhook(db, actor.workspaceId, params.id);
      const [delivery] = await db
        .select()
        .from(webhookDeliveries)
        .where(
          and(eq(webhookDeliveries.workspaceId, actor.workspaceId), eq(webhookDeliveries.webhookId, webhook.id), eq(webhookDeliveries.id, params.deliveryId)),
        );
      if (!delivery) throw notFound("delivery");
      if (!webhook.enabled) throw conflict("This webhook is turned off. Turn it on before retrying its deliveries.");
      if (delivery.status !== "failed") throw conflict(notRetryable[delivery.status]);
      await audit({
        action: "webhook.delivery_retry",
        targetType: "webhook",
        targetId: webhook.id,
        details: { deliveryId: delivery.id, event: delivery.event },
      });
      const requeued = await requeueFailedDelivery(db, actor.workspaceId, delivery.id);
      if (!requeued) throw conflict(notRetryable.pending);
      return { status: 202, body: { delivery: presentDelivery(requeued) } };
    },
  }),
];
