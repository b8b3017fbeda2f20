import { type ReactNode, useEffect, useState } from "react";
import type { Me } from "../api/types";
import { type ConsoleSectionId, visibleSections } from "../permissions/sections";
import { hrefFor } from "../routing/hash-route";
import { useSession } from "../session/SessionProvider";
import { useNewMessageAlerts } from "./new-message-alerts";
import { preferences } from "./preferences";
import { TakeOverRequests } from "./TakeOverRequests";
import { useUnreadTitle } from "./use-unread-title";

/** The signed-in frame: workspace and member in the header, the sections /me allows in the nav. */
export function ConsoleShell({ me, current, children }: { me: Me; current: ConsoleSectionId; children: ReactNode }) {
  const { signOut } = useSession();
  const sections = visibleSections(me.permissions);
  // Unread chats in the tab title, and alerts for the member's own chats, in every section.
  useUnreadTitle(me.permissions["chats.view"] !== "none");
  useNewMessageAlerts(me.member.id);
  useEffect(() => {
    // Without its settings the console simply does not alert; nothing else depends on them.
    preferences.load().catch(() => undefined);
    return () => preferences.forget();
  }, []);
  // On small screens the sections sit behind a menu button (CSS hides it, and shows the nav, on wide ones).
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <div className="console">
      <header className="topbar">
        <button type="button" className="menu-button" aria-expanded={menuOpen} aria-controls="console-sections" onClick={() => setMenuOpen((open) => !open)}>
          Menu
        </button>
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
      <nav id="console-sections" className={menuOpen ? "sections open" : "sections"} aria-label="Console sections">
        {sections.map((section) => (
          <a key={section.id} href={hrefFor(`/${section.id}`)} aria-current={section.id === current ? "page" : undefined} onClick={() => setMenuOpen(false)}>
            {section.label}
          </a>
        ))}
      </nav>
      <main className="content">
        <TakeOverRequests />
        {children}
      </main>
    </div>
  );
}
