import type { Response } from "express";
import { z } from "zod";

// HubSpot's side of the contract, for both imitations of HubSpot (the demo portal and the tests'
// fake): error bodies, what the dated 2026-03 endpoints accept, and which scope each needs. Each
// rule names the page it comes from; shared/reference/hubspot.md says which are verified ([V]
// package or template code, [D] HubSpot's docs) and which are not ([U]).

export const hubspotDocs = {
  errors: "https://developers.hubspot.com/docs/api-reference/error-handling",
  oauthToken: "https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide",
  oauthAuthorize: "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth",
  communications: "https://developers.hubspot.com/docs/api-reference/crm-communications-v3/guide",
  search: "https://developers.hubspot.com/docs/api-reference/search/guide",
  objects: "https://developers.hubspot.com/docs/api-reference/crm-objects-v3/guide",
  owners: "https://developers.hubspot.com/docs/api-reference/crm-owners-v3/guide",
  limits: "https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines",
  uninstall: "https://developers.hubspot.com/docs/api-reference/app-installs/guide",
  associationsBatchRead: "https://developers.hubspot.com/docs/api-reference/2026-03/crm/associations/associate-records/batch/get-associations",
} as const;

/** Every CRM error is `{status: "error", message, correlationId, category, …}` (hubspotDocs.errors). */
export function sendCrmError(response: Response, httpStatus: number, category: string, message: string, extra: Record<string, unknown> = {}) {
  response.status(httpStatus).json({ status: "error", message, correlationId: crypto.randomUUID(), category, ...extra });
}

/**
 * OAuth errors are RFC 6749 bodies with HubSpot's own status and message beside them (changelog
 * "new OAuth v3 API endpoints"; hubspot.md §3): `{error, error_description, status, message}`.
 */
export function sendOAuthError(response: Response, error: string, status: string, description: string) {
  response.status(400).json({ error, error_description: description, status, message: description });
}

/**
 * The scopes each endpoint needs (HubSpot's API reference lists them per endpoint): contacts and
 * Communications under crm.objects.contacts.*, deals under crm.objects.deals.*, owners under
 * crm.objects.owners.read.
 */
export const scopeFor = {
  readContacts: "crm.objects.contacts.read",
  writeCommunications: "crm.objects.contacts.write",
  readDeals: "crm.objects.deals.read",
  readOwners: "crm.objects.owners.read",
} as const;

/** Object type ids (hubspot.md §2, [V] ui-extensions CrmContext): 0-1 contact, 0-3 deal. */
export const objectTypeIds = { contacts: "0-1", deals: "0-3" } as const;

/**
 * HubSpot-defined association type ids for a Communication ([V] @hubspot/api-client
 * AssociationTypes; hubspotDocs.communications): to a contact 81, to a deal 85, to a company 87,
 * to a ticket 83.
 */
export const communicationAssociationTypes = { contacts: 81, deals: 85, companies: 87, tickets: 83 } as const;

/** hubspotDocs.communications: the channel enum, and logged_from must be CRM. */
export const communicationChannels = ["WHATS_APP", "LINKEDIN_MESSAGE", "SMS"] as const;

/**
 * The properties a Communication takes here: the documented ones (hubspotDocs.communications).
 * Anything else is a property that doesn't exist on the object (400 VALIDATION_ERROR,
 * PROPERTY_DOESNT_EXIST), as for any CRM object (hubspotDocs.objects).
 */
export const communicationProperties = [
  "hs_communication_channel_type",
  "hs_communication_logged_from",
  "hs_communication_body",
  "hs_timestamp",
  "hubspot_owner_id",
] as const;
/** Set by HubSpot, refused on write (hubspotDocs.objects: read-only properties can't be set). */
export const readOnlyProperties = ["hs_object_id", "hs_createdate", "hs_lastmodifieddate", "createdate", "lastmodifieddate"] as const;

/** `hs_timestamp`: epoch milliseconds or an ISO 8601 instant (hubspotDocs.communications). */
export const hubspotTimestamp = z.union([z.string().regex(/^\d{10,16}$/), z.iso.datetime({ offset: true })]);

