import { SelectField } from "../shared/fields";
import { parseCsv } from "./csv";
import { type ColumnMapping, guessMapping, mappedVariables, type RecipientFile } from "./recipient-mapping";

type Props = {
  variables: string[];
  file: RecipientFile | null;
  mapping: ColumnMapping | null;
  onFile(file: RecipientFile | null, mapping: ColumnMapping | null): void;
  onMapping(mapping: ColumnMapping): void;
};

/** Upload a CSV, then say which column is the phone, the name, and each of the template's variables. */
export function RecipientsStep({ variables, file, mapping, onFile, onMapping }: Props) {
  const read = async (chosen: File | undefined) => {
    if (!chosen) return onFile(null, null);
    const [header = [], ...rows] = parseCsv(await chosen.text());
    const loaded = { fileName: chosen.name, columns: header, rows };
    onFile(loaded, guessMapping(header, variables));
  };
  const columnOptions = (optional: boolean) => [
    ...(optional ? [{ value: "", label: "— none —" }] : []),
    ...(file?.columns ?? []).filter(Boolean).map((column) => ({ value: column, label: column })),
  ];
  return (
    <fieldset className="campaign-step">
      <legend>Recipients</legend>
      <div className="field">
        <label htmlFor="campaign-csv">CSV file</label>
        <input
          id="campaign-csv"
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => void read(event.target.files?.[0])}
          aria-describedby="campaign-csv-hint"
        />
        <div className="hint" id="campaign-csv-hint">
          A header row, then one recipient a row. Numbers in international format (+44 20 7946 0958).
        </div>
      </div>
      {file && mapping && (
        <>
          <p className="muted">
            {file.fileName}: {file.rows.length} rows, columns {file.columns.join(", ")}
          </p>
          <div className="campaign-mapping">
            <SelectField label="Phone column" value={mapping.phone} options={columnOptions(false)} onChange={(phone) => onMapping({ ...mapping, phone })} />
            <SelectField
              label="Name column (optional)"
              value={mapping.name}
              options={columnOptions(true)}
              onChange={(name) => onMapping({ ...mapping, name })}
              hint={variables.includes("name") ? "fills {{name}}" : undefined}
            />
            {mappedVariables(variables).map((variable) => (
              <SelectField
                key={variable}
                label={`Column for {{${variable}}}`}
                value={mapping.variables[variable] ?? ""}
                options={columnOptions(true)}
                onChange={(column) => onMapping({ ...mapping, variables: { ...mapping.variables, [variable]: column } })}
              />
            ))}
          </div>
        </>
      )}
    </fieldset>
  );
}
