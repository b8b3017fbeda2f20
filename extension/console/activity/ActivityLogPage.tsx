import { useCallback, useEffect, useState } from "react";
import { type ApiProblem, asProblem, callApi, downloadFromApi } from "../api/client";
import type { AuditEntry, Member, Page, Role } from "../api/types";
import { useAction } from "../api/use-action";
import { useApiList } from "../api/use-api-query";
import { ProblemMessage } from "../shared/ProblemMessage";
import { ActivityFilters } from "./ActivityFilters";
import { ActivityTable } from "./ActivityTable";
import { type AuditFilters, auditQuery, noAuditFilters } from "./audit-filters";
import type { RecordNames } from "./entry-sentence";

const pageSize = "50";

/** The activity log (audit.view): filters, newest first, "Load more" by cursor, CSV download. */
export function ActivityLogPage() {
  const members = useApiList<Member>("/members?limit=200");
  const roles = useApiList<Role>("/roles");
  const accounts = useApiList<{ id: string; displayName: string; phoneNumber: string }>("/whatsapp-accounts");
  const [filters, setFilters] = useState<AuditFilters>(noAuditFilters);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<ApiProblem>();
  const download = useAction();

  const load = useCallback(async (applied: AuditFilters, cursor: string | null) => {
    setLoading(true);
    setProblem(undefined);
    try {
      const page = await callApi<Page<AuditEntry>>("GET", `/audit-log${auditQuery(applied, cursor ? { limit: pageSize, cursor } : { limit: pageSize })}`);
      setEntries((previous) => (cursor ? [...previous, ...page.data] : page.data));
      setNextCursor(page.nextCursor);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(filters, null);
  }, [filters, load]);

  const membersById = new Map((members.data ?? []).map((member) => [member.id, member.name]));
  const actorName = (actorId: string | null) => (actorId === null ? "Someone not logged in" : (membersById.get(actorId) ?? "A former member"));
  const names: RecordNames = {
    member: (id) => membersById.get(id),
    role: (id) => roles.data?.find((role) => role.id === id)?.name,
    account: (id) => {
      const account = accounts.data?.find((candidate) => candidate.id === id);
      return account && (account.displayName === account.phoneNumber ? account.phoneNumber : `${account.displayName} (${account.phoneNumber})`);
    },
  };

  return (
    <>
      <div className="page-header">
        <h1>Activity log</h1>
        <button
          type="button"
          disabled={download.pending}
          onClick={() => void download.run(() => downloadFromApi(`/audit-log/export${auditQuery(filters)}`, "activity-log.csv"))}
        >
          {download.pending ? "Preparing…" : "Download CSV"}
        </button>
      </div>
      <section className="card">
        <ActivityFilters members={members.data ?? []} applied={filters} onApply={(next) => setFilters({ ...next })} />
      </section>
      <ProblemMessage problem={problem ?? download.problem} />
      <section className="card">
        {entries.length > 0 ? (
          <ActivityTable entries={entries} actorName={actorName} names={names} />
        ) : (
          !loading && <p className="muted">No entries match these filters.</p>
        )}
        {loading && <p className="muted">Loading…</p>}
        {nextCursor && !loading && (
          <button type="button" onClick={() => void load(filters, nextCursor)}>
            Load more
          </button>
        )}
      </section>
    </>
  );
}
