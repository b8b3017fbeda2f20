import type { Workspace } from "../api/types";

/** The workspace join code (GET /workspace shows it to members with team.manage). */
export function JoinCodeCard({ workspace }: { workspace: Workspace | undefined }) {
  if (!workspace?.joinCode) return null;
  const joinLink = `${window.location.origin}/#/join/${encodeURIComponent(workspace.joinCode)}`;
  return (
    <section className="card" aria-labelledby="join-code-heading">
      <h2 id="join-code-heading">Join code</h2>
      <p>
        People who have this code can ask to join <strong>{workspace.name}</strong>; their requests appear above for you to accept or reject.
      </p>
      <p>
        Code:{" "}
        <code className="join-code" data-testid="join-code">
          {workspace.joinCode}
        </code>
      </p>
      <p className="muted">
        Link to share: <code>{joinLink}</code>
      </p>
    </section>
  );
}
