// The webhook and API key answers, as server/webhooks/presenters.ts and server/integrations/api-key-routes.ts make them.

/** GET /webhooks → data[]. */
export type Webhook = { id: string; url: string; events: string[]; enabled: boolean; createdAt: string; createdBy: string };

/** POST /webhooks → 201: the signing secret, in this answer only. */
export type CreatedWebhook = { webhook: Webhook; secret: string };

/** GET /webhooks/{id}/deliveries → data[]. */
export type WebhookDelivery = {
  id: string;
  event: string;
  eventId: string | null;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
};

/** GET /integrations/api-key → key: who created it and when, never the key. */
export type WorkspaceApiKey = { id: string; createdBy: string; createdAt: string };
