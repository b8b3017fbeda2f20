import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useApiQuery } from "../api/use-api-query";
import { ProblemMessage } from "../shared/ProblemMessage";

type PendingInstall = { companyId: number; companyDomain: string; companyName: string | null; installedBy: string };

/**
 * A Pipedrive Marketplace install finished in this browser and not yet linked to a workspace
 * (GET /integrations/pipedrive/install answers 404 otherwise, and nothing shows). An Owner or Admin
 * links the company to this workspace; others are told who can.
 */
export function MarketplaceInstallCard({ canLink, onLinked }: { canLink: boolean; onLinked(): void }) {
  const pending = useApiQuery<PendingInstall>("/integrations/pipedrive/install");
  const link = useAction();
  const [done, setDone] = useState(false);
  if (done) {
    return (
      <section className="card" aria-labelledby="marketplace-install-heading">
        <h2 id="marketplace-install-heading">Pipedrive installed</h2>
        <p className="success" role="status">
          Done — open any deal in Pipedrive: Switchboard is in the deal's sidebar.
        </p>
      </section>
    );
  }
  if (!pending.data) return null;
  const company = pending.data.companyName ?? `${pending.data.companyDomain}.pipedrive.com`;
  const linkCompany = () =>
    void link
      .run(() => callApi("POST", "/integrations/pipedrive/install"))
      .then((linked) => {
        if (!linked) return;
        setDone(true);
        onLinked();
      });
  return (
    <section className="card" aria-labelledby="marketplace-install-heading">
      <h2 id="marketplace-install-heading">Pipedrive installed</h2>
      <p>
        {pending.data.installedBy} installed Switchboard in the Pipedrive company <strong>{company}</strong>. Link that company to this workspace to finish.
      </p>
      {canLink ? (
        <button type="button" disabled={link.pending} onClick={linkCompany}>
          Link {company} to this workspace
        </button>
      ) : (
        <p className="muted">Only an Owner or Admin links a Pipedrive company: sign in as one, or ask them to connect Pipedrive on this page.</p>
      )}
      <ProblemMessage problem={link.problem} />
    </section>
  );
}
