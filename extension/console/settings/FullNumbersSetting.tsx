import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useMe, useSession } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";

/**
 * Whether the built-in Agents and Collaborators hold contacts.view_numbers (the workspace's
 * agentsSeeNumbers; team.manage). Custom roles carry the permission themselves, so it is named here.
 */
export function FullNumbersSetting() {
  const { workspace } = useMe();
  const { refresh } = useSession();
  const save = useAction();
  // The box shows the choice at once while it is saved; a refusal puts back what the server holds.
  const [choosing, setChoosing] = useState<boolean>();
  const [notice, setNotice] = useState<string>();
  const checked = choosing ?? workspace.agentsSeeNumbers ?? true;

  const choose = (on: boolean) => {
    setNotice(undefined);
    setChoosing(on);
    void save.run(async () => {
      try {
        await callApi("PATCH", "/workspace", { agentsSeeNumbers: on });
        await refresh();
        setNotice(on ? "Agents and Collaborators see full numbers." : "Agents and Collaborators now see numbers masked, like +49 ••• ••• 12.");
      } finally {
        setChoosing(undefined);
      }
    });
  };

  return (
    <div>
      <label className="checkbox-field">
        <input type="checkbox" checked={checked} disabled={save.pending} onChange={(event) => choose(event.target.checked)} /> Agents and Collaborators see
        contacts' full numbers
      </label>
      <p className="muted">
        Off: they see a contact's name and a masked number (+49 ••• ••• 12) everywhere, start chats only from a CRM record or an existing chat, and still reply.
        Custom roles decide this with their own “contacts.view_numbers”.
      </p>
      <ProblemMessage problem={save.problem} />
      {notice && (
        <p role="status" className="success">
          {notice}
        </p>
      )}
    </div>
  );
}
