// What both UIs show about a template before it is sent, and the sandbox checks when it is: its
// review state and the number of body parameters. It imports nothing, so extension/ may import it
// as a value (test/docs/boundaries.test.ts).

/** A template as GET /templates shows it, as far as sending it goes. */
export type ReviewedTemplate = { source: "local" | "meta"; metaStatus: string | null };

/**
 * Meta reviews a template before it may be sent: pending → approved or rejected, later perhaps
 * paused or disabled (Meta, "Template management",
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management).
 * A synced template is sendable only while APPROVED; a local one names a template the member vouches for.
 */
export function templateReview(template: ReviewedTemplate): { sendable: boolean; label: string } {
  if (template.source === "local" || template.metaStatus === "APPROVED") return { sendable: true, label: "approved" };
  return { sendable: false, label: (template.metaStatus ?? "unknown").toLowerCase() };
}

/** How many positional parameters ({{1}}, {{2}}, …) a template body takes: the highest position. */
export function positionalParameterCount(body: string | null): number {
  return Math.max(0, ...[...(body ?? "").matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((match) => Number(match[1])));
}

/** The templates that name a WhatsApp template (name and language), the sendable first, each group by name: what a picker offers. */
export function pickerChoices<Template extends ReviewedTemplate & { metaTemplateName: string | null; metaLanguage: string | null }>(
  templates: Template[],
): Template[] {
  return templates
    .filter((template) => template.metaTemplateName && template.metaLanguage)
    .sort((a, b) => Number(templateReview(b).sendable) - Number(templateReview(a).sendable) || `${a.metaTemplateName}`.localeCompare(`${b.metaTemplateName}`));
}
