// What the simulator page shows and as whom: the demo CRM's record, company and users (read from
// the development server, see crm-record.ts), unless the URL says otherwise — the browser tests
// point it at a fake Pipedrive with ?companyId=…&personas=owner:101,agent:104&dealId=… (and sign
// its tokens themselves: the server signs only for the demo CRM's users).

export type Persona = { key: string; label: string; pipedriveUserId: number };
export type Resource = "deal" | "person";
export type SimulatorView = "deal" | "settings";

/** The deal or person the page shows; `person` and `value` are unknown without the demo CRM. */
export type SimulatedRecord = {
  resource: Resource;
  id: number;
  title: string;
  value: { amount: number; currency: string } | null;
  stage: string | null;
  person: { name: string; org: string | null; phones: { label: string; value: string }[] } | null;
};

/** The page's URL: every part optional. */
export type SimulatorQuery = {
  companyId: number | null;
  personas: Persona[] | null;
  member: string | null;
  resource: Resource;
  recordId: number;
  recordTitle: string | null;
  theme: "light" | "dark";
  view: SimulatorView;
  /** The id "Developer Hub" gave the start-chat modal (?startChatModalId=…). */
  startChatModalId: string | null;
};

export type SimulatorSetup = {
  companyId: number;
  personas: Persona[];
  member: string;
  theme: "light" | "dark";
  view: SimulatorView;
  record: SimulatedRecord;
  /** The record comes from the demo CRM, whose notes the page shows. */
  fromDemoCrm: boolean;
  /**
   * The app's custom modal as registered in Developer Hub, which assigns its id; OPEN_MODAL must
   * name it (by id or name). Null: the app registered none.
   */
  startChatModal: { id: string; name: string } | null;
};

/** The start-chat modal's name in Developer Hub (manifest/pipedrive). */
export const startChatModalName = "Start a WhatsApp chat";

/** The demo CRM's answer for a record (GET /api/v1/dev/simulator/record), with the id its "Developer Hub" gave the modal. */
export type DemoCrmView = { companyId: number; personas: Persona[]; record: SimulatedRecord; startChatModalId?: string | null };

export function readQuery(search: string): SimulatorQuery {
  const query = new URLSearchParams(search);
  const personas = query.get("personas")
    ? (query.get("personas") ?? "").split(",").flatMap((pair) => {
        const [key = "", id = ""] = pair.split(":");
        const label = query.get(`name.${key}`) ?? key;
        return key && /^\d+$/.test(id) ? [{ key, label, pipedriveUserId: Number(id) }] : [];
      })
    : null;
  const companyId = query.get("companyId");
  return {
    companyId: companyId && /^\d+$/.test(companyId) ? Number(companyId) : null,
    personas,
    member: query.get("member"),
    resource: query.get("personId") ? "person" : "deal",
    recordId: Number(query.get("dealId") ?? query.get("personId") ?? 1),
    recordTitle: query.get("dealTitle"),
    theme: query.get("theme") === "dark" ? "dark" : "light",
    view: query.get("view") === "settings" ? "settings" : "deal",
    startChatModalId: query.get("startChatModalId") || null,
  };
}

/**
 * The page's setup: the URL's choices first, the demo CRM's for the rest. The demo CRM's record is
 * used only for its own company; without it the URL must name the company and the personas.
 */
export function resolveSetup(query: SimulatorQuery, demoCrm: DemoCrmView | null): SimulatorSetup | { problem: string } {
  const crm = demoCrm && (query.companyId === null || query.companyId === demoCrm.companyId) ? demoCrm : null;
  const companyId = query.companyId ?? crm?.companyId;
  const personas = query.personas ?? crm?.personas;
  if (companyId === undefined || !personas?.length) {
    return {
      problem:
        "This server has no demo CRM (DEMO_CRM is off, or the record does not exist there). Name the Pipedrive company and users in the URL: ?companyId=…&personas=owner:101,agent:104&dealId=…",
    };
  }
  const modalId = query.startChatModalId ?? crm?.startChatModalId ?? null;
  const record: SimulatedRecord = crm?.record ?? {
    resource: query.resource,
    id: query.recordId,
    title: query.recordTitle ?? `${query.resource === "deal" ? "Deal" : "Person"} ${query.recordId}`,
    value: null,
    stage: null,
    person: null,
  };
  return {
    companyId,
    personas,
    member: query.member ?? personas[0]?.key ?? "owner",
    theme: query.theme,
    view: query.view,
    record,
    fromDemoCrm: crm !== null,
    startChatModal: modalId ? { id: modalId, name: startChatModalName } : null,
  };
}
