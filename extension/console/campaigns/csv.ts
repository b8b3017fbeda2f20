// CSV as RFC 4180 writes it: fields separated by commas, quoted when they hold a comma, a quote or
// a line break, quotes doubled inside. The builder reads the file in the browser to map its
// columns, then sends the server a CSV of the mapped columns only.

/** The rows of a CSV text (a leading BOM dropped, blank lines skipped, cells trimmed). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const source = text.replace(/^\uFEFF/, "");
  const endCell = () => {
    row.push(cell.trim());
    cell = "";
  };
  const endRow = () => {
    endCell();
    if (row.some((value) => value !== "")) rows.push(row);
    row = [];
  };
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (quoted) {
      if (char === '"' && source[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") endCell();
    else if (char === "\n") endRow();
    else if (char !== "\r") cell += char;
  }
  if (cell !== "" || row.length > 0) endRow();
  return rows;
}

const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Rows as CSV text. */
export function toCsv(rows: string[][]): string {
  return rows.map((row) => row.map(quote).join(",")).join("\n");
}
