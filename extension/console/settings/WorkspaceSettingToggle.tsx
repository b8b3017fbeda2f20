import { type ReactNode, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useMe, useSession } from "../session/SessionProvider";
import { ProblemMessage } from "../shared/ProblemMessage";

type BooleanSetting = "agentsSeeNumbers" | "ownershipLock";

/**
 * One of the workspace's on/off settings (PATCH /workspace, team.manage) as a checkbox. The box
 * shows the choice at once while it is saved; a refusal puts back what the server holds.
 */
export function WorkspaceSettingToggle({
  setting,
  fallback,
  label,
  notices,
  children,
}: {
  setting: BooleanSetting;
  /** The server's default, while GET /me has not said. */
  fallback: boolean;
  label: string;
  notices: { on: string; off: string };
  /** What the setting means, under the box. */
  children: ReactNode;
}) {
  const { workspace } = useMe();
  const { refresh } = useSession();
  const save = useAction();
  const [choosing, setChoosing] = useState<boolean>();
  const [notice, setNotice] = useState<string>();
  const checked = choosing ?? workspace[setting] ?? fallback;

  const choose = (on: boolean) => {
    setNotice(undefined);
    setChoosing(on);
    void save.run(async () => {
      try {
        await callApi("PATCH", "/workspace", { [setting]: on });
        await refresh();
        setNotice(on ? notices.on : notices.off);
      } finally {
        setChoosing(undefined);
      }
    });
  };

  return (
    <>
      <label className="checkbox-field">
        <input type="checkbox" checked={checked} disabled={save.pending} onChange={(event) => choose(event.target.checked)} /> {label}
      </label>
      <p className="muted">{children}</p>
      <ProblemMessage problem={save.problem} />
      {notice && (
        <p role="status" className="success">
          {notice}
        </p>
      )}
    </>
  );
}
