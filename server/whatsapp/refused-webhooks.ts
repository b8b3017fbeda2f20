import type { Request } from "express";
import { recordSecurityEvent } from "../audit/security-events";
import type { Services } from "../services";

type RoutedNumber = { phoneNumberId: string; workspaceId: string; accountId: string };

/**
 * Records a refused webhook signature (without waiting): one `webhook.signature_refused` in the
 * activity log of each workspace whose numbers the body names, or one global event when it names
 * none of ours. The ids are only what an unverified body claims; the budget in
 * recordSecurityEvent keeps a flood of forgeries from filling any log.
 */
export function recordRefusedWebhookSignature(
  services: Services,
  request: Request,
  refusal: { reason: "no_matching_secret" | "not_its_accounts_secret"; routed: RoutedNumber[]; namedPhoneNumberIds: string[] },
): void {
  const meta = { ip: request.ip ?? null, userAgent: request.get("user-agent") ?? null };
  const byWorkspace = new Map<string, RoutedNumber[]>();
  for (const routed of refusal.routed) byWorkspace.set(routed.workspaceId, [...(byWorkspace.get(routed.workspaceId) ?? []), routed]);
  for (const [workspaceId, numbers] of byWorkspace) {
    void recordSecurityEvent(services, {
      kind: "webhook.signature_refused",
      workspaceId,
      targetType: "whatsapp_account",
      targetId: numbers[0]?.accountId ?? null,
      ...meta,
      detail: { reason: refusal.reason, phoneNumberIds: numbers.map((routed) => routed.phoneNumberId) },
    });
  }
  if (byWorkspace.size === 0) {
    void recordSecurityEvent(services, {
      kind: "webhook.signature_refused",
      ...meta,
      detail: { reason: refusal.reason, phoneNumberIds: refusal.namedPhoneNumberIds },
    });
  }
}
