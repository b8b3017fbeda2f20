import { type DemoCrmPerson, demoCrmDeals, demoCrmPersons } from "./company";

// What the demo CRM writes: notes and activities, kept in memory for the life of the process. A
// restart empties it; the logging job then finds its note gone (404) and writes a fresh one.

export type DemoCrmNote = {
  id: number;
  content: string;
  dealId: number | null;
  personId: number | null;
  orgId: number | null;
  userId: number;
  pinnedToDeal: boolean;
  addTime: Date;
  updateTime: Date;
};

export type DemoCrmActivity = {
  id: number;
  subject: string;
  type: string;
  dealId: number | null;
  /** As v2 takes them; the primary one is the activity's `personId` (read-only in v2). */
  participants: { person_id: number; primary?: boolean }[];
  personId: number | null;
  orgId: number | null;
  ownerId: number;
  dueDate: string | null;
  dueTime: string | null;
  duration: string | null;
  done: boolean;
  note: string | null;
  addTime: Date;
  updateTime: Date;
};

export type DemoCrmStore = {
  notes: DemoCrmNote[];
  activities: DemoCrmActivity[];
  nextId(): number;
  /**
   * What /oauth/revoke ended (https://pipedrive.readme.io/docs/app-uninstallation): a revoked
   * refresh token uninstalls the app for its user, so every token of theirs issued before then is
   * refused; a revoked access token ends that token only. In memory, like the rest of the store.
   */
  revoked: { usersAt: Map<number, number>; tokenNonces: Set<string> };
  /** Each authorization code /oauth/token exchanged, in order: whose consent it carried, and when. */
  codeExchanges: { userId: number; at: Date }[];
};

export function createDemoCrmStore(): DemoCrmStore {
  let lastId = 0;
  return { notes: [], activities: [], nextId: () => ++lastId, revoked: { usersAt: new Map(), tokenNonces: new Set() }, codeExchanges: [] };
}

/** Whether /oauth/revoke ended this grant (a token issued before its user's uninstall, or itself). */
export function isRevoked(store: DemoCrmStore, grant: { userId: number; nonce: string; issuedAtMs?: number }): boolean {
  const uninstalledAt = store.revoked.usersAt.get(grant.userId);
  return store.revoked.tokenNonces.has(grant.nonce) || (uninstalledAt !== undefined && (grant.issuedAtMs ?? 0) <= uninstalledAt);
}

export const findDeal = (id: number) => demoCrmDeals.find((deal) => deal.id === id) ?? null;
export const findPerson = (id: number) => demoCrmPersons.find((person) => person.id === id) ?? null;

/** A deal's persons: its contact person first (the demo deals have no other participants). */
export const dealPersons = (dealId: number): DemoCrmPerson[] => {
  const deal = findDeal(dealId);
  return deal ? demoCrmPersons.filter((person) => person.id === deal.personId) : [];
};

/** Why a note or activity can't hang where it was asked to; null when it can. */
export function missingTarget(links: { dealId: number | null; personId: number | null; orgId: number | null }): string | null {
  if (!links.dealId && !links.personId && !links.orgId) return "Note must be attached to a deal, person, organization, lead or project";
  if (links.dealId && !findDeal(links.dealId)) return "Deal not found";
  if (links.personId && !findPerson(links.personId)) return "Person not found";
  return null;
}

/** The notes and activities a deal's or person's page shows: on the record, or on the deal's persons. */
export function recordTimeline(store: DemoCrmStore, resource: "deal" | "person", id: number) {
  const personIds = resource === "deal" ? dealPersons(id).map((person) => person.id) : [id];
  const onRecord = (item: { dealId: number | null; personId: number | null }) =>
    (resource === "deal" && item.dealId === id) || (item.personId !== null && personIds.includes(item.personId));
  const newestFirst = (left: { updateTime: Date }, right: { updateTime: Date }) => right.updateTime.getTime() - left.updateTime.getTime();
  return { notes: store.notes.filter(onRecord).sort(newestFirst), activities: store.activities.filter(onRecord).sort(newestFirst) };
}
