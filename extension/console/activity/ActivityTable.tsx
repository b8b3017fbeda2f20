import type { AuditEntry } from "../api/types";

function describeDetails(details: unknown): string {
  if (details === null || details === undefined) return "";
  if (typeof details === "object" && Object.keys(details).length === 0) return "";
  return JSON.stringify(details);
}

/** Activity-log entries, newest first, with actors and member targets shown by name. */
export function ActivityTable({ entries, actorName }: { entries: AuditEntry[]; actorName(memberId: string | null): string }) {
  return (
    <table className="data-table activity" aria-label="Activity log entries">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">IP</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td className="nowrap">{new Date(entry.at).toLocaleString()}</td>
            <td>{actorName(entry.actorId)}</td>
            <td>
              <code>{entry.action}</code>
            </td>
            <td>
              {entry.targetType}
              {entry.targetId && <div className="hint">{actorName(entry.targetId)}</div>}
            </td>
            <td className="nowrap">{entry.ip ?? ""}</td>
            <td className="details">
              <code>{describeDetails(entry.details)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
