import { useEffect, useRef, useState } from "react";
import { type PanelApi, problemText } from "../shared/api";
import type { PanelResource } from "../shared/iframe-params";
import { Notice } from "../shared/surface";

// A member reading through the workspace's Pipedrive connection sees only the record the panel was
// opened on. With integrations.individual they connect their own Pipedrive account here: Pipedrive's
// consent runs in a popup (a top-level window, so the connect link's cookie reaches the callback,
// which it never would from this third-party iframe). The popup is cut off from this window before
// it leaves Switchboard and sends nothing back; this panel asks Switchboard (GET /me/integrations)
// until the member's own connection is there, then reads the record again with it.

type MyPipedrive = { status: "not_connected" | "connected" | "reconnect_required"; pipedriveUserId: number | null; name?: string };

/** How often, and for how long, the panel asks whether the connection was made. */
const pollEveryMs = 2_000;
const giveUpAfterMs = 10 * 60_000;

type Step =
  | { kind: "offer" }
  /** `before`: the member's own Pipedrive user when Connect was pressed (null: none). */
  | { kind: "waiting"; link: string; opened: boolean; before: number | null }
  | { kind: "other_user"; name: string }
  | { kind: "gave_up" };

export function ConnectOwnAccount({
  api,
  resource,
  ownAccount,
  panelUserId,
  onConnected,
}: {
  api: PanelApi;
  resource: PanelResource;
  ownAccount: { canConnect: boolean; mappedBy: string[] } | undefined;
  /** The Pipedrive user the panel is open as (the iframe URL's userId, for this comparison only). */
  panelUserId: string | null;
  onConnected(): void;
}) {
  const [step, setStep] = useState<Step>({ kind: "offer" });
  const [problem, setProblem] = useState<string>();
  const startedAt = useRef(0);

  useEffect(() => {
    if (step.kind !== "waiting") return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      try {
        const { pipedrive } = await api.call<{ pipedrive: MyPipedrive }>("GET", "/me/integrations");
        if (stopped) return;
        if (pipedrive.status === "connected" && (panelUserId === null || String(pipedrive.pipedriveUserId) === panelUserId)) {
          setStep({ kind: "offer" });
          onConnected();
          return;
        }
        if (pipedrive.status === "connected" && pipedrive.pipedriveUserId !== step.before) {
          // Connected just now, but as another Pipedrive user than the one this panel is open as.
          setStep({ kind: "other_user", name: pipedrive.name ?? "another Pipedrive user" });
          return;
        }
      } catch (error) {
        if (!stopped) setProblem(problemText(error));
      }
      if (stopped) return;
      if (Date.now() - startedAt.current > giveUpAfterMs) setStep({ kind: "gave_up" });
      else timer = setTimeout(() => void check(), pollEveryMs);
    };
    timer = setTimeout(() => void check(), pollEveryMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, step, panelUserId, onConnected]);

  const intro = `You see this ${resource} through your workspace's Pipedrive connection. Connect your own Pipedrive account to see more.`;

  if (!ownAccount?.canConnect) {
    const names = ownAccount?.mappedBy ?? [];
    return (
      <section className="notice" aria-label="Your Pipedrive account">
        <p>You see this {resource} through your workspace's Pipedrive connection, as Pipedrive lets your Pipedrive user see it.</p>
        <p data-testid="mapped-by">
          Your role doesn't connect its own Pipedrive account.{" "}
          {names.length > 0
            ? `${listOf(names)} ${names.length === 1 ? "maps" : "map"} Pipedrive users to Switchboard members: ask them if something is missing.`
            : "An Owner or Admin of your workspace maps Pipedrive users to Switchboard members."}
        </p>
      </section>
    );
  }

  const connect = async () => {
    setProblem(undefined);
    // Opened at once, inside the click (a popup opened after an await may be blocked), then sent on.
    const popup = window.open("", "switchboard-pipedrive-connect", "popup,width=560,height=720");
    try {
      const { pipedrive: before } = await api.call<{ pipedrive: MyPipedrive }>("GET", "/me/integrations");
      const { authorizeUrl } = await api.call<{ authorizeUrl: string }>("POST", "/me/integrations/pipedrive/connect", { landing: "popup" });
      startedAt.current = Date.now();
      if (popup) {
        // The popup goes on to Pipedrive without a handle on this window.
        popup.opener = null;
        popup.location.href = authorizeUrl;
      }
      setStep({ kind: "waiting", link: authorizeUrl, opened: Boolean(popup), before: before.status === "connected" ? before.pipedriveUserId : null });
    } catch (error) {
      popup?.close();
      setProblem(problemText(error));
    }
  };

  return (
    <section className="notice" aria-label="Your Pipedrive account">
      <p>{intro}</p>
      {step.kind === "offer" && (
        <button type="button" className="primary" onClick={() => void connect()}>
          Connect your Pipedrive account
        </button>
      )}
      {step.kind === "waiting" && (
        <>
          <p aria-busy="true">
            {step.opened ? (
              "Finish connecting in the window that opened: allow Switchboard on Pipedrive's page. This panel updates by itself."
            ) : (
              <>
                Your browser blocked the window.{" "}
                <a href={step.link} target="_blank" rel="noopener noreferrer">
                  Open Pipedrive's page
                </a>
              </>
            )}
          </p>
          {/* A connect link is used once: a lost window needs a new one. */}
          {step.opened && (
            <button type="button" className="link" onClick={() => void connect()}>
              Open the window again
            </button>
          )}
          <button type="button" className="link" onClick={() => setStep({ kind: "offer" })}>
            Cancel
          </button>
        </>
      )}
      {step.kind === "other_user" && (
        <p role="alert">
          Your Switchboard account is now connected to {step.name}, not the Pipedrive user this panel is open as. Sign in to Pipedrive as yourself and connect
          again.
        </p>
      )}
      {step.kind === "gave_up" && (
        <>
          <p>The connection wasn't finished.</p>
          <button type="button" className="primary" onClick={() => void connect()}>
            Connect your Pipedrive account
          </button>
        </>
      )}
      {problem && <Notice tone="error">{problem}</Notice>}
    </section>
  );
}

function listOf(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
