import { decryptSecret } from "../crypto/secrets";
import { HttpProblem, invalidRequest } from "../http/problem";
import { publicAccess, route } from "../http/route";
import { applyCustomerReaction } from "../inbox/reactions";
import { applyStatuses, type StatusUpdate } from "../inbox/statuses";
import { inboundMediaOf } from "../media/inbound";
import type { Services } from "../services";
import { inboundBatches } from "./inbound-batches";
import { recordRefusedWebhookSignature } from "./refused-webhooks";
import { type WebhookRoute, webhookRouteCache } from "./route-cache";
import { acceptedChanges, phoneNumberIdsOf, scanPhoneNumberIds } from "./webhook-entries";
import { parseWebhook, WebhookPayloadError } from "./webhook-payload";
import { answerVerificationChallenge, verifyWebhookSignature } from "./webhook-signature";

type Route = WebhookRoute;

const routesFor = (services: Services, phoneNumberIds: string[]): Promise<Route[]> => webhookRouteCache(services).routesFor(phoneNumberIds);

/**
 * The one secret that may sign for an account: its own app's when it brought one (Meta signs
 * its webhooks with that app's secret, never ours), else our app's; null when there is neither.
 */
function signingSecretOf(services: Services, known: Route): string | null {
  if (known.appSecretEncrypted) return decryptSecret(services.config.encryptionKey, known.appSecretEncrypted);
  return services.config.whatsapp.appSecret || null;
}

/**
 * Which secrets sign this body: our app's and those of the accounts the body names, each tried in
 * constant time over the raw bytes, before the body is parsed. Empty means a bad signature.
 */
function verifiedSecrets(services: Services, routes: Route[], raw: Buffer, signature: string | undefined): Set<string> {
  const candidates = new Set<string>();
  if (services.config.whatsapp.appSecret) candidates.add(services.config.whatsapp.appSecret);
  for (const known of routes) {
    const secret = signingSecretOf(services, known);
    if (secret) candidates.add(secret);
  }
  return new Set([...candidates].filter((secret) => verifyWebhookSignature(secret, raw, signature)));
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
      const text = raw.toString("utf8");
      // Before the signature verifies, the body is only scanned for the ids that pick the secrets to try.
      const candidateRoutes = await routesFor(services, scanPhoneNumberIds(text));
      const signedWith = verifiedSecrets(services, candidateRoutes, raw, request.get("x-hub-signature-256"));
      if (signedWith.size === 0) {
        recordRefusedWebhookSignature(services, request, {
          reason: "no_matching_secret",
          routed: candidateRoutes,
          namedPhoneNumberIds: scanPhoneNumberIds(text),
        });
        throw new HttpProblem(401, "unauthenticated", "Bad signature", "X-Hub-Signature-256 does not match the body.");
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw invalidRequest("The body is not valid JSON.");
      }
      const routes = new Map(candidateRoutes.map((known) => [known.phoneNumberId, known]));
      const unscanned = phoneNumberIdsOf(json).filter((id) => !routes.has(id));
      for (const known of await routesFor(services, unscanned)) routes.set(known.phoneNumberId, known);
      // Each change counts only when the body is signed with the secret of the account it is for;
      // a number nobody connected is acknowledged and ignored, as before.
      const accepted = acceptedChanges(json, (phoneNumberId) => {
        const known = routes.get(phoneNumberId);
        const secret = known ? signingSecretOf(services, known) : null;
        return !known || (secret !== null && signedWith.has(secret));
      });
      for (const dropped of accepted.dropped) {
        const known = routes.get(dropped.phoneNumberId);
        recordRefusedWebhookSignature(services, request, {
          reason: "not_its_accounts_secret",
          routed: known ? [known] : [],
          namedPhoneNumberIds: [dropped.phoneNumberId],
        });
        services.logger.warn(
          { phoneNumberId: dropped.phoneNumberId, wabaId: dropped.entryId },
          "WhatsApp webhook change not signed with its account's app secret; dropped",
        );
      }
      let events: ReturnType<typeof parseWebhook>;
      try {
        events = parseWebhook(accepted.body);
      } catch (error) {
        // Answer 200 all the same: Meta would redeliver a payload we can never read for days.
        if (error instanceof WebhookPayloadError) services.logger.warn({ issues: error.issues }, "unreadable WhatsApp webhook");
        else throw error;
        return { status: 200, body: { received: 0 } };
      }
      let received = 0;
      const statuses: StatusUpdate[] = [];
      for (const event of events) {
        const target = routes.get(event.phoneNumberId);
        if (!target) continue;
        if (event.kind === "message") {
          // Stored with whatever other webhooks arrive meanwhile (inbound-batches.ts); answered after the commit.
          await inboundBatches(services).ingest({
            workspaceId: target.workspaceId,
            accountId: target.accountId,
            from: { phone: event.from.phone ?? null, bsuid: event.from.bsuid ?? null, name: event.contactName ?? null },
            providerMessageId: event.wamid,
            text: event.text,
            receivedAt: event.timestamp,
            ...(event.replyToWamid ? { replyToWamid: event.replyToWamid } : {}),
            ...(event.rich ? { rich: event.rich } : {}),
            media: event.media && inboundMediaOf(event.type, event.media),
          });
        } else if (event.kind === "reaction") {
          await applyCustomerReaction(
            services.database.db,
            {
              workspaceId: target.workspaceId,
              accountId: target.accountId,
              targetWamid: event.targetWamid,
              emoji: event.emoji,
              at: event.timestamp,
              wamid: event.wamid,
            },
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