const AssociationInput = z.strictObject({
  to: z.strictObject({ id: z.string().regex(/^\d+$/, "must be a record id") }),
  types: z
    .array(
      z.strictObject({
        associationCategory: z.enum(["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"]),
        associationTypeId: z.number().int().positive(),
      }),
    )
    .min(1),
});

/** The body of POST /crm/objects/2026-03/communications (and each batch input). */
export const CommunicationInput = z.strictObject({
  properties: z.record(z.string(), z.string().nullable()),
  associations: z.array(AssociationInput).optional(),
  objectWriteTraceId: z.string().optional(),
});
export type CommunicationInputBody = z.infer<typeof CommunicationInput>;

/** Batch create: `{inputs: [...]}`, at most 100 inputs (hubspotDocs.objects batch limits; [U] for this object). */
export const BatchCommunicationInput = z.strictObject({ inputs: z.array(CommunicationInput).min(1).max(100) });

/** PATCH /crm/objects/2026-03/communications/{id}: properties only. */
export const CommunicationUpdate = z.strictObject({ properties: z.record(z.string(), z.string().nullable()), objectWriteTraceId: z.string().optional() });

/**
 * CRM search (hubspotDocs.search): up to 5 filterGroups of up to 6 filters, 18 filters in all;
 * `limit` up to 200; `after` a paging cursor; these operators.
 */
const searchOperators = [
  "EQ",
  "NEQ",
  "LT",
  "LTE",
  "GT",
  "GTE",
  "BETWEEN",
  "IN",
  "NOT_IN",
  "HAS_PROPERTY",
  "NOT_HAS_PROPERTY",
  "CONTAINS_TOKEN",
  "NOT_CONTAINS_TOKEN",
] as const;
const SearchFilter = z.strictObject({
  propertyName: z.string().min(1),
  operator: z.enum(searchOperators),
  value: z.string().optional(),
  highValue: z.string().optional(),
  values: z.array(z.string()).optional(),
});
/** A batch read of records (hubspotDocs.objects): up to 100 `{id}` inputs and the properties wanted. */
export const BatchReadBody = z.strictObject({
  inputs: z
    .array(z.strictObject({ id: z.string().min(1) }))
    .min(1)
    .max(100),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});

/** A batch read of associations (hubspotDocs.associationsBatchRead): `{id, after?}` inputs, `after` from the page before ([U] the cap, taken as 1,000). */
export const AssociationsBatchReadBody = z.strictObject({
  inputs: z
    .array(z.strictObject({ id: z.string().min(1), after: z.string().optional() }))
    .min(1)
    .max(1000),
});

export const SearchBody = z
  .strictObject({
    filterGroups: z
      .array(z.strictObject({ filters: z.array(SearchFilter).min(1).max(6) }))
      .max(5)
      .optional(),
    properties: z.array(z.string()).optional(),
    sorts: z.array(z.union([z.string(), z.strictObject({ propertyName: z.string(), direction: z.enum(["ASCENDING", "DESCENDING"]) })])).optional(),
    query: z.string().optional(),
    limit: z.number().int().min(1).max(200).optional(),
    after: z.union([z.string(), z.number()]).optional(),
  })
  .refine((body) => (body.filterGroups ?? []).reduce((sum, group) => sum + group.filters.length, 0) <= 18, "at most 18 filters in all");

/**
 * OAuth apps: 100 requests per 10 seconds per app per account, no daily limit; every answer
 * carries X-HubSpot-RateLimit-Max, -Remaining and -Interval-Milliseconds; over it, 429 with this
 * body (hubspotDocs.limits; hubspot.md §4, the body [V] by the SDK's retry on policyName).
 */
export const tenSecondlyLimit = { max: 100, intervalMs: 10_000 } as const;
export function sendRateLimited(response: Response) {
  response.status(429).json({
    status: "error",
    message: "You have reached your ten_secondly_rolling limit.",
    errorType: "RATE_LIMIT",
    correlationId: crypto.randomUUID(),
    policyName: "TEN_SECONDLY_ROLLING",
  });
}
