import { countryName } from "../shared/phone-format";
import type { CampaignPreview, CampaignSettings } from "./types";

/** "Rows 1, 4 and 2 more had no country code: read as numbers of United Kingdom (GB)." */
function nationalRowsSentence(national: NonNullable<CampaignPreview["readWithDefaultCountry"]>): string {
  const more = national.count - national.rows.length;
  const rows = `${national.count === 1 ? "Row" : "Rows"} ${national.rows.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
  return `${rows} had no country code: read as ${national.count === 1 ? "a number" : "numbers"} of ${countryName(national.country)} (${national.country}).`;
}

/** The server's dry run: the first messages as they will read, every rejected row, and the guard rails. */
export function PreviewPanel({ preview, settings }: { preview: CampaignPreview; settings: CampaignSettings | undefined }) {
  const rejected = [
    ...preview.rejected.duplicates.map((row) => ({ row: row.row, phone: row.phone, reason: `the same number as row ${row.firstRow}` })),
    ...preview.rejected.invalid,
  ].sort((a, b) => a.row - b.row);
  return (
    <section className="campaign-preview" aria-label="Preview">
      <h3>
        {preview.recipientCount} {preview.recipientCount === 1 ? "recipient gets" : "recipients get"} the message
      </h3>
      {preview.readWithDefaultCountry && (
        <p className="muted" role="note">
          {nationalRowsSentence(preview.readWithDefaultCountry)}
        </p>
      )}
      {preview.sample.length > 0 && (
        <table className="data-table" aria-label="First recipients">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Phone</th>
              <th scope="col">Name</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {preview.sample.map((row) => (
              <tr key={row.row}>
                <td>{row.row}</td>
                <td>{row.phone}</td>
                <td>{row.name ?? ""}</td>
                <td dir="auto">{row.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rejected.length > 0 && (
        <>
          <h4>
            {rejected.length} {rejected.length === 1 ? "row is" : "rows are"} left out
          </h4>
          <table className="data-table" aria-label="Rejected rows">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Phone</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {rejected.map((row) => (
                <tr key={row.row}>
                  <td>{row.row}</td>
                  <td>{row.phone}</td>
                  <td>{row.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <GuardRails preview={preview} settings={settings} />
    </section>
  );
}

function GuardRails({ preview, settings }: { preview: CampaignPreview; settings: CampaignSettings | undefined }) {
  return (
    <div className="campaign-guard-rails" role="status" aria-label="Guard rails">
      {settings && (
        <ul>
          <li>
            Workspace today: {settings.today.workspaceRecipients} recipients
            {settings.dailyRecipientCap === null ? " (no daily cap)" : ` of ${settings.dailyRecipientCap} a day`}
          </li>
          {settings.today.yourCap !== null && (
            <li>
              You today: {settings.today.yourRecipients} of your role's {settings.today.yourCap} a day
            </li>
          )}
          <li>
            {settings.approvalThreshold === null
              ? "No campaign needs approval."
              : `Campaigns over ${settings.approvalThreshold} recipients wait for approval by someone who manages the team.`}
          </li>
        </ul>
      )}
      {preview.needsApproval && <p className="notice">Needs approval: it waits until someone who manages the team approves it; nothing is sent before.</p>}
      {preview.overCap && <p className="problem">Over today's cap: {preview.overCap}</p>}
    </div>
  );
}
