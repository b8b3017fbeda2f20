import { HttpProblem, notFound } from "../http/problem";
import type { Services } from "../services";
import { normalizePhone } from "../whatsapp/phone";
import { type HubspotApi, HubspotApiError, HubspotRateLimited, hubspotApi } from "./api";
import type { CardRecord } from "./card-context";
import { contactPhoneProperties } from "./crm";

// The record a HubSpot panel session is bound to, read through the workspace's connection on
// HubSpot's dated 2026-03 paths: a contact's phones, or a deal's associated contacts' phones.
// Only that record: the session was opened by a card on it (a signed context) and a Switchboard
// sign-in (or the member's HubSpot user link). HubSpot's own record visibility for the member's
// HubSpot user is not applied: the portal's connection reads the record the card was on.

export type HubspotPanelPhone = { e164: string | null; label: string; raw: string };
export type HubspotPanelPerson = { id: string; name: string; phones: HubspotPanelPhone[] };

const phoneLabels: Record<(typeof contactPhoneProperties)[number], string> = { phone: "phone", mobilephone: "mobile", hs_whatsapp_phone_number: "WhatsApp" };
/** A batch read takes at most 100 inputs (HubSpot's objects guide; hubspot.md §4 caps batch create likewise). */
const batchSize = 100;

type CrmObject = { id: string; properties: Record<string, string | null | undefined> };
type AssociationsPage = { results: { from: { id: string }; to: { toObjectId: string | number }[]; paging?: { next?: { after?: string } } }[] };

export async function readHubspotPanelPersons(services: Services, workspaceId: string, record: CardRecord): Promise<HubspotPanelPerson[]> {
  return answeringHubspotErrors(async () => {
    const api = await hubspotApi(services, workspaceId);
    if (record.objectTypeId === "0-1") {
      const properties = ["firstname", "lastname", "email", ...contactPhoneProperties].join(",");
      return [personOf(await api.request<CrmObject>("GET", `/crm/objects/2026-03/contacts/${encodeURIComponent(record.objectId)}?properties=${properties}`))];
    }
    // The deal itself first: a deal that is gone is a 404, not a deal without contacts.
    await api.request<CrmObject>("GET", `/crm/objects/2026-03/deals/${encodeURIComponent(record.objectId)}?properties=dealname`);
    return readContacts(api, await dealContactIds(api, record.objectId));
  });
}

/** Every contact associated with the deal, page after page (dated associations batch read; v4's paths go unsupported 2027-03-30). */
export async function dealContactIds(api: HubspotApi, dealId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await api.request<AssociationsPage>("POST", "/crm/associations/2026-03/deals/contacts/batch/read", {
      inputs: [{ id: dealId, ...(after === undefined ? {} : { after }) }],
    });
    const result = page.results.find((candidate) => candidate.from.id === dealId);
    ids.push(...(result?.to ?? []).map((association) => String(association.toObjectId)));
    after = result?.paging?.next?.after;
  } while (after !== undefined);
  return [...new Set(ids)];
}

/** The contacts by id, in that order, a batch of 100 at a time; one deleted since its association was listed is left out (a 207's errors). */
async function readContacts(api: HubspotApi, ids: string[]): Promise<HubspotPanelPerson[]> {
  const byId = new Map<string, HubspotPanelPerson>();
  for (let start = 0; start < ids.length; start += batchSize) {
    const answer = await api.request<{ results: CrmObject[] }>("POST", "/crm/objects/2026-03/contacts/batch/read", {
      inputs: ids.slice(start, start + batchSize).map((id) => ({ id })),
      properties: ["firstname", "lastname", "email", ...contactPhoneProperties],
    });
    for (const contact of answer.results) byId.set(contact.id, personOf(contact));
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}

function personOf(contact: CrmObject): HubspotPanelPerson {
  const { firstname, lastname, email } = contact.properties;
  const name = [firstname, lastname].filter(Boolean).join(" ") || email || `Contact ${contact.id}`;
  const phones = contactPhoneProperties.flatMap((property) => {
    const raw = contact.properties[property]?.trim();
    return raw ? [{ e164: normalizePhone(raw), label: phoneLabels[property], raw }] : [];
  });
  return { id: contact.id, name, phones };
}

/** HubSpot's answers as the panel's: gone → 404, rate-limited → 429 with Retry-After, other failures → 502. */
async function answeringHubspotErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HubspotApiError && error.reason === "not_found") throw notFound("HubSpot record");
    if (error instanceof HubspotRateLimited) {
      const retryAfterSeconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
      throw new HttpProblem(429, "rate_limited", "HubSpot is busy", `HubSpot asks to wait; try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
    }
    if (error instanceof HubspotApiError) throw new HttpProblem(502, "internal", "HubSpot failed", `HubSpot could not answer: ${error.message}`);
    throw error;
  }
}
