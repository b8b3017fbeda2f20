import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { demoPortalProxy } from "./proxy";
import { fetchHubspotRecord, type HubspotRecordView, recordTitle } from "./record";
import { type ExtensionActions, type ExtensionContext, type ExtensionRender, HostApiProvider, installProxy, onExtend } from "./ui-extensions-host";

type IframeModal = { uri: string; width: number; height: number; title?: string; onClose?: () => void };
type Alert = { id: number; type: string; title?: string; message: string };

/**
 * A HubSpot contact (or deal) record page with the real app card in its middle column, playing
 * HubSpot's part: the card's render function gets HubSpot's context (the simulated user, portal
 * and record) and actions, its hubspot.fetch goes through the demo portal's signing proxy, and
 * openIframeModal opens the given address in a modal iframe of the given size, calling the
 * card's onClose when it closes. Beside it, the Communications Switchboard logged on the record.
 */
export function RecordPage({ initial, initialUserId }: { initial: HubspotRecordView; initialUserId: number | null }) {
  const [view, setView] = useState(initial);
  const [userId, setUserId] = useState(initialUserId ?? initial.personas[0]?.userId ?? 0);
  const [render, setRender] = useState<ExtensionRender | null>(null);
  const [modal, setModal] = useState<IframeModal | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const modalFrame = useRef<HTMLIFrameElement>(null);
  const persona = view.personas.find((candidate) => candidate.userId === userId) ?? view.personas[0];
  const { record } = view;

  const refresh = useCallback(async () => {
    const next = await fetchHubspotRecord(record);
    if (!("problem" in next)) setView(next);
  }, [record]);

  // HubSpot's proxy for whoever is simulated, installed before the card first renders.
  installProxy(demoPortalProxy({ portalId: view.hubId, userId }));
  useEffect(() => {
    const stop = onExtend((registered) => setRender(() => registered));
    void import("virtual:hubspot-card");
    return () => void stop();
  }, []);
  // Logging happens in the background: the activity list follows it.
  useEffect(() => {
    const timer = setInterval(() => void refresh(), 3_000);
    return () => clearInterval(timer);
  }, [refresh]);

  const closeModal = useCallback(() => {
    setModal((open) => {
      open?.onClose?.();
      return null;
    });
    void refresh();
  }, [refresh]);
  // The legacy cards' way for the page inside to close the modal ([U] for app cards, hubspot.md §2).
  useEffect(() => {
    const listener = (event: MessageEvent) => {
      if (event.source !== modalFrame.current?.contentWindow) return;
      const action = typeof event.data === "string" ? (JSON.parse(event.data) as { action?: string } | null)?.action : undefined;
      if (action === "DONE") closeModal();
    };
    window.addEventListener("message", listener);
    return () => window.removeEventListener("message", listener);
  }, [closeModal]);

  const api = useMemo((): { context: ExtensionContext; actions: ExtensionActions } => {
    const [firstName = "", ...rest] = (persona?.name ?? "").split(" ");
    return {
      context: {
        user: {
          id: userId,
          email: persona?.email ?? "",
          emails: persona ? [persona.email] : [],
          firstName,
          lastName: rest.join(" "),
          teams: [],
          permissions: [],
          locale: "en-us",
        },
        portal: { id: view.hubId, timezone: "Europe/London" },
        crm: { objectId: Number(record.objectId), objectTypeId: record.objectTypeId },
        location: "crm.record.tab",
        extension: { appId: view.appId, appName: "Switchboard", cardTitle: "WhatsApp" },
      },
      actions: {
        openIframeModal: (options, onClose) => setModal({ ...options, onClose }),
        addAlert: (alert) => setAlerts((previous) => [...previous, { id: Date.now() + Math.random(), type: alert.type ?? "info", ...alert }]),
        reloadPage: () => window.location.reload(),
        refreshObjectProperties: () => void refresh(),
        closeOverlay: () => closeModal(),
        copyTextToClipboard: (text) => navigator.clipboard.writeText(text),
      },
    };
  }, [persona, userId, view.hubId, view.appId, record, refresh, closeModal]);

  const title = recordTitle(record);
  const phones = (["phone", "mobilephone", "hs_whatsapp_phone_number"] as const).flatMap((name) =>
    record.properties[name] ? [[name, record.properties[name]] as const] : [],
  );
  return (
    <div className="hs">
      <header className="hs-topbar">
        <strong>HubSpot</strong>
        <span className="hs-crumb">
          {record.objectTypeId === "0-1" ? "Contacts" : "Deals"} / {title} · account {view.hubId}
        </span>
        <span className="hs-sim">
          <label htmlFor="hubspot-user">Simulate user</label>
          <select id="hubspot-user" value={userId} onChange={(event) => setUserId(Number(event.target.value))}>
            {view.personas.map((candidate) => (
              <option key={candidate.userId} value={candidate.userId}>
                {candidate.name} (user {candidate.userId})
              </option>
            ))}
          </select>
        </span>
      </header>
      <div className="hs-record">
        <aside className="hs-about" aria-label="About this record">
          <h1>{title}</h1>
          <dl>
            {record.properties.email && (
              <>
                <dt>Email</dt>
                <dd>{record.properties.email}</dd>
              </>
            )}
            {phones.map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </aside>
        <main className="hs-middle">
          <nav className="hs-tabs" aria-label="Record tabs">
            <span aria-current="page">WhatsApp</span>
          </nav>
          <section className="hs-card" aria-label="WhatsApp card">
            {render ? (
              <HostApiProvider value={api}>
                <CardFrame key={userId} render={render} api={api} />
              </HostApiProvider>
            ) : (
              <p>Loading the app card…</p>
            )}
          </section>
        </main>
        <aside className="hs-activities" aria-label="Activities">
          <h2>Activities</h2>
          {view.communications.length === 0 ? <p>No communications logged yet.</p> : null}
          <ul>
            {view.communications.map((communication) => (
              <li key={communication.id} className="hs-communication">
                <p>
                  <strong>{communication.channel === "WHATS_APP" ? "WhatsApp message" : communication.channel}</strong>
                  {communication.owner ? ` · ${communication.owner}` : ""}
                </p>
                <p className="hs-communication-body">{plainText(communication.body)}</p>
              </li>
            ))}
          </ul>
        </aside>
      </div>
      {modal && (
        <div className="hs-overlay">
          <div className="hs-modal" role="dialog" aria-label={modal.title ?? "App modal"} style={{ width: Math.min(modal.width, window.innerWidth - 32) }}>
            <header>
              <span>{modal.title}</span>
              <button type="button" aria-label="Close" onClick={closeModal}>
                ×
              </button>
            </header>
            <iframe ref={modalFrame} name="hubspot-modal" title={modal.title ?? "App modal"} src={modal.uri} style={{ height: modal.height }} />
          </div>
        </div>
      )}
      <section className="hs-alerts" aria-label="Alerts">
        {alerts.map((alert) => (
          <p key={alert.id} role="status" className={`hs-alert hs-alert-${alert.type}`}>
            {alert.title ? <strong>{alert.title} </strong> : null}
            {alert.message}
          </p>
        ))}
      </section>
    </div>
  );
}

/** The card's tree for one user: remounted when the simulated user changes, as HubSpot loads the card anew. */
function CardFrame({ render, api }: { render: ExtensionRender; api: { context: ExtensionContext; actions: ExtensionActions } }) {
  return <>{render(api)}</>;
}

/** A Communication's body is HTML (Switchboard's transcript): shown as its text. */
function plainText(html: string): string {
  return new DOMParser().parseFromString(html, "text/html").body.textContent ?? "";
}
