import type { GraphFailure } from "./graph-api-errors";

/**
 * Meta's rules for sending a template message, as the fake Graph API enforces them. Sources:
 * Meta, "Send message templates" and "Template management"
 * (developers.facebook.com/documentation/business-messaging/whatsapp/templates/...): a template is
 * addressed by (name, language) in the WABA of the sending number; its HEADER/BODY text holds
 * positional {{1}} or, with parameter_format NAMED, named {{first_name}} placeholders, each of
 * which the send must fill once, in a component of the same type; a media header takes one
 * parameter of its format; a URL button with {{1}} takes one text parameter. Meta, "WhatsApp
 * error codes": 132001 (does not exist in that language, or not approved), 132015 (paused),
 * 132016 (disabled), 131008 (a text parameter without text), 132000 (parameter count), 132012
 * (parameter format). See shared/reference/whatsapp.md §2 and §9.
 */
export type MetaTemplate = Record<string, unknown>;

/** A template as a test registers it; it is stored in Meta's listing shape. */
export type TemplateRegistration = {
  name: string;
  language: string;
  /** APPROVED unless told (PENDING, REJECTED, PAUSED, DISABLED, …). */
  status?: string;
  category?: "UTILITY" | "MARKETING" | "AUTHENTICATION";
  /** The BODY text, with {{1}} or (parameterFormat NAMED) {{name}} placeholders. */
  body: string;
  header?: { format: "TEXT"; text: string } | { format: "IMAGE" | "VIDEO" | "DOCUMENT" | "LOCATION" };
  /** URL buttons; a url ending in {{1}} takes a parameter. */
  urlButtons?: { text: string; url: string }[];
  parameterFormat?: "POSITIONAL" | "NAMED";
};

type SentParameter = { type?: unknown; text?: unknown; parameter_name?: unknown; [key: string]: unknown };
type SentComponent = { type: string; sub_type?: string; index?: string; parameters?: SentParameter[] };
export type SentTemplate = { name: string; language: { code: string }; components?: SentComponent[] };

/** Meta's listing shape (GET /{waba-id}/message_templates) for a registration. */
export function metaTemplateOf(template: TemplateRegistration, id: string): MetaTemplate {
  const components: Record<string, unknown>[] = [];
  if (template.header) components.push({ type: "HEADER", ...template.header });
  components.push({ type: "BODY", text: template.body });
  if (template.urlButtons?.length) components.push({ type: "BUTTONS", buttons: template.urlButtons.map((button) => ({ type: "URL", ...button })) });
  return {
    name: template.name,
    parameter_format: template.parameterFormat ?? "POSITIONAL",
    components,
    language: template.language,
    status: template.status ?? "APPROVED",
    category: template.category ?? "UTILITY",
    id,
  };
}

/** Meta's refusal of a template send, or null when Meta would accept it. */
export function templateSendFailure(templates: MetaTemplate[], sent: SentTemplate): GraphFailure | null {
  const language = sent.language.code;
  const template = templates.find((candidate) => candidate.name === sent.name && candidate.language === language);
  const status = typeof template?.status === "string" ? template.status : null;
  if (!template || (status !== "APPROVED" && status !== "PAUSED" && status !== "DISABLED")) {
    return { code: 132001, details: `template name (${sent.name}) does not exist in ${language}` };
  }
  if (status === "PAUSED") return { code: 132015 };
  if (status === "DISABLED") return { code: 132016 };

  const sentComponents = sent.components ?? [];
  for (const component of sentComponents) {
    for (const parameter of component.parameters ?? []) {
      const missing = missingValueOf(parameter);
      if (missing) return { code: 131008, details: missing };
    }
  }
  const named = template.parameter_format === "NAMED";
  const expected = expectedSlots(template);
  for (const slot of expected) {
    const given = sentComponents.filter((component) => slotKey(component) === slot.key).flatMap((component) => component.parameters ?? []);
    if (given.length !== slot.placeholders.length) return countMismatch(slot.label, given.length, slot.placeholders.length);
    const misfit = given.find((parameter, index) => !fits(parameter, slot, named && given.slice(0, index)));
    if (misfit) return { code: 132012, details: `${slot.label}: parameter ${JSON.stringify(misfit)} does not match the template's ${slot.format} format` };
  }
  // A component the template has no slot for: Meta counts its parameters against zero.
  const extra = sentComponents.find((component) => (component.parameters?.length ?? 0) > 0 && !expected.some((slot) => slot.key === slotKey(component)));
  if (extra) return countMismatch(labelOf(extra), extra.parameters?.length ?? 0, 0);
  return null;
}

