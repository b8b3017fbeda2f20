import { useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useMe, useSession } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";

/**
 * The workspace's ownership lock (team.manage): on, only the chat's responsible — and members whose
 * role holds chats.take_over on it — may reply in or reassign a chat someone holds.
 */
export function OwnershipLockCard() {
  const { workspace } = useMe();
  const { refresh } = useSession();
  const save = useAction();
  // The box shows the choice at once while it is saved; a refusal puts back what the server holds.
  const [choosing, setChoosing] = useState<boolean>();
  const [notice, setNotice] = useState<string>();
  const checked = choosing ?? workspace.ownershipLock ?? false;

  const choose = (on: boolean) => {
    setNotice(undefined);
    setChoosing(on);
    void save.run(async () => {
      try {
        await callApi("PATCH", "/workspace", { ownershipLock: on });
        await refresh();
        setNotice(on ? "The ownership lock is on." : "The ownership lock is off.");
      } finally {
        setChoosing(undefined);
      }
    });
  };

  return (
    <section className="card" aria-labelledby="ownership-lock-heading">
      <h2 id="ownership-lock-heading">Ownership lock</h2>
      <label className="checkbox-field">
        <input type="checkbox" checked={checked} disabled={save.pending} onChange={(event) => choose(event.target.checked)} /> Lock chats to their responsible
      </label>
      <p className="muted">
        On: a chat someone is responsible for can be replied in, taken, released or reassigned only by them and by roles with “chats.take_over” on it; anyone
        may still take an unassigned chat. Others can ask to take a chat over, which tells its responsible and the team's managers.
      </p>
      <ProblemMessage problem={save.problem} />
      {notice && (
        <p role="status" className="success">
          {notice}
        </p>
      )}
    </section>
  );
}
