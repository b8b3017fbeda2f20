import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { SimulatorSetup } from "./demo";
import { startHost } from "./host";
import { mintPanelToken } from "./tokens";

type Snackbar = { id: number; message: string };
type OpenModal = { src: string; resolve(result: { status: "closed" | "submitted" }): void };

let runtimeIds = 0;

/** A Pipedrive deal detail view with the real panel in its sidebar, answering the SDK like Pipedrive. */
export function Simulator({ setup }: { setup: SimulatorSetup }) {
  const [member, setMember] = useState(setup.member);
  const [theme, setTheme] = useState(setup.theme);
  const [panelSrc, setPanelSrc] = useState<string>();
  const [panelHeight, setPanelHeight] = useState(160);
  const [problem, setProblem] = useState<string>();
  const [snackbars, setSnackbars] = useState<Snackbar[]>([]);
  const [modal, setModal] = useState<OpenModal>();
  const [modalHeight, setModalHeight] = useState(320);
  const panelFrame = useRef<HTMLIFrameElement>(null);
  const modalFrame = useRef<HTMLIFrameElement>(null);
  const persona = setup.personas.find((candidate) => candidate.key === member) ?? setup.personas[0];
  const claims = useMemo(() => ({ userId: persona?.pipedriveUserId ?? 0, companyId: setup.companyId }), [persona, setup.companyId]);
  const themeRef = useRef(theme);
  themeRef.current = theme;

  const surfaceUrl = useCallback(
    (path: string, token: string, extra: Record<string, string> = {}) => {
      const query = new URLSearchParams({
        id: `sim-${++runtimeIds}`,
        userId: String(claims.userId),
        companyId: String(claims.companyId),
        token,
        resource: setup.resource,
        view: "details",
        selectedIds: String(setup.recordId),
        theme: themeRef.current,
        ...extra,
      });
      return `${path}?${query}`;
    },
    [claims, setup.resource, setup.recordId],
  );

  useEffect(() => {
    let current = true;
    setPanelSrc(undefined);
    mintPanelToken(claims).then(
      (token) => current && setPanelSrc(surfaceUrl("/pipedrive/panel/index.html", token)),
      (error: unknown) => current && setProblem(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      current = false;
    };
  }, [claims, surfaceUrl]);

  const host = useMemo(
    () =>
      startHost(() => [panelFrame.current, modalFrame.current].filter((frame): frame is HTMLIFrameElement => frame !== null), {
        initialize(frame, args) {
          frame.dataset.initialized = "true";
          if (args?.size?.height) (frame === modalFrame.current ? setModalHeight : setPanelHeight)(args.size.height);
        },
        resize(frame, args) {
          if (args.height) (frame === modalFrame.current ? setModalHeight : setPanelHeight)(args.height);
        },
        snackbar(message) {
          const id = Date.now() + Math.random();
          setSnackbars((previous) => [...previous, { id, message }]);
          setTimeout(() => setSnackbars((previous) => previous.filter((snackbar) => snackbar.id !== id)), 6_000);
        },
        signedToken: () => mintPanelToken(claims),
        async openModal(args) {
          if (args.type !== "custom_modal") throw new Error(`The simulator opens only custom modals, not ${args.type}`);
          const token = await mintPanelToken(claims);
          return new Promise((resolve) =>
            setModal({ src: surfaceUrl("/pipedrive/modal/index.html", token, { data: JSON.stringify(args.data ?? {}) }), resolve }),
          );
        },
        closeModal(frame) {
          if (frame !== modalFrame.current) return;
          setModal((open) => {
            open?.resolve({ status: "submitted" });
            return undefined;
          });
        },
      }),
    [claims, surfaceUrl],
  );
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

  return (
    <div className={`pd pd-${theme}`}>
      <header className="pd-topbar">
        <strong>Pipedrive</strong>
        <span className="pd-crumb">Deals / {setup.deal.title}</span>
        <span className="pd-sim">
          <label htmlFor="persona">Simulate user</label>
          <select id="persona" value={member} onChange={(event) => setMember(event.target.value)}>
            {setup.personas.map((candidate) => (
              <option key={candidate.key} value={candidate.key}>
                {candidate.label} (user {candidate.pipedriveUserId})
              </option>
            ))}
          </select>
          <button type="button" onClick={switchTheme}>
            {theme === "light" ? "Dark theme" : "Light theme"}
          </button>
        </span>
      </header>
      <div className="pd-dealbar">
        <h1>{setup.deal.title}</h1>
        <span className="pd-value">{setup.deal.value}</span>
        <span className="pd-stage">{setup.deal.stage}</span>
        <span className="pd-actions">
          <button type="button" className="pd-won">
            Won
          </button>
          <button type="button" className="pd-lost">
            Lost
          </button>
        </span>
      </div>
      <div className="pd-body">
        <aside className="pd-sidebar">
          <section className="pd-card">
            <h2>Person</h2>
            <p>
              <strong>{setup.deal.person.name}</strong>
              <br />
              <span className="pd-muted">{setup.deal.person.org}</span>
            </p>
            {setup.deal.person.phones.map((phone) => (
              <p key={phone.value}>
                {phone.value} <span className="pd-muted">({phone.label})</span>
              </p>
            ))}
          </section>
          <section className="pd-card pd-panel">
            <h2>Switchboard WhatsApp</h2>
            {problem && <p role="alert">{problem}</p>}
            {panelSrc && <iframe ref={panelFrame} key={panelSrc} name="panel" title="Switchboard panel" src={panelSrc} style={{ height: panelHeight }} />}
          </section>
        </aside>
        <main className="pd-timeline">
          <h2>Focus</h2>
          <div className="pd-placeholder">No activities planned. Schedule an activity.</div>
          <h2>History</h2>
          <div className="pd-placeholder">Deal created · Stage changed to {setup.deal.stage}</div>
        </main>
      </div>
      {modal && (
        <div className="pd-overlay" role="dialog" aria-label="Custom modal">
          <div className="pd-modal">
            <button type="button" className="pd-close" aria-label="Close modal" onClick={closeModalFromHost}>
              ×
            </button>
            <iframe ref={modalFrame} name="modal" title="Switchboard modal" src={modal.src} style={{ height: modalHeight }} />
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
