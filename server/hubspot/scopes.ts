/**
 * What the HubSpot app asks for (hubspot.md §1, §4): read contacts and deals for the card, write
 * contacts for Communications (the Communications API lists contacts read/write), read owners to
 * set hubspot_owner_id. Writing deals is optional: whether an inline association to a deal needs
 * it is unverified, so an installer who has it grants it and one who hasn't can still install.
 * The app's project (manifest/hubspot) declares the same lists.
 */
export const hubspotRequiredScopes = [
  "oauth",
  "crm.objects.contacts.read",
  "crm.objects.contacts.write",
  "crm.objects.deals.read",
  "crm.objects.owners.read",
] as const;
export const hubspotOptionalScopes = ["crm.objects.deals.write"] as const;
