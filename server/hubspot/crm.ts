import type { HubspotApi } from "./api";

// The CRM calls logging makes, on HubSpot's dated 2026-03 paths (hubspot.md §4).

/** The phone properties a WhatsApp number may be in ([D] phone, mobilephone; [U] hs_whatsapp_phone_number, widely used). */
export const contactPhoneProperties = ["phone", "mobilephone", "hs_whatsapp_phone_number"] as const;

/** HubSpot-defined association type ids from a Communication ([V] the SDK's AssociationTypes): to a contact 81, to a deal 85. */
export const communicationAssociations = { contact: 81, deal: 85 } as const;

type SearchAnswer = { total: number; results: { id: string; properties: Record<string, string | null> }[] };

/**
 * The contact whose phone, mobile or WhatsApp number is `phone` (E.164, as the chat has it), the
 * oldest first when several are. HubSpot compares the stored text, so the number is asked for as
 * `+15550100001` and as `15550100001`; a number typed with spaces is not found ([U] whether the
 * search normalises phone numbers).
 */
export async function findContactByPhone(api: HubspotApi, phone: string): Promise<string | null> {
  const values = [...new Set([phone, phone.replace(/^\+/, "")])];
  const answer = await api.request<SearchAnswer>("POST", "/crm/objects/2026-03/contacts/search", {
    filterGroups: contactPhoneProperties.map((propertyName) => ({ filters: [{ propertyName, operator: "IN", values }] })),
    properties: [...contactPhoneProperties],
    sorts: [{ propertyName: "createdate", direction: "ASCENDING" }],
    limit: 1,
  });
  return answer.results[0]?.id ?? null;
}

/** The owner id (not the user id: hubspot.md §4) of the HubSpot user with this e-mail, or null. */
export async function findOwnerIdByEmail(api: HubspotApi, email: string): Promise<string | null> {
  const answer = await api.request<{ results: { id: string; email?: string; archived?: boolean }[] }>(
    "GET",
    `/crm/owners/2026-03?email=${encodeURIComponent(email)}&archived=false`,
  );
  const owner = answer.results.find((candidate) => candidate.email?.toLowerCase() === email.toLowerCase() && !candidate.archived);
  return owner?.id ?? null;
}

export type CommunicationTarget = { contactId: string; dealId: string | null };

/** POST /crm/objects/2026-03/communications: a WhatsApp message logged from the CRM, on the contact (81) and the deal (85) inline. */
export async function createCommunication(
  api: HubspotApi,
  input: { body: string; at: Date; ownerId: string | null; target: CommunicationTarget },
): Promise<string> {
  const association = (id: string, associationTypeId: number) => ({ to: { id }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId }] });
  const created = await api.request<{ id: string }>("POST", "/crm/objects/2026-03/communications", {
    properties: {
      hs_communication_channel_type: "WHATS_APP",
      hs_communication_logged_from: "CRM",
      hs_communication_body: input.body,
      hs_timestamp: input.at.toISOString(),
      ...(input.ownerId ? { hubspot_owner_id: input.ownerId } : {}),
    },
    associations: [
      association(input.target.contactId, communicationAssociations.contact),
      ...(input.target.dealId ? [association(input.target.dealId, communicationAssociations.deal)] : []),
    ],
  });
  return created.id;
}

/** PATCH /crm/objects/2026-03/communications/{id}: a part's body, grown in place. Throws HubspotApiError not_found when it was deleted. */
export async function updateCommunicationBody(api: HubspotApi, communicationId: string, body: string): Promise<void> {
  await api.request("PATCH", `/crm/objects/2026-03/communications/${encodeURIComponent(communicationId)}`, { properties: { hs_communication_body: body } });
}
