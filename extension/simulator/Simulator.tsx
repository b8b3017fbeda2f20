import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { DealPage } from "./DealPage";
import { startHost } from "./host";
import type { SimulatorSetup } from "./setup";
import { mintPanelToken } from "./tokens";

type Snackbar = { id: number; message: string };
type OpenModal = { src: string; resolve(result: { status: "closed" | "submitted" }): void };
/** Each iframe's `name`: which surface it is. */
type Surface = "panel" | "settings" | "modal";

const surfacePaths: Record<Surface, string> = {
  panel: "/pipedrive/panel/index.html",
  settings: "/pipedrive/settings/index.html",
  modal: "/pipedrive/modal/index.html",
};
let runtimeIds = 0;

/**
 * A Pipedrive page with the real app inside, answering the SDK like Pipedrive: the deal (or person)
 * detail view with the custom panel, the app's settings page, and custom modals opened over either.
 */
export function Simulator({ setup }: { setup: SimulatorSetup }) {
  const [member, setMember] = useState(setup.member);
  const [theme, setTheme] = useState(setup.theme);
  const [view, setView] = useState(setup.view);
  const [surfaceSrc, setSurfaceSrc] = useState<string>();
  const [heights, setHeights] = useState<Record<Surface, number>>({ panel: 160, settings: 420, modal: 320 });
  const [problem, setProblem] = useState<string>();
  const [snackbars, setSnackbars] = useState<Snackbar[]>([]);
  const [modal, setModal] = useState<OpenModal>();
  const surfaceFrame = useRef<HTMLIFrameElement>(null);
  const modalFrame = useRef<HTMLIFrameElement>(null);
  const persona = setup.personas.find((candidate) => candidate.key === member) ?? setup.personas[0];
  const claims = useMemo(() => ({ userId: persona?.pipedriveUserId ?? 0, companyId: setup.companyId }), [persona, setup.companyId]);
  const themeRef = useRef(theme);
  themeRef.current = theme;
  const { record } = setup;

  // Pipedrive's iframe URL (pipedrive.md §2.2): the app settings page gets no record.
  const surfaceUrl = useCallback(
    (surface: Surface, token: string, extra: Record<string, string> = {}) => {
      const query = new URLSearchParams({
        id: `sim-${++runtimeIds}`,
        userId: String(claims.userId),
        companyId: String(claims.companyId),
        token,
        ...(surface === "settings" ? {} : { resource: record.resource, view: "details", selectedIds: String(record.id) }),
        theme: themeRef.current,
        ...extra,
      });
      return `${surfacePaths[surface]}?${query}`;
    },
    [claims, record.resource, record.id],
  );

  useEffect(() => {
    let current = true;
    setSurfaceSrc(undefined);
    mintPanelToken(claims).then(
      (token) => current && setSurfaceSrc(surfaceUrl(view === "settings" ? "settings" : "panel", token)),
      (error: unknown) => current && setProblem(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      current = false;
    };
  }, [claims, surfaceUrl, view]);

  const host = useMemo(() => {
    const setHeight = (frame: HTMLIFrameElement, height: number | undefined) => {
      if (height) setHeights((previous) => ({ ...previous, [frame.name as Surface]: height }));
    };
    return startHost(() => [surfaceFrame.current, modalFrame.current].filter((frame): frame is HTMLIFrameElement => frame !== null), {
      initialize(frame, args) {
        frame.dataset.initialized = "true";
        setHeight(frame, args?.size?.height);
      },
      resize(frame, args) {
        setHeight(frame, args.height);
      },
      snackbar(message) {
        const id = Date.now() + Math.random();
        setSnackbars((previous) => [...previous, { id, message }]);
        setTimeout(() => setSnackbars((previous) => previous.filter((snackbar) => snackbar.id !== id)), 6_000);
      },
      signedToken: () => mintPanelToken(claims),
      async openModal(args) {
        if (args.type !== "custom_modal") throw new Error(`The simulator opens only custom modals, not ${args.type}`);
        // Pipedrive opens a custom modal the app registered in Developer Hub, named by its id or
        // name (https://pipedrive.readme.io/docs/custom-ui-extensions-modals); anything else is
        // refused (its wording is not documented).
        const registered = setup.startChatModal;
        if (!registered || (args.action_id !== registered.id && args.action_id !== registered.name)) {
          throw new Error(`Custom modal not found: ${args.action_id ?? "(no action_id)"}`);
        }
        const token = await mintPanelToken(claims);
        return new Promise((resolve) => setModal({ src: surfaceUrl("modal", token, { data: JSON.stringify(args.data ?? {}) }), resolve }));
      },
      closeModal(frame) {
        if (frame !== modalFrame.current) return;
        setModal((open) => {
          open?.resolve({ status: "submitted" });
          return undefined;
        });
      },
    });
  }, [claims, surfaceUrl, setup.startChatModal]);
  useEffect(() => host.listen(), [host]);
  useEffect(() => {
    (window as unknown as { simulatorLog: unknown }).simulatorLog = host.log;
  }, [host]);

  const switchTheme = () => {
    const next = theme === "light" ? "dark" : "light";
    setTheme(next);
    host.emit("user_settings_change", { theme: next });
  };
  const closeModalFromHost = () => {
    modal?.resolve({ status: "closed" });
    setModal(undefined);
  };

  const surface = view === "settings" ? "settings" : "panel";
  const surfaceTitle = view === "settings" ? "Switchboard settings" : "Switchboard panel";
  const frame = surfaceSrc && (
    <iframe ref={surfaceFrame} key={surfaceSrc} name={surface} title={surfaceTitle} src={surfaceSrc} style={{ height: heights[surface] }} />
  );
  return (
    <div className={`pd pd-${theme}`} data-theme={theme}>
      <header className="pd-topbar">
        <strong>Pipedrive</strong>
        <span className="pd-crumb">{view === "settings" ? "Tools and apps / Marketplace apps / Switchboard" : `Deals / ${record.title}`}</span>
        <span className="pd-sim">
          <label htmlFor="persona">Simulate user</label>
          <select id="persona" value={member} onChange={(event) => setMember(event.target.value)}>
            {setup.personas.map((candidate) => (
              <option key={candidate.key} value={candidate.key}>
                {candidate.label} (user {candidate.pipedriveUserId})
              </option>
            ))}
          </select>
          <button type="button" onClick={() => setView(view === "settings" ? "deal" : "settings")}>
            {view === "settings" ? `Back to the ${record.resource}` : "App settings"}
          </button>
          <button type="button" onClick={switchTheme}>
            {theme === "light" ? "Dark theme" : "Light theme"}
          </button>
        </span>
      </header>
      {problem && (
        <p className="pd-problem" role="alert">
          {problem}
        </p>
      )}
      {view === "settings" ? (
        <div className="pd-settings">
          <h1>Switchboard — app settings</h1>
          <section className="pd-card pd-panel">{frame}</section>
        </div>
      ) : (
        <DealPage
          record={record}
          fromDemoCrm={setup.fromDemoCrm}
          panel={
            <section className="pd-card pd-panel">
              <h2>Switchboard WhatsApp</h2>
              {frame}
            </section>
          }
        />
      )}
      {modal && (
        <div className="pd-overlay" role="dialog" aria-label="Custom modal">
          <div className="pd-modal">
            <button type="button" className="pd-close" aria-label="Close modal" onClick={closeModalFromHost}>
              ×
            </button>
            <iframe ref={modalFrame} name="modal" title="Switchboard modal" src={modal.src} style={{ height: heights.modal }} />
          </div>
        </div>
      )}
      <section className="pd-snackbars" aria-label="Snackbars">
        {snackbars.map((snackbar) => (
          <p key={snackbar.id} className="pd-snackbar" role="status">
            {snackbar.message}
          </p>
        ))}
      </section>
    </div>
  );
}
