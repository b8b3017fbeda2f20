import type { ReactNode } from "react";
import type { Me } from "../api/types";
import { type ConsoleSectionId, visibleSections } from "../permissions/sections";
import { hrefFor } from "../routing/hash-route";
import { useSession } from "../session/SessionProvider";

/** The signed-in frame: workspace and member in the header, the sections /me allows in the nav. */
export function ConsoleShell({ me, current, children }: { me: Me; current: ConsoleSectionId; children: ReactNode }) {
  const { signOut } = useSession();
  const sections = visibleSections(me.permissions);
  return (
    <div className="console">
      <header className="topbar">
        <div className="brand">Switchboard</div>
        <div className="workspace-name">{me.workspace.name}</div>
        <div className="whoami">
          <span>{me.member.name}</span>
          <span className="badge">{me.role.name}</span>
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Log out
          </button>
        </div>
      </header>
      <nav className="sections" aria-label="Console sections">
        {sections.map((section) => (
          <a key={section.id} href={hrefFor(`/${section.id}`)} aria-current={section.id === current ? "page" : undefined}>
            {section.label}
          </a>
        ))}
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}
