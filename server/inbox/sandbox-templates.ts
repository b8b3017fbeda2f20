import type { MessageTemplate } from "../whatsapp/cloud-client";
import { CloudApiError } from "../whatsapp/cloud-client";
import { positionalParameterCount } from "../whatsapp/template-review";
import type { OutboundContent } from "./providers";

/**
 * The message templates of every sandbox line's imaginary WhatsApp Business Account. Meta reviews
 * a template before it may be sent; the sandbox has them registered and approved already, and
 * keeps one PENDING and one REJECTED so the UI shows each state (the lifecycle: Meta, "Template
 * management", https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management).
 */
export const sandboxTemplates: readonly MessageTemplate[] = [
  {
    id: "sbx-tpl-order-update",
    name: "order_update",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    bodyText: "Hi {{1}}, your order {{2}} is on its way.",
  },
  {
    id: "sbx-tpl-appointment-reminder",
    name: "appointment_reminder",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    bodyText: "Hello {{1}}, a reminder of your appointment on {{2}}. Reply to this message to change it.",
  },
  {
    id: "sbx-tpl-follow-up",
    name: "follow_up",
    language: "en_US",
    status: "APPROVED",
    category: "MARKETING",
    bodyText: "Hi {{1}}, following up on our conversation: is there anything else we can help with?",
  },
  {
    id: "sbx-tpl-spring-sale",
    name: "spring_sale",
    language: "en_US",
    status: "PENDING",
    category: "MARKETING",
    bodyText: "Our spring sale starts today: {{1}} off.",
  },
  { id: "sbx-tpl-win-back", name: "win_back", language: "en_US", status: "REJECTED", category: "MARKETING", bodyText: "We miss you! Come back for {{1}} off." },
];

/**
 * Refuses a template send as the Cloud API would (Meta, "Error codes",
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes):
 * 132001 when the template does not exist in that language or is not approved, 132000 when the
 * number of body parameters differs from the template's. Text passes (the window is checked before).
 */
export function assertSandboxTemplateSendable(content: OutboundContent): void {
  if (content.kind !== "template") return;
  const template = sandboxTemplates.find((candidate) => candidate.name === content.name && candidate.language === content.languageCode);
  if (template?.status !== "APPROVED") {
    const reason = template
      ? `template ${content.name} is ${template.status}, not approved`
      : `template name (${content.name}) does not exist in ${content.languageCode}`;
    throw sandboxError(132001, "(#132001) Template name does not exist in the translation", reason);
  }
  const expected = positionalParameterCount(template.bodyText);
  if (content.bodyParameters.length !== expected) {
    throw sandboxError(
      132000,
      "(#132000) Number of parameters does not match the expected number of params",
      `body: number of localizable_params (${content.bodyParameters.length}) does not match the expected number of params (${expected})`,
    );
  }
}

function sandboxError(code: number, message: string, details: string) {
  return new CloudApiError("other", message, { code, subcode: null, httpStatus: 400, details, retryable: false, retryAfterMs: null, fbtraceId: null });
}
