import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useApiQuery } from "../api/use-api-query";
import { useMe } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";

type PendingInstall = { companyId: number; companyDomain: string; companyName: string | null; installedBy: string };

/**
 * A Pipedrive Marketplace install finished in this browser and not yet linked to a workspace
 * (GET /integrations/pipedrive/install answers 404 otherwise, and nothing shows). An Owner or Admin
 * links the company to this workspace; a member who may connect their own Pipedrive account (a rep
 * who installed the app for themselves) keeps it as theirs; others are told who can link it.
 */
export function MarketplaceInstallCard({ canLink, onLinked }: { canLink: boolean; onLinked(): void }) {
  const canKeepAsOwn = useMe().permissions["integrations.individual"];
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
  const finish = (path: string) =>
    void link
      .run(() => callApi("POST", path))
      .then((linked) => {
        if (!linked) return;
        setDone(true);
        onLinked();
      });
  return (
    <section className="card" aria-labelledby="marketplace-install-heading">
      <h2 id="marketplace-install-heading">Pipedrive installed</h2>
      <p>
        {pending.data.installedBy} installed Switchboard in the Pipedrive company <strong>{company}</strong>.{" "}
        {canLink
          ? "Link that company to this workspace to finish."
          : canKeepAsOwn
            ? "Make it your own Pipedrive account in Switchboard to finish: the panel then shows you what Pipedrive shows you, and logs your conversations as you."
            : "Only an Owner or Admin links a Pipedrive company: sign in as one, or ask them to connect Pipedrive on this page."}
      </p>
      {canLink && (
        <button type="button" disabled={link.pending} onClick={() => finish("/integrations/pipedrive/install")}>
          Link {company} to this workspace
        </button>
      )}
      {!canLink && canKeepAsOwn && (
        <button type="button" disabled={link.pending} onClick={() => finish("/integrations/pipedrive/install/individual")}>
          Use it as my Pipedrive account
        </button>
      )}
      <ProblemMessage problem={link.problem} />
    </section>
  );
}
