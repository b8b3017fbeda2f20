import { and, eq, inArray } from "drizzle-orm";
import { decryptSecret } from "../crypto/secrets";
import { whatsappAccounts, whatsappRoutes } from "../db/schema";
import { HttpProblem, invalidRequest } from "../http/problem";
import { publicAccess, route } from "../http/route";
import { ingestInboundMessage } from "../inbox/ingest";
import { applyStatuses, type StatusUpdate } from "../inbox/statuses";
import type { Services } from "../services";
import { parseWebhook, WebhookPayloadError } from "./webhook-payload";
import { answerVerificationChallenge, verifyWebhookSignature } from "./webhook-signature";

type Route = { phoneNumberId: string; workspaceId: string; accountId: string; appSecretEncrypted: string | null };

/** The phone_number_ids a webhook speaks for, read before it is trusted only to pick its secret. */
function phoneNumberIdsOf(json: unknown): string[] {
  const entries = (json as { entry?: { changes?: { value?: { metadata?: { phone_number_id?: unknown } } }[] }[] })?.entry;
  if (!Array.isArray(entries)) return [];
  const ids = entries.flatMap((entry) => (Array.isArray(entry?.changes) ? entry.changes : []).map((change) => change?.value?.metadata?.phone_number_id));
  return [...new Set(ids.filter((id): id is string => typeof id === "string"))];
}

async function routesFor(services: Services, phoneNumberIds: string[]): Promise<Route[]> {
  if (phoneNumberIds.length === 0) return [];
  return services.database.db
    .select({
      phoneNumberId: whatsappRoutes.phoneNumberId,
      workspaceId: whatsappRoutes.workspaceId,
      accountId: whatsappRoutes.accountId,
      appSecretEncrypted: whatsappAccounts.appSecretEncrypted,
    })
    .from(whatsappRoutes)
    .innerJoin(whatsappAccounts, and(eq(whatsappAccounts.workspaceId, whatsappRoutes.workspaceId), eq(whatsappAccounts.id, whatsappRoutes.accountId)))
    .where(inArray(whatsappRoutes.phoneNumberId, phoneNumberIds));
}

/** Our app's secret, or the account's own when it brought its own Meta app. */
function secretsFor(services: Services, routes: Route[]): string[] {
  const secrets = routes.map((known) =>
    known.appSecretEncrypted ? decryptSecret(services.config.encryptionKey, known.appSecretEncrypted) : services.config.whatsapp.appSecret,
  );
  if (routes.length === 0 && services.config.whatsapp.appSecret) secrets.push(services.config.whatsapp.appSecret);
  return [...new Set(secrets.filter((secret): secret is string => Boolean(secret)))];
}

export const inboundRoutes = [
  route({
    method: "get",
    path: "/inbound/whatsapp",
    summary: "Meta's webhook verification handshake",
    tag: "WhatsApp inbound",
    access: publicAccess("Meta calls it; the verify token is the credential"),
    responses: { 200: "The hub.challenge, as text/plain", 403: "Wrong verify token or mode" },
    async handler({ request, services }) {
      const challenge = answerVerificationChallenge(request.query, services.config.whatsapp.verifyToken ?? "");
      if (challenge === null) throw new HttpProblem(403, "permission_denied", "Verification failed", "The verify token or mode does not match.");
      return { status: 200, text: challenge };
    },
  }),
  route({
    method: "post",
    path: "/inbound/whatsapp",
    summary: "Meta's inbound messages and statuses, signed with X-Hub-Signature-256",
    tag: "WhatsApp inbound",
    access: publicAccess("Meta calls it; the X-Hub-Signature-256 HMAC is the credential"),
    rawBody: true,
    ownTransactions: true,
    auditExempt: "customer messages and statuses are recorded as messages; no member acts",
    responses: { 200: "Accepted", 401: "Missing or wrong signature" },
    async handler({ request, services }) {
      const raw: Buffer = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      let json: unknown;
      try {
        json = JSON.parse(raw.toString("utf8"));
      } catch {
        throw invalidRequest("The body is not valid JSON.");
      }
      const routes = await routesFor(services, phoneNumberIdsOf(json));
      const signature = request.get("x-hub-signature-256");
      const secrets = secretsFor(services, routes);
      if (!secrets.some((secret) => verifyWebhookSignature(secret, raw, signature))) {
        throw new HttpProblem(401, "unauthenticated", "Bad signature", "X-Hub-Signature-256 does not match the body.");
      }
      let events: ReturnType<typeof parseWebhook>;
      try {
        events = parseWebhook(json);
      } catch (error) {
        // Answer 200 all the same: Meta would redeliver a payload we can never read for days.
        if (error instanceof WebhookPayloadError) services.logger.warn({ issues: error.issues }, "unreadable WhatsApp webhook");
        else throw error;
        return { status: 200, body: { received: 0 } };
      }
      const byPhoneNumberId = new Map(routes.map((known) => [known.phoneNumberId, known]));
      let received = 0;
      const statuses: StatusUpdate[] = [];
      for (const event of events) {
        const target = byPhoneNumberId.get(event.phoneNumberId);
        if (!target) continue;
        if (event.kind === "message") {
          await ingestInboundMessage(
            services.database.db,
            {
              workspaceId: target.workspaceId,
              accountId: target.accountId,
              from: { phone: event.from.phone ?? null, bsuid: event.from.bsuid ?? null, name: event.contactName ?? null },
              providerMessageId: event.wamid,
              text: event.text,
              receivedAt: event.timestamp,
            },
            undefined,
            (events) => services.events.publishAfterCommit(events),
          );
        } else if (event.kind === "status") {
          statuses.push({
            workspaceId: target.workspaceId,
            providerMessageId: event.wamid,
            status: event.status,
            at: event.timestamp,
            ...(event.error ? { error: { code: String(event.error.code), detail: event.error.details ?? event.error.message } } : {}),
          });
        } else {
          services.logger.warn({ error: event.error, phoneNumberId: event.phoneNumberId }, "WhatsApp reported an error");
        }
        received++;
      }
      // The payload's statuses together: a few statements however many there are.
      await applyStatuses(services.database.db, statuses);
      return { status: 200, body: { received } };
    },
  }),
];
