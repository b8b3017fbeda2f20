// A template's body holds variables such as {{name}}, {{phone}} or {{order_id}}, filled per
// recipient. Meta's own templates number theirs ({{1}}, {{2}}); both are just keys here.

const variablePattern = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/g;

/** The values one recipient fills a template with: phone and name, then their own variables. */
export type VariableValues = Record<string, string>;

/** The variable names a body uses, each once, in order of first appearance. */
export function variablesOf(body: string): string[] {
  return [...new Set([...body.matchAll(variablePattern)].map((match) => match[1] as string))];
}

/**
 * The values for one recipient. `phone` and `name` come from the recipient; a recipient's own
 * variables may not override them. Later sources (CRM fields) add to the same map.
 */
export function recipientValues(recipient: { phone: string; name: string | null; variables: Record<string, string> }): VariableValues {
  return { ...recipient.variables, phone: recipient.phone, ...(recipient.name ? { name: recipient.name } : {}) };
}

/** The variables of `body` that `values` leaves empty: such a recipient is not sent to. */
export function missingVariables(body: string, values: VariableValues): string[] {
  return variablesOf(body).filter((name) => !values[name]?.trim());
}

/** The body with every variable replaced by its value (an unknown one by nothing). */
export function fillTemplate(body: string, values: VariableValues): string {
  return body.replace(variablePattern, (_match, name: string) => values[name] ?? "");
}

/**
 * Meta's templates take their body parameters by position: the values of the body's variables
 * in order of first appearance ({{1}}, {{2}}, … or named ones mapped to Meta's positions).
 */
export function positionalParameters(body: string, values: VariableValues): string[] {
  return variablesOf(body).map((name) => values[name] ?? "");
}
