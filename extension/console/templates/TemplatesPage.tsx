import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useApiList } from "../api/use-api-query";
import type { WhatsAppAccount } from "../inbox/types";
import { ProblemMessage } from "../shared/ProblemMessage";
import type { TemplateChoice } from "../shared/template-choice";
import { TemplateTable } from "./TemplateTable";

type SyncAnswer = { data: TemplateChoice[]; imported: number; refreshed: number };

const accountName = (account: WhatsAppAccount) => (account.displayName ? `${account.displayName} (${account.phoneNumber})` : account.phoneNumber);

/**
 * The WhatsApp templates the member may use (templates.use, scoped by the server), grouped by the
 * number whose WhatsApp Business Account holds them, with their review state, language, category
 * and a preview; "Sync from Meta" per number imports them (POST /templates/sync).
 */
export function TemplatesPage() {
  const accounts = useApiList<WhatsAppAccount>("/whatsapp-accounts");
  const templates = useApiList<TemplateChoice>("/templates?limit=200");
  const all = templates.data ?? [];
  const listed = accounts.data ?? [];
  const elsewhere = all.filter((template) => !listed.some((account) => account.id === template.accountId));

  return (
    <>
      <div className="page-header">
        <h1>Templates</h1>
      </div>
      <p className="muted">
        Outside the 24-hour window WhatsApp delivers only templates Meta has approved. Write and submit them in WhatsApp Manager, then sync them here; the inbox
        and the CRM panels offer the approved ones.
      </p>
      <ProblemMessage problem={accounts.problem ?? templates.problem} />
      {accounts.loading && !accounts.data && <p className="muted">Loading…</p>}
      {accounts.data && listed.length === 0 && <p className="muted">No WhatsApp number yet: connect one under WhatsApp numbers to sync its templates.</p>}
      {listed.map((account) => (
        <AccountTemplates
          key={account.id}
          account={account}
          templates={all.filter((template) => template.accountId === account.id)}
          onSynced={templates.reload}
        />
      ))}
      {elsewhere.length > 0 && (
        <section className="card" aria-label="Other templates">
          <h2>Not tied to a number you can see</h2>
          <TemplateTable templates={elsewhere} />
        </section>
      )}
    </>
  );
}

function AccountTemplates({ account, templates, onSynced }: { account: WhatsAppAccount; templates: TemplateChoice[]; onSynced(): void }) {
  const sync = useAction();
  const [outcome, setOutcome] = useState<string>();
  const runSync = () =>
    sync.run(async () => {
      setOutcome(undefined);
      const answer = await callApi<SyncAnswer>("POST", "/templates/sync", { accountId: account.id });
      const total = answer.imported + answer.refreshed;
      setOutcome(`Synced ${total} template${total === 1 ? "" : "s"} from Meta: ${answer.imported} new, ${answer.refreshed} updated.`);
      onSynced();
    });
  return (
    <section className="card" aria-label={accountName(account)}>
      <div className="page-header">
        <h2>{accountName(account)}</h2>
        <button type="button" onClick={() => void runSync()} disabled={sync.pending || account.status !== "connected"}>
          {sync.pending ? "Syncing…" : "Sync from Meta"}
        </button>
      </div>
      <ProblemMessage problem={sync.problem} />
      {outcome && (
        <p className="notice" role="status">
          {outcome}
        </p>
      )}
      {templates.length === 0 ? <p className="muted">No templates synced from this number yet.</p> : <TemplateTable templates={templates} />}
    </section>
  );
}
