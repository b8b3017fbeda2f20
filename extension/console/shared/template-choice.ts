// What the template picker and the Templates page work out from a template: which ones a chat may
// be sent, a label and a value for each variable, the text the customer will read. The filling
// rules are the server's (server/campaigns/variables.ts imports nothing, so it may be imported here).
import { fillTemplate, positionalParameters, variablesOf } from "../../../server/campaigns/variables";
import { templateReview } from "../../../server/whatsapp/template-review";
import { isMaskedPhone } from "../../shared/masked-phone";

/** A template as GET /templates presents it, as far as choosing and sending it goes. */
export type TemplateChoice = {
  id: string;
  name: string;
  body: string;
  source: "local" | "meta";
  metaTemplateName: string | null;
  metaLanguage: string | null;
  metaStatus: string | null;
  metaCategory: string | null;
  accountId: string | null;
};

/** The `template` of POST /chats/{id}/messages and POST /chats. */
export type TemplateContent = { name: string; languageCode: string; bodyParameters: string[] };

/** What the chat knows about the customer, to fill variables with. */
export type ContactFacts = { name: string | null; phone: string | null };

/** One variable of a template: its key in the body, a label a member understands, and its value. */
export type TemplateVariable = { key: string; label: string; value: string };

/**
 * The templates a chat on `accountId` may be sent: approved (or written here), naming a WhatsApp
 * template, and synced from that account's WhatsApp Business Account (or tied to none).
 */
export function sendableTemplates(templates: TemplateChoice[], accountId: string): TemplateChoice[] {
  return templates
    .filter((template) => template.metaTemplateName && template.metaLanguage && templateReview(template).sendable)
    .filter((template) => template.accountId === null || template.accountId === accountId)
    .sort((a, b) => `${a.metaTemplateName}`.localeCompare(`${b.metaTemplateName}`));
}

/** The languages the templates come in, each once, in order. */
export function languagesOf(templates: TemplateChoice[]): string[] {
  return [...new Set(templates.map((template) => template.metaLanguage ?? ""))].filter(Boolean).sort();
}

/**
 * The language to offer first: the chat's, when a template comes in it; then the member's browser
 * language (en-GB matches en_GB, then any en); else the first there is.
 */
export function preferredLanguage(languages: string[], wanted: readonly (string | null | undefined)[]): string {
  for (const locale of wanted) {
    if (!locale) continue;
    const code = locale.replace("-", "_");
    const exact = languages.find((language) => language.toLowerCase() === code.toLowerCase());
    if (exact) return exact;
    const base = code.split("_")[0]?.toLowerCase();
    const sameBase = languages.find((language) => language.split("_")[0]?.toLowerCase() === base);
    if (sameBase) return sameBase;
  }
  return languages[0] ?? "";
}

const greeting = /\b(hi|hello|hey|dear|hola|bonjour|hallo|ciao|olá|ola)\s*,?\s*$/i;

/** The few words before a variable (or after it, when it opens the text), to label its field. */
function surroundingWords(body: string, key: string): { before: string; after: string } {
  const at = body.search(new RegExp(`\\{\\{\\s*${key.replace(/[.]/g, "\\.")}\\s*\\}\\}`));
  const before = body
    .slice(0, Math.max(0, at))
    .replace(/\{\{[^}]*\}\}/g, "…")
    .split(/\s+/)
    .filter(Boolean)
    .slice(-3)
    .join(" ");
  const after = body
    .slice(at)
    .replace(/^\{\{[^}]*\}\}/, "")
    .replace(/\{\{[^}]*\}\}/g, "…")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 3)
    .join(" ");
  return { before, after };
}

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? name;

/**
 * The template's variables, each with a label ("Name", "your order …") and a value from the
 * contact: a named {{name}} or {{phone}} from the contact, a numbered one right after a greeting
 * ("Hi {{1}},") the contact's first name; the rest start empty.
 */
export function templateVariables(body: string, contact: ContactFacts): TemplateVariable[] {
  return variablesOf(body).map((key) => {
    if (key === "name") return { key, label: "Name", value: contact.name ?? "" };
    // A masked number ("+49 ••• ••• 12") is not the customer's number: the member types it, if they know it.
    if (key === "phone") return { key, label: "Phone", value: contact.phone && !isMaskedPhone(contact.phone) ? contact.phone : "" };
    const { before, after } = surroundingWords(body, key);
    if (greeting.test(before)) return { key, label: "Name", value: contact.name ? firstName(contact.name) : "" };
    if (!/^\d+$/.test(key)) return { key, label: key.replace(/[_.-]+/g, " ").replace(/^./, (letter) => letter.toUpperCase()), value: "" };
    return { key, label: before ? `${before.replace(/[:,]$/, "")} …` : `… ${after}`, value: "" };
  });
}

/** Example values for a library preview: the greeting's name, and a sample for the rest. */
export function exampleVariables(body: string): TemplateVariable[] {
  return templateVariables(body, { name: "Alex", phone: "+44 20 7946 0958" }).map((variable) => {
    if (variable.value) return variable;
    const { before, after } = surroundingWords(body, variable.key);
    if (/\b(on|at|by|until)$/i.test(before)) return { ...variable, value: "12 March, 10:00" };
    if (/\b(order|number|code|reference|ref|invoice|#)$/i.test(before)) return { ...variable, value: "A-1042" };
    if (/^(off|discount)\b/i.test(after)) return { ...variable, value: "20%" };
    return { ...variable, value: "sample" };
  });
}

export const valuesOf = (variables: TemplateVariable[]): Record<string, string> =>
  Object.fromEntries(variables.map((variable) => [variable.key, variable.value]));

/** A WhatsApp template's name as words: order_update → "Order update". */
export const templateTitle = (template: TemplateChoice): string =>
  (template.metaTemplateName ?? template.name).replace(/_+/g, " ").replace(/^./, (letter) => letter.toUpperCase());

/** The text the customer will read; an empty variable shows as […]. */
export function previewText(body: string, variables: TemplateVariable[]): string {
  const values = Object.fromEntries(variables.map((variable) => [variable.key, variable.value.trim() ? variable.value : "[…]"]));
  return fillTemplate(body, values);
}

/** What the send routes take: the WhatsApp template's name, language and the body's values by position. */
export function templateContent(template: TemplateChoice, variables: TemplateVariable[]): TemplateContent {
  return {
    name: template.metaTemplateName ?? "",
    languageCode: template.metaLanguage ?? "",
    bodyParameters: positionalParameters(template.body, valuesOf(variables)).map((value) => value.trim()),
  };
}