type Slot = { key: string; label: string; format: string; placeholders: string[] };

function expectedSlots(template: MetaTemplate): Slot[] {
  const components = Array.isArray(template.components) ? (template.components as Record<string, unknown>[]) : [];
  const slots: Slot[] = [];
  for (const component of components) {
    const type = String(component.type ?? "").toUpperCase();
    const format = String(component.format ?? "TEXT").toUpperCase();
    if (type === "HEADER") {
      const placeholders = format === "TEXT" ? placeholdersOf(component.text) : [format];
      if (placeholders.length > 0) slots.push({ key: "header", label: "header", format, placeholders });
    } else if (type === "BODY") {
      const placeholders = placeholdersOf(component.text);
      if (placeholders.length > 0) slots.push({ key: "body", label: "body", format: "TEXT", placeholders });
    } else if (type === "BUTTONS" && Array.isArray(component.buttons)) {
      (component.buttons as Record<string, unknown>[]).forEach((button, index) => {
        const placeholders = String(button.type).toUpperCase() === "URL" ? placeholdersOf(button.url) : [];
        if (placeholders.length > 0) slots.push({ key: `button:url:${index}`, label: `button ${index}`, format: "TEXT", placeholders });
      });
    }
  }
  return slots;
}

function placeholdersOf(text: unknown): string[] {
  if (typeof text !== "string") return [];
  return [...new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((match) => match[1] as string))];
}

function slotKey(component: SentComponent): string {
  const type = component.type.toLowerCase();
  return type === "button" ? `button:${String(component.sub_type ?? "").toLowerCase()}:${component.index ?? ""}` : type;
}

function labelOf(component: SentComponent): string {
  return component.type.toLowerCase() === "button" ? `button ${component.index ?? ""}` : component.type.toLowerCase();
}

function countMismatch(label: string, given: number, expected: number): GraphFailure {
  return { code: 132000, details: `${label}: number of localizable_params (${given}) does not match the expected number of params (${expected})` };
}

/** Meta: "Parameter of type text is missing text value" — the same for a media parameter without its object. */
function missingValueOf(parameter: SentParameter): string | null {
  const type = typeof parameter.type === "string" ? parameter.type : "";
  if (type === "") return "Parameter type is missing";
  if (type === "text") return typeof parameter.text === "string" && parameter.text.trim() !== "" ? null : "Parameter of type text is missing text value";
  const value = parameter[type];
  return value && typeof value === "object" ? null : `Parameter of type ${type} is missing ${type} value`;
}

// Body and text-header placeholders take text (currency and date_time are text-like in Meta's
// reference); a media header takes its own format; a named template wants each of its names once
// (`earlier` are the slot's parameters before this one), a positional one wants no names.
function fits(parameter: SentParameter, slot: Slot, earlier: SentParameter[] | false): boolean {
  const type = String(parameter.type).toLowerCase();
  if (slot.format !== "TEXT") return type === slot.format.toLowerCase();
  if (slot.key.startsWith("button:")) return type === "text";
  if (!["text", "currency", "date_time"].includes(type)) return false;
  const name = parameter.parameter_name;
  if (earlier === false) return name === undefined;
  return typeof name === "string" && slot.placeholders.includes(name) && !earlier.some((other) => other.parameter_name === name);
}
