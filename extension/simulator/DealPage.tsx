import type { ReactNode } from "react";
import { noteText, useDemoCrmTimeline } from "./crm-record";
import type { SimulatedRecord } from "./setup";

const money = (value: NonNullable<SimulatedRecord["value"]>) =>
  new Intl.NumberFormat("en", { style: "currency", currency: value.currency, maximumFractionDigits: 0 }).format(value.amount);
const when = (iso: string) => new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });

/** A Pipedrive deal (or person) detail view: the header, the sidebar with the app's panel, the history. */
export function DealPage({ record, fromDemoCrm, panel }: { record: SimulatedRecord; fromDemoCrm: boolean; panel: ReactNode }) {
  const timeline = useDemoCrmTimeline(fromDemoCrm, record.resource, record.id);
  return (
    <>
      <div className="pd-dealbar">
        <h1>{record.title}</h1>
        {record.value && <span className="pd-value">{money(record.value)}</span>}
        {record.stage && <span className="pd-stage">{record.stage}</span>}
        {record.resource === "deal" && (
          <span className="pd-actions">
            <button type="button" className="pd-won">
              Won
            </button>
            <button type="button" className="pd-lost">
              Lost
            </button>
          </span>
        )}
      </div>
      <div className="pd-body">
        <aside className="pd-sidebar">
          {record.person && (
            <section className="pd-card" aria-label="Person">
              <h2>Person</h2>
              <p>
                <strong>{record.person.name}</strong>
                {record.person.org && (
                  <>
                    <br />
                    <span className="pd-muted">{record.person.org}</span>
                  </>
                )}
              </p>
              {record.person.phones.map((phone) => (
                <p key={phone.value} className="pd-phone">
                  {phone.value} <span className="pd-muted">({phone.label})</span>
                </p>
              ))}
            </section>
          )}
          {panel}
        </aside>
        <main className="pd-timeline">
          <h2>Focus</h2>
          <div className="pd-placeholder">No activities planned. Schedule an activity.</div>
          <h2>History</h2>
          {!fromDemoCrm && <div className="pd-placeholder">The history lives in the real CRM (this page is not showing the demo CRM).</div>}
          {fromDemoCrm && timeline.notes.length === 0 && timeline.activities.length === 0 && (
            <div className="pd-placeholder">No notes yet. Messages sent or received in Switchboard are logged here.</div>
          )}
          <ul className="pd-history" aria-label="History">
            {timeline.notes.map((note) => (
              <li key={`note-${note.id}`} className="pd-note">
                <p className="pd-muted">
                  Note · {note.author} · {when(note.updatedAt)}
                  {note.onDeal === null && " · on the person"}
                </p>
                <div className="pd-note-body">{noteText(note.html)}</div>
              </li>
            ))}
            {timeline.activities.map((activity) => (
              <li key={`activity-${activity.id}`} className="pd-note">
                <p className="pd-muted">
                  Activity{activity.done ? " (done)" : ""} · {activity.owner} · {when(activity.updatedAt)}
                </p>
                <strong>{activity.subject}</strong>
                <div className="pd-note-body">{noteText(activity.html)}</div>
              </li>
            ))}
          </ul>
        </main>
      </div>
    </>
  );
}
