import { HttpProblem, notFound } from "../http/problem";
import type { Services } from "../services";
import { normalizePhone } from "../whatsapp/phone";
import { HubspotApiError, HubspotRateLimited, hubspotApi } from "./api";
import type { CardContext } from "./card-context";
import { contactPhoneProperties } from "./crm";

// The record a HubSpot panel session is bound to, read through the workspace's connection on
// HubSpot's dated 2026-03 paths: a contact's phones, or a deal's associated contacts' phones.
// Only that record: the session was opened by a card on it (a signed context) and a Switchboard
// sign-in. HubSpot's own visibility for the signed-in member's HubSpot user is not applied: which
// HubSpot user they are is not proven (see card-routes.ts).

export type HubspotPanelPhone = { e164: string | null; label: string; raw: string };
export type HubspotPanelPerson = { id: string; name: string; phones: HubspotPanelPhone[] };

const phoneLabels: Record<(typeof contactPhoneProperties)[number], string> = { phone: "phone", mobilephone: "mobile", hs_whatsapp_phone_number: "WhatsApp" };
/** A deal's contacts read for its phones; HubSpot pages associations, the first page is plenty for a panel. */
const maxDealContacts = 10;

type CrmObject = { id: string; properties: Record<string, string | null | undefined>; associations?: { contacts?: { results: { id: string }[] } } };

export async function readHubspotPanelPersons(services: Services, workspaceId: string, record: CardContext): Promise<HubspotPanelPerson[]> {
  return answeringHubspotErrors(async () => {
    const api = await hubspotApi(services, workspaceId);
    const contactProperties = ["firstname", "lastname", "email", ...contactPhoneProperties].join(",");
    const readContact = async (id: string) =>
      personOf(await api.request<CrmObject>("GET", `/crm/objects/2026-03/contacts/${encodeURIComponent(id)}?properties=${contactProperties}`));
    if (record.objectTypeId === "0-1") return [await readContact(record.objectId)];
    const deal = await api.request<CrmObject>(
      "GET",
      `/crm/objects/2026-03/deals/${encodeURIComponent(record.objectId)}?properties=dealname&associations=contacts`,
    );
    const contactIds = [...new Set((deal.associations?.contacts?.results ?? []).map((result) => result.id))].slice(0, maxDealContacts);
    const persons: HubspotPanelPerson[] = [];
    for (const id of contactIds) {
      try {
        persons.push(await readContact(id));
      } catch (error) {
        // A contact deleted since the association was listed is left out.
        if (!(error instanceof HubspotApiError && error.reason === "not_found")) throw error;
      }
    }
    return persons;
  });
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
