import { type FormEvent, useState } from "react";
import { callApi, sessionToken } from "../api/client";
import { useAction } from "../api/use-action";
import { useSession } from "../session/SessionProvider";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

/** Delete the workspace (workspace.delete), confirmed by typing its exact name. */
export function DeleteWorkspaceCard({ workspaceName }: { workspaceName: string }) {
  const { signOut } = useSession();
  const remove = useAction();
  const [typedName, setTypedName] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void remove.run(async () => {
      await callApi("DELETE", "/workspace", { confirm: typedName });
      // Every token of the workspace is gone with it; nothing left to revoke.
      sessionToken.clear();
      await signOut(`The workspace “${workspaceName}” was deleted.`);
    });
  };

  return (
    <section className="card danger-zone" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete workspace</h2>
      <p>
        This deletes <strong>{workspaceName}</strong> with all its members, roles, chats and activity log. It cannot be undone.
      </p>
      <form className="inline-form" onSubmit={submit}>
        <TextField label="Type the workspace name to confirm" value={typedName} onChange={setTypedName} autoComplete="off" />
        <button type="submit" className="danger" disabled={remove.pending || typedName !== workspaceName}>
          Delete workspace
        </button>
      </form>
      <ProblemMessage problem={remove.problem} />
    </section>
  );
}
