import { useState } from "react";
import { callApi, downloadFromApi } from "../api/client";
import { useAction } from "../api/use-action";
import { ConfirmBox } from "../shared/ConfirmBox";
import { ProblemMessage } from "../shared/ProblemMessage";
import type { Campaign } from "./types";

type Transition = "pause" | "resume" | "cancel" | "approve" | "reject";

/**
 * The buttons the server's abilities allow for this campaign now; a refusal (403 naming the
 * permission, 409 for a state that moved on) is shown as the server words it.
 */
export function CampaignControls({ campaign, onChanged }: { campaign: Campaign; onChanged(campaign: Campaign): void }) {
  const action = useAction();
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const { abilities } = campaign;
  const transition = (name: Transition) =>
    void action
      .run(async () => {
        const answer = await callApi<{ campaign: Campaign }>("POST", `/campaigns/${campaign.id}/${name}`);
        onChanged(answer.campaign);
      })
      .then(() => setConfirmingCancel(false));
  return (
    <div className="campaign-controls">
      <div className="button-row">
        {abilities.approve && (
          <>
            <button type="button" className="primary" disabled={action.pending} onClick={() => transition("approve")}>
              Approve
            </button>
            <button type="button" className="danger" disabled={action.pending} onClick={() => transition("reject")}>
              Reject
            </button>
          </>
        )}
        {abilities.pause && (
          <button type="button" disabled={action.pending} onClick={() => transition("pause")}>
            Pause
          </button>
        )}
        {abilities.resume && (
          <button type="button" disabled={action.pending} onClick={() => transition("resume")}>
            Resume
          </button>
        )}
        {abilities.cancel && !confirmingCancel && (
          <button type="button" className="danger" onClick={() => setConfirmingCancel(true)}>
            Cancel campaign
          </button>
        )}
        {abilities.report && (
          <button type="button" onClick={() => void action.run(() => downloadFromApi(`/campaigns/${campaign.id}/report`, `campaign-${campaign.id}.csv`))}>
            Download report
          </button>
        )}
      </div>
      {confirmingCancel && (
        <ConfirmBox
          question={`Cancel ${campaign.name}?`}
          confirmLabel="Yes, cancel it"
          cancelLabel="Keep it"
          pending={action.pending}
          onConfirm={() => transition("cancel")}
          onCancel={() => setConfirmingCancel(false)}
        >
          Messages already on their way finish; nobody else in it gets the message. A cancelled campaign cannot be resumed.
        </ConfirmBox>
      )}
      <ProblemMessage problem={action.problem} />
    </div>
  );
}
