import { demoEmail, demoMemberName } from "../demo/members";
import type { BuiltinRoleId } from "../permissions";

// The demo CRM's company: its users, people and deal. The one source for everything that shows
// them — the demo CRM's API, the demo seed (its conversations and its user mapping) and the CRM
// simulator's deal page (through GET /api/v1/dev/simulator/record).

export type DemoCrmUser = { id: number; roleId: BuiltinRoleId; name: string; email: string; isAdmin: boolean };
export type DemoCrmPhone = { value: string; label: string; primary: boolean };
export type DemoCrmPerson = { id: number; name: string; orgId: number | null; phones: DemoCrmPhone[]; emails: string[] };
export type DemoCrmOrganization = { id: number; name: string };
export type DemoCrmDeal = {
  id: number;
  title: string;
  value: number;
  currency: string;
  stage: string;
  status: "open" | "won" | "lost";
  personId: number;
  orgId: number | null;
  ownerId: number;
};

export const demoCrmCompany = { id: 67890, domain: "demo", name: "Demo Company" } as const;

const demoUser = (id: number, roleId: BuiltinRoleId): DemoCrmUser => ({
  id,
  roleId,
  name: demoMemberName(roleId),
  email: demoEmail(roleId),
  isAdmin: roleId === "owner" || roleId === "admin",
});

/** Pipedrive users 101–105, one per demo member (the demo seed maps each to the member of that role). */
export const demoCrmUsers: DemoCrmUser[] = [
  demoUser(101, "owner"),
  demoUser(102, "admin"),
  demoUser(103, "teammate"),
  demoUser(104, "agent"),
  demoUser(105, "collaborator"),
];

export const demoCrmOrganizations: DemoCrmOrganization[] = [
  { id: 1, name: "Navy Labs" },
  { id: 2, name: "Analytical Engines GmbH" },
];

/** The people the demo conversations are with; their numbers are free text, as Pipedrive stores them. */
export const demoCrmPeople = {
  grace: {
    id: 1,
    name: "Grace Hopper",
    orgId: 1,
    phones: [
      { value: "+44 20 7946 0958", label: "mobile", primary: true },
      { value: "+1 (555) 010-0999", label: "work", primary: false },
    ],
    emails: ["grace@navylabs.test"],
  },
  ada: { id: 2, name: "Ada Lovelace", orgId: 2, phones: [{ value: "+49 151 12345678", label: "mobile", primary: true }], emails: [] },
  alan: { id: 3, name: "Alan Turing", orgId: null, phones: [{ value: "+55 11 98765-4321", label: "mobile", primary: true }], emails: [] },
  hedy: { id: 4, name: "Hedy Lamarr", orgId: null, phones: [{ value: "+34 612 34 56 78", label: "mobile", primary: true }], emails: [] },
} satisfies Record<string, DemoCrmPerson>;

export const demoCrmPersons: DemoCrmPerson[] = Object.values(demoCrmPeople);

export const demoCrmDeals: DemoCrmDeal[] = [
  {
    id: 1,
    title: "Enterprise plan — 25 seats",
    value: 12_500,
    currency: "EUR",
    stage: "Proposal made",
    status: "open",
    personId: demoCrmPeople.grace.id,
    orgId: 1,
    ownerId: 101,
  },
];

/** The Pipedrive user of the demo member with this role. */
export function demoCrmUserFor(roleId: BuiltinRoleId): DemoCrmUser {
  const user = demoCrmUsers.find((candidate) => candidate.roleId === roleId);
  if (!user) throw new Error(`No demo CRM user for ${roleId}`);
  return user;
}
