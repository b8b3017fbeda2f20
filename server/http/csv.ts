import { stringify } from "csv-stringify/sync";

// Every CSV download goes through here, so a cell a spreadsheet would run as a formula (CSV
// injection: a contact named `=HYPERLINK(...)`, a user agent `@SUM(1)`) never leaves the server
// unescaped. csv-stringify's escape_formulas prefixes such a cell (leading =, +, -, @, tab, CR and
// their full-width forms) with a `'`, which makes spreadsheets read it as text.

/** A strict E.164 number: `+`, then digits only — a number, never a formula or a DDE call. */
const e164 = /^\+[1-9]\d{6,14}$/;
/** A masked number (server/permissions/numbers.ts maskPhone): a country code, dots and two digits — no formula either. */
const maskedNumber = /^\+[1-9]\d{0,3} ••• ••• \d{2}$/;

export type CsvOptions<Column extends string> = {
  columns: readonly Column[];
  /**
   * Columns holding phone numbers we normalized to E.164 ourselves. They start with `+`, and
   * escaping would turn `+4915…` into `'+4915…` in every viewer and on re-import; a cell that
   * is strict E.164 (or a masked number, "+49 ••• ••• 12") is left as it is. Any other value in
   * these columns is escaped as usual.
   */
  phoneColumns?: readonly Column[];
};

/** Renders rows as CSV with a header, neutralizing cells that would start a spreadsheet formula. */
export function toCsv<Column extends string>(rows: Record<Column, string | null | undefined>[], options: CsvOptions<Column>): string {
  const phoneColumns = new Set<string>(options.phoneColumns ?? []);
  return stringify(rows, {
    header: true,
    columns: [...options.columns],
    escape_formulas: true,
    cast: {
      string: (value, context) =>
        typeof context.column === "string" && phoneColumns.has(context.column) && (e164.test(value) || maskedNumber.test(value))
          ? { value, escape_formulas: false }
          : value,
    },
  });
}
