import { useState } from "react";
import { callApi } from "../api/client";
import type { ListedMember } from "../api/types";
import { useAction } from "../api/use-action";
import { useApiList } from "../api/use-api-query";
import { useSession } from "../session/SessionProvider";
import { SelectField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/** Hand ownership to an active Admin (workspace.transfer); the Owner becomes an Admin. */
export function OwnershipTransferCard() {
  const { refresh } = useSession();
  const members = useApiList<ListedMember>("/members?limit=200");
  const transfer = useAction();
  const [targetId, setTargetId] = useState("");
  const candidates = (members.data ?? []).filter((member) => member.abilities.transferOwnership);
  const chosenId = targetId || candidates[0]?.id || "";
  const chosenName = candidates.find((member) => member.id === chosenId)?.name;

  const transferOwnership = () => {
    if (!chosenName || !window.confirm(`Make ${chosenName} the Owner? You will become an Admin.`)) return;
    void transfer.run(async () => {
      await callApi("POST", "/workspace/ownership", { memberId: chosenId });
      await refresh();
    });
  };

  return (
    <section className="card" aria-labelledby="transfer-heading">
      <h2 id="transfer-heading">Transfer ownership</h2>
      <p className="muted">The new Owner must be an active Admin. You become an Admin and lose billing, deletion and transfer.</p>
      <ProblemMessage problem={members.problem ?? transfer.problem} />
      {candidates.length === 0 ? (
        <p>There is no active Admin to transfer ownership to. Give a member the Admin role first.</p>
      ) : (
        <div className="inline-form">
          <SelectField
            label="New owner"
            value={chosenId}
            options={candidates.map((member) => ({ value: member.id, label: member.name }))}
            onChange={setTargetId}
          />
          <button type="button" className="danger" disabled={transfer.pending} onClick={transferOwnership}>
            Transfer ownership
          </button>
        </div>
      )}
    </section>
  );
}
