// What the simulator's HubSpot page shows: the demo HubSpot portal's record, its users and the
// Communications logged on it (GET /api/v1/dev/simulator/hubspot/record,
// server/demo-crm/hubspot/simulator-routes.ts), so the page and the demo portal never disagree.

export type HubspotPersona = { userId: number; name: string; email: string };
export type LoggedCommunication = {
  id: string;
  channel: string | null;
  loggedFrom: string | null;
  body: string;
  timestamp: string | null;
  owner: string | null;
  associations: { toObjectType: "contacts" | "deals"; id: string; associationTypeId: number }[];
};
export type HubspotRecordView = {
  hubId: number;
  domain: string;
  appId: number;
  personas: HubspotPersona[];
  record: { objectTypeId: "0-1" | "0-3"; objectId: string; properties: Record<string, string | null> };
  communications: LoggedCommunication[];
};

export type HubspotPageQuery = { objectTypeId: "0-1" | "0-3"; objectId: string; userId: number | null };

/** ?objectTypeId=0-1&objectId=151&userId=9104, each optional: Grace Hopper's contact, as the portal's first user. */
export function readHubspotQuery(search: string): HubspotPageQuery {
  const query = new URLSearchParams(search);
  const userId = query.get("userId");
  const objectId = query.get("objectId");
  return {
    objectTypeId: query.get("objectTypeId") === "0-3" ? "0-3" : "0-1",
    objectId: objectId && /^\d+$/.test(objectId) ? objectId : "151",
    userId: userId && /^\d+$/.test(userId) ? Number(userId) : null,
  };
}

export async function fetchHubspotRecord(query: Pick<HubspotPageQuery, "objectTypeId" | "objectId">): Promise<HubspotRecordView | { problem: string }> {
  const response = await fetch(`/api/v1/dev/simulator/hubspot/record?${new URLSearchParams({ objectTypeId: query.objectTypeId, objectId: query.objectId })}`);
  if (response.ok) return (await response.json()) as HubspotRecordView;
  return {
    problem:
      response.status === 404
        ? "This server has no demo HubSpot portal (DEMO_CRM is off, or the record does not exist there): the HubSpot page of the simulator plays the demo portal only."
        : `The demo HubSpot portal did not answer (${response.status}).`,
  };
}

/** The record's name as HubSpot shows it in the header. */
export function recordTitle(record: HubspotRecordView["record"]): string {
  const { firstname, lastname, dealname } = record.properties;
  return dealname ?? ([firstname, lastname].filter(Boolean).join(" ") || `Record ${record.objectId}`);
}
