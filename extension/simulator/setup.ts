// The simulator's fake Pipedrive company: who can be switched to and the deal it shows. The ids
// must match the workspace's Pipedrive link (the demo seed, or a test's setup); a page URL may
// override them: ?companyId=…&personas=owner:101,agent:104&dealId=…

export const personaKeys = ["owner", "admin", "teammate", "agent", "collaborator"] as const;
export type Persona = { key: string; label: string; pipedriveUserId: number };

export const demoCompanyId = 67890;
export const demoPersonas: Persona[] = personaKeys.map((key, index) => ({
  key,
  label: `Demo ${key[0]?.toUpperCase()}${key.slice(1)}`,
  pipedriveUserId: 101 + index,
}));

export type SimulatedDeal = {
  id: number;
  title: string;
  value: string;
  stage: string;
  person: { name: string; org: string; phones: { label: string; value: string }[] };
};
export const demoDeal: SimulatedDeal = {
  id: 1,
  title: "Enterprise plan — 25 seats",
  value: "€12,500",
  stage: "Proposal made",
  person: {
    name: "Grace Hopper",
    org: "Navy Labs",
    phones: [
      { label: "mobile", value: "+44 20 7946 0958" },
      { label: "work", value: "+1 (555) 010-0999" },
    ],
  },
};

export type SimulatorSetup = {
  companyId: number;
  personas: Persona[];
  member: string;
  resource: "deal" | "person";
  recordId: number;
  theme: "light" | "dark";
  deal: SimulatedDeal;
};

/** Reads the page's setup from its URL, falling back to the demo company. */
export function readSetup(search: string): SimulatorSetup {
  const query = new URLSearchParams(search);
  const personas = query.get("personas")
    ? (query.get("personas") ?? "").split(",").flatMap((pair) => {
        const [key = "", id = ""] = pair.split(":");
        const label = query.get(`name.${key}`) ?? key;
        return key && /^\d+$/.test(id) ? [{ key, label, pipedriveUserId: Number(id) }] : [];
      })
    : demoPersonas;
  const recordId = Number(query.get("dealId") ?? query.get("personId") ?? demoDeal.id);
  return {
    companyId: Number(query.get("companyId") ?? demoCompanyId),
    personas,
    member: query.get("member") ?? personas[0]?.key ?? "owner",
    resource: query.get("personId") ? "person" : "deal",
    recordId,
    theme: query.get("theme") === "dark" ? "dark" : "light",
    deal: { ...demoDeal, id: recordId, title: query.get("dealTitle") ?? demoDeal.title },
  };
}
