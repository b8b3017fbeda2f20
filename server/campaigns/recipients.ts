import { CsvError, parse } from "csv-parse/sync";
import { invalidRequest } from "../http/problem";
import { type CountryCode, readTypedPhone } from "../whatsapp/phone";
import { missingVariables, recipientValues } from "./variables";

/** The most recipients one campaign takes. */
export const maxRecipients = 50_000;

export type RecipientInput = { phone: string; name?: string | null; variables?: Record<string, string> };

/**
 * `row` is the recipient's 1-based position in the list (for CSV: the data row after the header);
 * `national`: the phone had no country code and was read with the default country.
 */
export type AcceptedRecipient = { row: number; phone: string; name: string | null; variables: Record<string, string>; national?: boolean };
export type DuplicateRecipient = { row: number; phone: string; firstRow: number };
export type InvalidRecipient = { row: number; phone: string; reason: string };

export type ParsedRecipients = { accepted: AcceptedRecipient[]; duplicates: DuplicateRecipient[]; invalid: InvalidRecipient[] };

/**
 * Normalizes every phone to E.164 and keeps the first row of each number: later rows with the
 * same number are duplicates, rows without a usable number are invalid; neither is sent.
 */
export function screenRecipients(inputs: RecipientInput[], options: { defaultCountry?: CountryCode } = {}): ParsedRecipients {
  const parsed: ParsedRecipients = { accepted: [], duplicates: [], invalid: [] };
  const firstRowOf = new Map<string, number>();
  inputs.forEach((input, index) => {
    const row = index + 1;
    const typed = readTypedPhone(input.phone, options.defaultCountry);
    if ("problem" in typed) {
      // An extension is explained (WhatsApp can't reach one); anything else stays "not a phone number".
      const reason = typed.extension ? `an extension (${typed.extension}) can't be messaged on WhatsApp` : "not a phone number";
      parsed.invalid.push({ row, phone: input.phone, reason });
      return;
    }
    const phone = typed.phone;
    const firstRow = firstRowOf.get(phone);
    if (firstRow !== undefined) {
      parsed.duplicates.push({ row, phone, firstRow });
      return;
    }
    firstRowOf.set(phone, row);
    parsed.accepted.push({ row, phone, name: input.name?.trim() || null, variables: input.variables ?? {}, ...(typed.national ? { national: true } : {}) });
  });
  return parsed;
}

/**
 * Reads CSV text with a header row: a `phone` column (required), an optional `name` column, and
 * every other column a variable named by its header. Malformed CSV is a 400 naming the line.
 */
export function recipientsFromCsv(text: string): RecipientInput[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, max_record_size: 10_000 });
  } catch (error) {
    if (error instanceof CsvError)
      throw invalidRequest(`The CSV could not be read: ${error.message}`, [{ path: "body.recipientsCsv", message: error.message }]);
    throw error;
  }
  const [header, ...rows] = records;
  const columns = (header ?? []).map((column) => column.trim());
  const phoneColumn = columns.findIndex((column) => column.toLowerCase() === "phone");
  if (phoneColumn < 0)
    throw invalidRequest("The CSV needs a header row with a `phone` column.", [{ path: "body.recipientsCsv", message: "no phone column in the header row" }]);
  if (rows.length > maxRecipients)
    throw invalidRequest(`A campaign takes at most ${maxRecipients} recipients.`, [{ path: "body.recipientsCsv", message: `more than ${maxRecipients} rows` }]);
  const nameColumn = columns.findIndex((column) => column.toLowerCase() === "name");
  return rows.map((cells) => {
    const variables: Record<string, string> = {};
    columns.forEach((column, index) => {
      const value = cells[index];
      if (index !== phoneColumn && index !== nameColumn && column && value) variables[column] = value;
    });
    return { phone: cells[phoneColumn] ?? "", name: nameColumn >= 0 ? (cells[nameColumn] ?? null) : null, variables };
  });
}

/** Moves accepted recipients that leave one of the body's variables empty to `invalid`. */
export function requireVariables(parsed: ParsedRecipients, body: string): ParsedRecipients {
  const accepted: AcceptedRecipient[] = [];
  const invalid = [...parsed.invalid];
  for (const recipient of parsed.accepted) {
    const missing = missingVariables(body, recipientValues(recipient));
    if (missing.length === 0) accepted.push(recipient);
    else invalid.push({ row: recipient.row, phone: recipient.phone, reason: `no value for ${missing.map((name) => `{{${name}}}`).join(", ")}` });
  }
  invalid.sort((a, b) => a.row - b.row);
  return { accepted, duplicates: parsed.duplicates, invalid };
}
