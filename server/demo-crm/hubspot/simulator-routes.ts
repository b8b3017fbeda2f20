import { z } from "zod";
import { HttpProblem, notFound } from "../../http/problem";
import { publicAccess, route } from "../../http/route";
import { hubspotSignatureV3 } from "../../hubspot/signature";
import { objectTypeIds } from "./contract";
import { demoHubspotPortal } from "./demo-portal";

// What the CRM simulator's HubSpot contact page (extension/simulator/hubspot/) needs from the demo
// HubSpot portal: the record and the portal's users to switch between, the Communications
// Switchboard logged there, and HubSpot's part of hubspot.fetch — signing the card's request with
// the app's client secret (X-HubSpot-Signature-v3), which only the server holds. Development only,
// and the signer only while the demo portal is this server's HubSpot app: with an app of its own, a
// request signed here would be HubSpot's word.

const RecordQuery = z.strictObject({ objectTypeId: z.enum([objectTypeIds.contacts, objectTypeIds.deals]), objectId: z.string().regex(/^\d{1,20}$/) });
const SignBody = z.strictObject({
  /** The URL the card passed to hubspot.fetch (absolute, at the address manifest/hubspot names). */
  url: z.url().max(2000),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
  /** hubspot.fetch's JSON body, as the card gave it. */
  body: z.unknown().optional(),
  portalId: z.number().int().positive(),
  userId: z.number().int().positive(),
});

/** Where HubSpot's proxy may send a card's requests here: Switchboard's HubSpot card endpoints, nothing else. */
const signablePath = /^\/api\/v1\/hubspot\//;

export const demoHubspotSimulatorRoutes = [
  route({
    method: "get",
    path: "/dev/simulator/hubspot/record",
    summary: "Development only: the demo HubSpot portal's contact or deal, its users and the Communications logged on it, for the CRM simulator's page",
    tag: "Development",
    access: publicAccess("the CRM simulator's view of the demo HubSpot portal's made-up records; absent in production and when DEMO_CRM is off"),
    query: RecordQuery,
    responses: { 200: "{hubId, domain, appId, personas, record, communications}", 404: "In production, with the demo portal off, or no such record" },
    async handler({ services, query }) {
      const demo = services.demoHubspot;
      if (!services.config.demoHubspot.enabled || !demo) throw notFound("demo HubSpot portal");
      const portal = demo.portals.portal(demoHubspotPortal.hubId);
      const isContact = query.objectTypeId === objectTypeIds.contacts;
      const record = isContact ? portal.contacts.get(query.objectId) : portal.deals.get(query.objectId);
      if (!record) throw notFound(isContact ? "contact" : "deal");
      const ownerName = (ownerId: string | null | undefined) => {
        const owner = portal.users.find((user) => String(user.ownerId) === ownerId);
        return owner ? `${owner.firstName} ${owner.lastName}`.trim() : null;
      };
      const communications = [...portal.communications.values()]
        .filter((communication) =>
          communication.associations.some(
            (association) => association.id === query.objectId && association.toObjectType === (isContact ? "contacts" : "deals"),
          ),
        )
        .map((communication) => ({
          id: communication.id,
          channel: communication.properties.hs_communication_channel_type ?? null,
          loggedFrom: communication.properties.hs_communication_logged_from ?? null,
          body: communication.properties.hs_communication_body ?? "",
          timestamp: communication.properties.hs_timestamp ?? null,
          owner: ownerName(communication.properties.hubspot_owner_id),
          associations: communication.associations,
        }));
      return {
        status: 200,
        body: {
          hubId: portal.hubId,
          domain: portal.domain,
          appId: demo.app.appId,
          personas: portal.users.map((user) => ({ userId: user.userId, name: `${user.firstName} ${user.lastName}`.trim(), email: user.email })),
          record: { objectTypeId: query.objectTypeId, objectId: record.id, properties: record.properties },
          communications,
        },
      };
    },
  }),
  route({
    method: "post",
    path: "/dev/simulator/hubspot/sign",
    summary: "Development only: HubSpot's proxy for the demo portal's card — the request hubspot.fetch would send, signed with X-HubSpot-Signature-v3",
    tag: "Development",
    access: publicAccess(
      "the demo HubSpot portal vouching for its own made-up users; exists only while the demo portal is this server's HubSpot app, so it never signs for a real portal",
    ),
    body: SignBody,
    auditExempt: "signs a request for the simulator; changes nothing",
    responses: {
      200: "{path, method, headers, body}: send it to this server as is (the signature covers PUBLIC_URL + path + body + timestamp)",
      403: "Not the demo portal or one of its users, or a URL outside Switchboard's HubSpot card endpoints",
      404: "In production, or when the HubSpot app is not the demo portal (HUBSPOT_CLIENT_ID set, or DEMO_CRM off)",
    },
    async handler({ services, body }) {
      const { config } = services;
      const secret = config.hubspot.clientSecret;
      const demo = services.demoHubspot;
      if (!config.hubspot.usesDemoPortal || !secret || !demo) throw notFound("endpoint");
      const portal = demo.portals.portals.get(body.portalId);
      const user = portal?.users.find((candidate) => candidate.userId === body.userId);
      if (!portal || !user) {
        throw new HttpProblem(
          403,
          "permission_denied",
          "Not a demo HubSpot user",
          `The demo portal signs only for its own account (${demoHubspotPortal.hubId}) and users.`,
        );
      }
      // The card names Switchboard at the address its project was generated for; like HubSpot's
      // local dev proxy (local.json), the request goes to this server, and is signed as sent here.
      const target = new URL(body.url);
      if (!signablePath.test(target.pathname)) {
        throw new HttpProblem(403, "permission_denied", "Not a card endpoint", "HubSpot's proxy here sends only to Switchboard's /api/v1/hubspot/ endpoints.");
      }
      // What HubSpot appends to every card request ([V] ui-extensions' ProxyMetadata {userId, userEmail, portalId}; appId per the converter's README).
      const query = new URLSearchParams(target.search);
      query.append("userId", String(user.userId));
      query.append("userEmail", user.email);
      query.append("appId", String(demo.app.appId));
      query.append("portalId", String(portal.hubId));
      const path = `${target.pathname}?${query}`;
      // JSON bodies only, serialized once: what is signed is what is sent (hubspot.md §2).
      const sentBody = body.method === "GET" || body.body === undefined ? "" : JSON.stringify(body.body);
      const timestamp = String(Date.now());
      const signature = hubspotSignatureV3(secret, { method: body.method, uri: `${config.publicUrl}${path}`, body: sentBody, timestamp });
      return {
        status: 200,
        body: {
          path,
          method: body.method,
          headers: {
            ...(sentBody ? { "content-type": "application/json" } : {}),
            "x-hubspot-signature-v3": signature,
            "x-hubspot-request-timestamp": timestamp,
          },
          body: sentBody,
        },
      };
    },
  }),
];
