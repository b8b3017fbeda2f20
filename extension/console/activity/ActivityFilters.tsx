import { type FormEvent, useState } from "react";
import type { Member } from "../api/types";
import { SelectField, TextField } from "../shared/fields";
import { type AuditFilters, knownAuditActions, noAuditFilters } from "./audit-filters";
import { actionLabel } from "./entry-sentence";

type ActivityFiltersProps = { members: Member[]; applied: AuditFilters; onApply(filters: AuditFilters): void };

export function ActivityFilters({ members, applied, onApply }: ActivityFiltersProps) {
  const [draft, setDraft] = useState<AuditFilters>(applied);
  const update = (change: Partial<AuditFilters>) => setDraft((previous) => ({ ...previous, ...change }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const actionOptions = [{ value: "", label: "Any action" }, ...[...knownAuditActions].sort().map((action) => ({ value: action, label: actionLabel(action) }))];
  const actorOptions = [{ value: "", label: "Anyone" }, ...members.map((member) => ({ value: member.id, label: member.name }))];

  return (
    <form className="inline-form filters" onSubmit={submit} aria-label="Filter the activity log">
      <SelectField label="Actor" value={draft.actorId} options={actorOptions} onChange={(actorId) => update({ actorId })} />
      <SelectField label="Action" value={draft.action} options={actionOptions} onChange={(action) => update({ action })} />
      <TextField label="From" type="datetime-local" value={draft.from} onChange={(from) => update({ from })} />
      <TextField label="To" type="datetime-local" value={draft.to} onChange={(to) => update({ to })} />
      <button type="submit" className="primary">
        Apply filters
      </button>
      <button
        type="button"
        onClick={() => {
          setDraft(noAuditFilters);
          onApply(noAuditFilters);
        }}
      >
        Clear
      </button>
    </form>
  );
}
