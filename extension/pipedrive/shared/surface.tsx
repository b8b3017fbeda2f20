import { type ReactNode, useEffect, useState } from "react";
import { type ApiProblem, type PanelApi, type PanelSession, problemOf } from "./api";
import type { Theme } from "./iframe-params";
import type { SurfaceHost } from "./sdk";

/** Follows Pipedrive's light/dark theme: `data-theme` on <html>, updated on USER_SETTINGS_CHANGE. */
export function useHostTheme(host: SurfaceHost): Theme {
  const [theme, setTheme] = useState<Theme>(host.theme);
  useEffect(() => host.onThemeChange(setTheme), [host]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return theme;
}

/**
 * Keeps the iframe as tall as its content (Pipedrive clamps panels to 100–750 px): down to the
 * bottom of the page's container (#root), so its padding and the content's margins are included.
 */
export function useAutoResize(host: SurfaceHost, element: HTMLElement | null) {
  useEffect(() => {
    if (!element) return;
    const container = element.parentElement ?? element;
    const observer = new ResizeObserver(() => host.resize(Math.ceil(container.getBoundingClientRect().bottom + window.scrollY)));
    observer.observe(element);
    return () => observer.disconnect();
  }, [host, element]);
}

export type SessionState = { kind: "starting" } | { kind: "ready"; session: PanelSession } | { kind: "refused"; problem: ApiProblem };

/** Trades the iframe's signed token for a Switchboard session once, then follows its refreshes. */
export function usePanelSession(api: PanelApi, jwt: string | null): SessionState {
  const [state, setState] = useState<SessionState>({ kind: "starting" });
  useEffect(() => {
    const stopListening = api.onSession((session) => setState({ kind: "ready", session }));
    if (!jwt) {
      setState({ kind: "refused", problem: problemOf(new Error("This page must be opened from Pipedrive: the signed token is missing.")) });
    } else {
      api.start(jwt).then(
        (session) => setState({ kind: "ready", session }),
        (error: unknown) => setState({ kind: "refused", problem: problemOf(error) }),
      );
    }
    return () => {
      stopListening();
      api.stop();
    };
  }, [api, jwt]);
  return state;
}

const missingConnection: Record<string, { title: string; who: string }> = {
  workspace_connection: {
    title: "Pipedrive is not connected to Switchboard",
    who: "An Owner or Admin of your Switchboard workspace can connect it on the Integrations page.",
  },
  member_link: {
    title: "Your Pipedrive user is not linked to Switchboard",
    who: "Connect your own Pipedrive account on Switchboard's Integrations page, or ask an Admin to map your Pipedrive user there.",
  },
};

/** Why the panel cannot open a session: not linked (and who can fix it), suspended, or a bad token. */
export function RefusedScreen({ problem }: { problem: ApiProblem }) {
  if (problem.code === "member_suspended") {
    return (
      <section className="gate gate-locked" role="alert" aria-label="Access locked">
        <h2>Your Switchboard access is suspended</h2>
        <p>{problem.problem.detail}</p>
        <p className="muted">An Owner or Admin of your workspace can reactivate you. Until then no chats are shown here.</p>
      </section>
    );
  }
  if (problem.code === "crm_not_linked") {
    const missing = (problem.problem as { missing?: string }).missing ?? "";
    const known = missingConnection[missing];
    return (
      <section className="gate gate-unlinked" role="alert" aria-label="Missing connection" data-missing={missing}>
        <h2>{known?.title ?? "Switchboard is not linked yet"}</h2>
        <p>{problem.problem.detail}</p>
        {known && <p className="muted">{known.who}</p>}
        {known && (
          <p>
            <a href="/#/integrations" target="_blank" rel="noopener">
              Open Integrations in Switchboard
            </a>
          </p>
        )}
      </section>
    );
  }
  return (
    <section className="gate" role="alert" aria-label="Cannot open Switchboard">
      <h2>Switchboard could not open</h2>
      <p>{problem.problem.detail}</p>
      <p className="muted">Reload the page; if it keeps happening, reinstall the app or contact your Admin.</p>
    </section>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <p className="muted loading" aria-busy="true">
      {label}
    </p>
  );
}

export function Notice({ tone = "info", children }: { tone?: "info" | "error"; children: ReactNode }) {
  return (
    <p className={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}
