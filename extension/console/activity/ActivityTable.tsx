import type { AuditEntry } from "../api/types";
import { entrySentence, type RecordNames } from "./entry-sentence";

type ActivityTableProps = { entries: AuditEntry[]; actorName(memberId: string | null): string; names: RecordNames };

/** Activity-log entries, newest first: who, a sentence of what happened, and the raw entry behind "Details". */
export function ActivityTable({ entries, actorName, names }: ActivityTableProps) {
  return (
    <table className="data-table activity" aria-label="Activity log entries">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What happened</th>
          <th scope="col">IP</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id} data-action={entry.action}>
            <td className="nowrap">{new Date(entry.at).toLocaleString()}</td>
            <td>{actorName(entry.actorId)}</td>
            <td>
              <span className="activity-sentence">{entrySentence(entry, actorName(entry.actorId), names)}</span>
              <details className="details">
                <summary>Details</summary>
                <code>{JSON.stringify({ action: entry.action, targetType: entry.targetType, targetId: entry.targetId, details: entry.details ?? null })}</code>
              </details>
            </td>
            <td className="nowrap">{entry.ip ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
