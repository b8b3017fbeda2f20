import { toCsv } from "./csv";

/** An uploaded CSV: its header row and data rows. */
export type RecipientFile = { fileName: string; columns: string[]; rows: string[][] };
/** Which column holds the phone, the name (optional, "" for none) and each template variable. */
export type ColumnMapping = { phone: string; name: string; variables: Record<string, string> };

/** The template variables a column fills; {{phone}} and {{name}} come from the phone and name columns. */
export const mappedVariables = (variables: string[]) => variables.filter((name) => name !== "phone" && name !== "name");

const findColumn = (columns: string[], ...names: string[]) => columns.find((column) => names.includes(column.trim().toLowerCase())) ?? "";

/** A first guess: columns named like the field (phone/mobile/number, name, the variable's own name). */
export function guessMapping(columns: string[], variables: string[]): ColumnMapping {
  return {
    phone: findColumn(columns, "phone", "mobile", "number", "phone number", "whatsapp") || (columns[0] ?? ""),
    name: findColumn(columns, "name", "full name", "first name", "first_name"),
    variables: Object.fromEntries(mappedVariables(variables).map((variable) => [variable, findColumn(columns, variable.toLowerCase())])),
  };
}

/**
 * The CSV the server reads (header `phone`, `name`, then one column per variable) from the mapped
 * columns only, one row per data row, so the server's row numbers are the file's.
 */
export function mappedCsv(file: RecipientFile, mapping: ColumnMapping): string {
  const variables = Object.keys(mapping.variables);
  const cell = (row: string[], column: string) => (column ? (row[file.columns.indexOf(column)] ?? "") : "");
  return toCsv([
    ["phone", "name", ...variables],
    ...file.rows.map((row) => [
      cell(row, mapping.phone),
      cell(row, mapping.name),
      ...variables.map((variable) => cell(row, mapping.variables[variable] ?? "")),
    ]),
  ]);
}
