import { randomBytes } from "node:crypto";
import express, { type NextFunction, type Request, type Response } from "express";
import {
  AssociationsBatchReadBody,
  BatchCommunicationInput,
  BatchReadBody,
  CommunicationInput,
  type CommunicationInputBody,
  CommunicationUpdate,
  communicationAssociationTypes,
  communicationChannels,
  communicationProperties,
  hubspotDocs,
  hubspotTimestamp,
  readOnlyProperties,
  SearchBody,
  scopeFor,
  sendCrmError,
  sendOAuthError,
  sendRateLimited,
  tenSecondlyLimit,
} from "./contract";
import {
  accessTokenLifetimeSeconds,
  type Grant,
  type HubspotAppRegistration,
  type HubspotCommunication,
  type HubspotPortal,
  type HubspotPortals,
} from "./portal";

// An imitation of HubSpot as an Express router: the OAuth server (app.hubspot.com's authorize
// page, api.hubapi.com's dated token, introspect and revoke endpoints), the uninstall endpoint,
// and the CRM endpoints the app uses, on their 2026-03 dated paths. It refuses what HubSpot
// refuses (contract.ts cites each rule). Mounted by the tests' fake and by the demo portal.

export type HubspotFakeControls = {
  /** Every request, in order, whatever its outcome. */
  requests: { method: string; path: string; authorization: string | null; body: unknown }[];
  /** The next CRM request(s) answer 429, as when the ten-second budget is spent elsewhere. */
  rateLimitNext(count?: number): void;
  /** How many associations one page of a batch read holds ([U] HubSpot's page size; tests shrink it to see paging). */
  associationsPageSize: number;
};

type Authorized = { grant: Grant; portal: HubspotPortal };
type PendingAuthorization = { redirectUri: string; state: string | undefined; scopes: string[] };

export function hubspotFakeRouter(app: HubspotAppRegistration, portals: HubspotPortals): { router: express.Router; controls: HubspotFakeControls } {
  const router = express.Router();
  const controls: HubspotFakeControls & { forced429: number } = {
    requests: [],
    forced429: 0,
    associationsPageSize: 500,
    rateLimitNext(count = 1) {
      this.forced429 += count;
    },
  };
  const pending = new Map<string, PendingAuthorization>();
  const recentCalls = new Map<number, number[]>();

  router.use(express.urlencoded({ extended: false, limit: "64kb" }), express.json({ limit: "1mb" }));
  router.use((request, _response, next) => {
    controls.requests.push({ method: request.method, path: request.originalUrl, authorization: request.get("authorization") ?? null, body: request.body });
    next();
  });

  // ── OAuth: the install page (hubspotDocs.oauthAuthorize) ──
  router.get("/oauth/authorize", (request, response) => {
    const query = request.query as Record<string, string | undefined>;
    if (query.client_id !== app.clientId) return void page(response, 400, "Invalid client_id", "This app doesn't exist.");
    if (!query.redirect_uri || !app.redirectUris.includes(query.redirect_uri)) {
      return void page(response, 400, "Invalid redirect_uri", "The redirect URL does not match any of the app's redirect URLs.");
    }
    // The install URL's scopes must be the app's required scopes; optional_scope only from its optional ones.
    const required = (query.scope ?? "").split(" ").filter(Boolean);
    const optional = (query.optional_scope ?? "").split(" ").filter(Boolean);
    const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((scope) => b.includes(scope));
    if (!sameSet(required, app.requiredScopes) || !optional.every((scope) => app.optionalScopes.includes(scope))) {
      return void page(
        response,
        400,
        "Scope mismatch",
        "Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes.",
      );
    }
    const requestId = randomBytes(12).toString("base64url");
    pending.set(requestId, { redirectUri: query.redirect_uri, state: query.state, scopes: [...required, ...optional] });
    const choices = [...portals.portals.values()].flatMap((portal) =>
      portal.users.map(
        (user) =>
          `<li><a href="authorize/decision?request=${requestId}&hub_id=${portal.hubId}&user_id=${user.userId}">${escapeHtml(`${user.firstName} ${user.lastName}`)}</a> — account ${portal.hubId} (${escapeHtml(portal.domain)})${user.superAdmin ? ", super admin" : ""}</li>`,
      ),
    );
    page(
      response,
      200,
      "Demo HubSpot",
      `<p>Choose an account to install <strong>Switchboard</strong> in, signed in as:</p><ul>${choices.join("")}</ul><p><a href="authorize/decision?request=${requestId}&deny=1">Cancel</a></p>`,
    );
  });

  router.get("/oauth/authorize/decision", (request, response) => {
    const query = request.query as Record<string, string | undefined>;
    const authorization = pending.get(query.request ?? "");
    if (!authorization) return void page(response, 400, "Expired", "This install request has expired. Start again from Switchboard.");
    pending.delete(query.request ?? "");
    const back = new URL(authorization.redirectUri);
    if (authorization.state !== undefined) back.searchParams.set("state", authorization.state);
    if (query.deny) {
      back.searchParams.set("error", "access_denied");
      return void response.redirect(302, back.href);
    }
    const portal = portals.portals.get(Number(query.hub_id));
    const user = portal?.users.find((candidate) => candidate.userId === Number(query.user_id));
    if (!portal || !user) return void page(response, 400, "Unknown account", "No such account or user.");
    // Installing needs a super admin or a user with Marketplace access (hubspotDocs.oauthAuthorize).
    if (!user.superAdmin)
      return void page(
        response,
        403,
        "You can't install this app",
        "Only super admins (or users with App Marketplace access) can install apps in this account.",
      );
    const code = portals.issueCode({ hubId: portal.hubId, userId: user.userId, scopes: authorization.scopes, redirectUri: authorization.redirectUri });
    back.searchParams.set("code", code);
    response.redirect(302, back.href);
  });

  // ── OAuth: token, introspect, revoke (hubspotDocs.oauthToken; form-encoded only) ──
  const form = (request: Request, response: Response): Record<string, string> | null => {
    if (!request.is("application/x-www-form-urlencoded")) {
      sendOAuthError(response, "invalid_request", "BAD_REQUEST", "The request must be application/x-www-form-urlencoded.");
      return null;
    }
    const body = request.body as Record<string, string>;
    if (body.client_id !== app.clientId || body.client_secret !== app.clientSecret) {
      sendOAuthError(response, "invalid_client", "BAD_CLIENT_ID", "missing or unknown client id, or wrong client secret");
      return null;
    }
    return body;
  };
  const tokenAnswer = (grant: Grant, tokens: { accessToken: string; refreshToken: string }) => ({
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires_in: accessTokenLifetimeSeconds,
    token_type: "bearer",
    token_use: "access_token",
    hub_id: grant.hubId,
    user_id: grant.userId,
    scopes: grant.scopes,
  });

  router.post("/oauth/2026-03/token", (request, response) => {
    const body = form(request, response);
    if (!body) return;
    if (body.grant_type === "authorization_code") {
      if (!body.code || !body.redirect_uri) return void sendOAuthError(response, "invalid_request", "BAD_REQUEST", "code and redirect_uri are required");
      const redeemed = portals.redeemCode(body.code, body.redirect_uri);
      if (redeemed === "invalid") return void sendOAuthError(response, "invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code");
      if (redeemed === "redirect_mismatch")
        return void sendOAuthError(response, "invalid_grant", "BAD_REDIRECT_URI", "redirect_uri does not match the authorization request");
      const grant = { hubId: redeemed.hubId, userId: redeemed.userId, scopes: redeemed.scopes };
      return void response.json(tokenAnswer(grant, portals.issueTokens(grant)));
    }
    if (body.grant_type === "refresh_token") {
      const grant = body.refresh_token ? portals.liveRefreshToken(body.refresh_token) : null;
      if (!grant || !body.refresh_token) return void sendOAuthError(response, "invalid_grant", "BAD_REFRESH_TOKEN", "missing or unknown refresh token");
      return void response.json(tokenAnswer(grant, portals.issueTokens(grant, body.refresh_token)));
    }
    sendOAuthError(response, "unsupported_grant_type", "BAD_GRANT_TYPE", `unsupported grant_type ${body.grant_type ?? "(none)"}`);
  });

  router.post("/oauth/2026-03/token/introspect", (request, response) => {
    const body = form(request, response);
    if (!body) return;
    const access = body.token ? portals.accessToken(body.token) : null;
    const refresh = body.token ? portals.liveRefreshToken(body.token) : null;
    const grant = access?.state === "live" ? access : refresh;
    if (!grant) return void response.json({ active: false });
    const portal = portals.portal(grant.hubId);
    const user = portal.users.find((candidate) => candidate.userId === grant.userId);
    response.json({
      active: true,
      token_use: access?.state === "live" ? "access_token" : "refresh_token",
      token_type: "bearer",
      app_id: app.appId,
      client_id: app.clientId,
      hub_id: grant.hubId,
      user_id: grant.userId,
      user: user?.email ?? null,
      hub_domain: portal.domain,
      scopes: grant.scopes,
      ...(access?.state === "live" ? { expires_in: Math.max(0, Math.floor((access.expiresAtMs - portals.clock()) / 1000)) } : {}),
    });
  });

  router.post("/oauth/2026-03/token/revoke", (request, response) => {
    const body = form(request, response);
    if (!body) return;
    // [U] HubSpot's answer body; revoking an unknown token is not an error (RFC 7009 §2.2).
    if (body.token) portals.revoke(body.token);
    response.status(204).end();
  });

  // ── Bearer-authenticated endpoints ──
  const authorized = (scope: string | null) => (request: Request, response: Response, next: NextFunction) => {
    const bearer = /^Bearer (.+)$/.exec(request.get("authorization") ?? "")?.[1];
    const token = bearer ? portals.accessToken(bearer) : null;
    if (!token || token.state === "dead") {
      return void sendCrmError(response, 401, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 authentication.");
    }
    if (token.state === "expired") {
      return void sendCrmError(response, 401, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired.");
    }
    if (!rateLimit(token.hubId, response)) return;
    if (scope && !token.scopes.includes(scope)) {
      return void sendCrmError(response, 403, "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call.", {
        errors: [{ message: `One or more of the following scopes are required.`, context: { requiredGranularScopes: [scope] } }],
      });
    }
    response.locals.authorized = { grant: token, portal: portals.portal(token.hubId) } satisfies Authorized;
    next();
  };
  const who = (response: Response) => response.locals.authorized as Authorized;

  /** 100 requests per rolling 10 s per app and account; the headers on every answer (contract.tenSecondlyLimit). */
  function rateLimit(hubId: number, response: Response): boolean {
    const now = portals.clock();
    const calls = (recentCalls.get(hubId) ?? []).filter((at) => at > now - tenSecondlyLimit.intervalMs);
    const forced = controls.forced429 > 0;
    if (forced) controls.forced429 -= 1;
    const over = forced || calls.length >= tenSecondlyLimit.max;
    if (!over) calls.push(now);
    recentCalls.set(hubId, calls);
    response.set({
      "X-HubSpot-RateLimit-Max": String(tenSecondlyLimit.max),
      "X-HubSpot-RateLimit-Remaining": String(forced ? 0 : Math.max(0, tenSecondlyLimit.max - calls.length)),
      "X-HubSpot-RateLimit-Interval-Milliseconds": String(tenSecondlyLimit.intervalMs),
    });
    if (over) sendRateLimited(response);
    return !over;
  }

  // Uninstall from the app's side (hubspotDocs.uninstall): 204, and every grant of the portal ends.
  router.delete("/appinstalls/2026-03/external-install", authorized(null), (_request, response) => {
    portals.uninstall(who(response).portal.hubId);
    response.status(204).end();
  });

  const present = (record: { id: string; properties: Record<string, string | null>; createdAt: string; updatedAt: string }, wanted: string[] | null) => ({
    id: record.id,
    properties: Object.fromEntries(
      Object.entries(record.properties).filter(
        ([name]) => wanted === null || wanted.includes(name) || ["hs_object_id", "createdate", "lastmodifieddate"].includes(name),
      ),
    ),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: false,
  });
  const wantedProperties = (request: Request) => {
    const value = request.query.properties;
    return typeof value === "string" ? value.split(",").filter(Boolean) : [];
  };

  router.get("/crm/objects/2026-03/contacts/:id", authorized(scopeFor.readContacts), (request, response) => {
    const { portal } = who(response);
    const contact = portal.contacts.get(String(request.params.id));
    if (!contact) return void sendCrmError(response, 404, "OBJECT_NOT_FOUND", "resource not found");
    const body: Record<string, unknown> = present(contact, wantedProperties(request));
    if (request.query.associations === "deals") {
      const deals = [...portal.deals.values()].filter((deal) => deal.contactIds.includes(contact.id));
      body.associations = { deals: { results: deals.map((deal) => ({ id: deal.id, type: "contact_to_deal" })) } };
    }
    response.json(body);
  });

  router.get("/crm/objects/2026-03/deals/:id", authorized(scopeFor.readDeals), (request, response) => {
    const { portal } = who(response);
    const deal = portal.deals.get(String(request.params.id));
    if (!deal) return void sendCrmError(response, 404, "OBJECT_NOT_FOUND", "resource not found");
    const body: Record<string, unknown> = present(deal, wantedProperties(request));
    if (request.query.associations === "contacts") {
      body.associations = { contacts: { results: deal.contactIds.map((id) => ({ id, type: "deal_to_contact" })) } };
    }
    response.json(body);
  });

  // Batch read (hubspotDocs.objects): at most 100 inputs; ids that don't exist come back as a 207's errors.
  router.post("/crm/objects/2026-03/contacts/batch/read", authorized(scopeFor.readContacts), (request, response) => {
    const parsed = BatchReadBody.safeParse(request.body);
    if (!parsed.success) return void sendCrmError(response, 400, "VALIDATION_ERROR", `Invalid input JSON: ${parsed.error.issues[0]?.message ?? "bad body"}`);
    const { portal } = who(response);
    const startedAt = new Date(portals.clock()).toISOString();
    const ids = [...new Set(parsed.data.inputs.map((input) => input.id))];
    const found = ids.flatMap((id) => {
      const contact = portal.contacts.get(id);
      return contact ? [present(contact, parsed.data.properties ?? [])] : [];
    });
    const missing = ids.filter((id) => !portal.contacts.has(id));
    const body = { status: "COMPLETE", results: found, startedAt, completedAt: new Date(portals.clock()).toISOString() };
    if (missing.length === 0) return void response.json(body);
    response.status(207).json({
      ...body,
      numErrors: 1,
      errors: [
        {
          status: "error",
          category: "OBJECT_NOT_FOUND",
          message: "Could not get some CONTACT objects, they may be deleted or not exist.",
          context: { ids: missing },
        },
      ],
    });
  });

  // Associations read in batches (hubspotDocs.associationsBatchRead): per input its associated ids,
  // a page at a time; `paging.next.after`, sent back beside the id, only while more remain.
  router.post("/crm/associations/2026-03/:fromObjectType/:toObjectType/batch/read", authorized(null), (request, response) => {
    const { fromObjectType, toObjectType } = request.params as { fromObjectType: string; toObjectType: string };
    const parsed = AssociationsBatchReadBody.safeParse(request.body);
    if (!parsed.success) return void sendCrmError(response, 400, "VALIDATION_ERROR", `Invalid input JSON: ${parsed.error.issues[0]?.message ?? "bad body"}`);
    const { portal, grant } = who(response);
    const pair = `${fromObjectType}/${toObjectType}`;
    if (pair !== "deals/contacts" && pair !== "contacts/deals") return void sendCrmError(response, 400, "VALIDATION_ERROR", `Unsupported association ${pair}`);
    const needed = pair === "deals/contacts" ? scopeFor.readDeals : scopeFor.readContacts;
    if (!grant.scopes.includes(needed)) {
      return void sendCrmError(response, 403, "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call.", {
        errors: [{ message: "One or more of the following scopes are required.", context: { requiredGranularScopes: [needed] } }],
      });
    }
    // HUBSPOT_DEFINED deal→contact is 3, contact→deal 4 ([V] the SDK's AssociationTypes).
    const typeId = pair === "deals/contacts" ? 3 : 4;
    const associatedIds = (id: string): string[] | null => {
      if (pair === "deals/contacts") return portal.deals.get(id)?.contactIds ?? null;
      if (!portal.contacts.has(id)) return null;
      return [...portal.deals.values()].filter((deal) => deal.contactIds.includes(id)).map((deal) => deal.id);
    };
    const startedAt = new Date(portals.clock()).toISOString();
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const input of parsed.data.inputs) {
      const all = associatedIds(input.id);
      if (all === null) {
        missing.push(input.id);
        continue;
      }
      const start = input.after === undefined ? 0 : Number(input.after);
      const size = controls.associationsPageSize;
      results.push({
        from: { id: input.id },
        to: all.slice(start, start + size).map((toObjectId) => ({ toObjectId, associationTypes: [{ category: "HUBSPOT_DEFINED", typeId, label: null }] })),
        ...(start + size < all.length ? { paging: { next: { after: String(start + size) } } } : {}),
      });
    }
    const body = { status: "COMPLETE", results, startedAt, completedAt: new Date(portals.clock()).toISOString() };
    if (missing.length === 0) return void response.json(body);
    response.status(207).json({
      ...body,
      numErrors: missing.length,
      errors: missing.map((id) => ({
        status: "error",
        category: "OBJECT_NOT_FOUND",
        message: `No ${fromObjectType} with id ${id}`,
        context: { fromObjectId: [id] },
      })),
    });
  });

  router.post("/crm/objects/2026-03/contacts/search", authorized(scopeFor.readContacts), (request, response) => {
    const parsed = SearchBody.safeParse(request.body);
    if (!parsed.success) return void sendCrmError(response, 400, "VALIDATION_ERROR", `Invalid input JSON: ${parsed.error.issues[0]?.message ?? "bad body"}`);
    const { filterGroups = [], properties = [], limit = 10, after } = parsed.data;
    const matches = [...who(response).portal.contacts.values()].filter(
      (contact) =>
        filterGroups.length === 0 ||
        filterGroups.some((group) =>
          group.filters.every((filter) => {
            const value = contact.properties[filter.propertyName];
            if (filter.operator === "EQ") return value !== undefined && value !== null && value === filter.value;
            if (filter.operator === "IN") return value !== undefined && value !== null && (filter.values ?? []).includes(value);
            if (filter.operator === "HAS_PROPERTY") return value !== undefined && value !== null && value !== "";
            return false;
          }),
        ),
    );
    const start = after === undefined ? 0 : Number(after);
    const page = matches.slice(start, start + limit);
    response.json({
      total: matches.length,
      results: page.map((contact) => present(contact, properties)),
      ...(start + limit < matches.length ? { paging: { next: { after: String(start + limit) } } } : {}),
    });
  });

  type Problem = { message: string; category: string; context?: object };

  /**
   * The properties of a Communication (hubspotDocs.communications): only ones that exist and are
   * writable; on create the channel, logged_from = CRM and hs_timestamp are required, on update
   * only what is sent is checked.
   */
  function propertiesProblem(portal: HubspotPortal, properties: Record<string, string | null>, mode: "create" | "update"): Problem | null {
    for (const name of Object.keys(properties)) {
      if ((readOnlyProperties as readonly string[]).includes(name))
        return { category: "VALIDATION_ERROR", message: `Property "${name}" is read only`, context: { READ_ONLY_VALUE: [name] } };
      if (!(communicationProperties as readonly string[]).includes(name)) {
        return { category: "VALIDATION_ERROR", message: `Property "${name}" does not exist`, context: { PROPERTY_DOESNT_EXIST: [name] } };
      }
    }
    const checks = mode === "create" ? communicationProperties : (Object.keys(properties) as (typeof communicationProperties)[number][]);
    for (const name of checks) {
      const value = properties[name];
      if (name === "hs_communication_channel_type" && !communicationChannels.includes(value as (typeof communicationChannels)[number])) {
        return {
          category: "VALIDATION_ERROR",
          message: `hs_communication_channel_type must be one of ${communicationChannels.join(", ")}`,
          context: { INVALID_OPTION: [name] },
        };
      }
      if (name === "hs_communication_logged_from" && value !== "CRM") {
        return { category: "VALIDATION_ERROR", message: "hs_communication_logged_from must be CRM", context: { INVALID_OPTION: [name] } };
      }
      if (name === "hs_timestamp" && !hubspotTimestamp.safeParse(value).success) {
        return { category: "VALIDATION_ERROR", message: "hs_timestamp must be epoch milliseconds or an ISO 8601 instant", context: { INVALID_DATE: [name] } };
      }
      // hubspot_owner_id takes an owner id (the owners API's `id`), not a user id.
      if (name === "hubspot_owner_id" && value !== undefined && value !== null && !portal.users.some((user) => String(user.ownerId) === value)) {
        return { category: "VALIDATION_ERROR", message: `${value} is not a valid owner id`, context: { INVALID_OWNER_ID: [name] } };
      }
    }
    return null;
  }

  /** Inline associations: HubSpot-defined 81 to an existing contact, 85 to an existing deal (contract.communicationAssociationTypes). */
  function associationsProblem(portal: HubspotPortal, input: CommunicationInputBody): Problem | null {
    for (const association of input.associations ?? []) {
      for (const type of association.types) {
        const target =
          type.associationTypeId === communicationAssociationTypes.contacts
            ? portal.contacts.get(association.to.id)
            : type.associationTypeId === communicationAssociationTypes.deals
              ? portal.deals.get(association.to.id)
              : undefined;
        if (type.associationCategory !== "HUBSPOT_DEFINED" || target === undefined) {
          return {
            category: "VALIDATION_ERROR",
            message: `Association ${type.associationCategory}/${type.associationTypeId} to ${association.to.id} is not valid`,
          };
        }
      }
    }
    return null;
  }

  const communicationProblem = (portal: HubspotPortal, input: CommunicationInputBody) =>
    propertiesProblem(portal, input.properties, "create") ?? associationsProblem(portal, input);
  const sendProblem = (response: Response, problem: Problem) =>
    sendCrmError(response, 400, problem.category, problem.message, problem.context ? { errors: [{ message: problem.message, context: problem.context }] } : {});

  function createCommunication(portal: HubspotPortal, input: CommunicationInputBody): HubspotCommunication {
    const record = portals.record(portals.nextId(), input.properties);
    const communication: HubspotCommunication = {
      ...record,
      associations: (input.associations ?? []).flatMap((association) =>
        association.types.map((type) => ({
          toObjectType: type.associationTypeId === communicationAssociationTypes.deals ? ("deals" as const) : ("contacts" as const),
          id: association.to.id,
          associationTypeId: type.associationTypeId,
        })),
      ),
    };
    portal.communications.set(communication.id, communication);
    return communication;
  }

  router.post("/crm/objects/2026-03/communications", authorized(scopeFor.writeCommunications), (request, response) => {
    const parsed = CommunicationInput.safeParse(request.body);
    if (!parsed.success)
      return void sendCrmError(response, 400, "VALIDATION_ERROR", `Invalid input JSON on line 1: ${parsed.error.issues[0]?.message ?? "bad body"}`);
    const { portal } = who(response);
    const problem = communicationProblem(portal, parsed.data);
    if (problem) return void sendProblem(response, problem);
    response.status(201).json(present(createCommunication(portal, parsed.data), null));
  });

  router.post("/crm/objects/2026-03/communications/batch/create", authorized(scopeFor.writeCommunications), (request, response) => {
    const parsed = BatchCommunicationInput.safeParse(request.body);
    if (!parsed.success)
      return void sendCrmError(response, 400, "VALIDATION_ERROR", `Invalid input JSON on line 1: ${parsed.error.issues[0]?.message ?? "bad body"}`);
    const { portal } = who(response);
    const startedAt = new Date(portals.clock()).toISOString();
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of parsed.data.inputs) {
      const problem = communicationProblem(portal, input);
      if (problem) errors.push({ status: "error", category: problem.category, message: problem.message, context: problem.context ?? {} });
      else results.push(present(createCommunication(portal, input), null));
    }
    const completedAt = new Date(portals.clock()).toISOString();
    // All created: 201; some refused: 207 with errors and numErrors ([V] the SDK's batch status handling).
    if (errors.length > 0) return void response.status(207).json({ status: "COMPLETE", results, numErrors: errors.length, errors, startedAt, completedAt });
    response.status(201).json({ status: "COMPLETE", results, startedAt, completedAt });
  });

  router.patch("/crm/objects/2026-03/communications/:id", authorized(scopeFor.writeCommunications), (request, response) => {
    const parsed = CommunicationUpdate.safeParse(request.body);
    if (!parsed.success)
      return void sendCrmError(response, 400, "VALIDATION_ERROR", `Invalid input JSON on line 1: ${parsed.error.issues[0]?.message ?? "bad body"}`);
    const { portal } = who(response);
    const existing = portal.communications.get(String(request.params.id));
    if (!existing) return void sendCrmError(response, 404, "OBJECT_NOT_FOUND", "resource not found");
    const problem = propertiesProblem(portal, parsed.data.properties, "update");
    if (problem) return void sendProblem(response, problem);
    existing.properties = { ...existing.properties, ...parsed.data.properties, lastmodifieddate: new Date(portals.clock()).toISOString() };
    existing.updatedAt = existing.properties.lastmodifieddate ?? existing.updatedAt;
    response.json(present(existing, null));
  });

  router.get("/crm/objects/2026-03/communications/:id", authorized(scopeFor.readContacts), (request, response) => {
    const communication = who(response).portal.communications.get(String(request.params.id));
    if (!communication) return void sendCrmError(response, 404, "OBJECT_NOT_FOUND", "resource not found");
    response.json(present(communication, null));
  });

  // Owners ([U] the dated path; hubspotDocs.owners): `id` is the owner id, `userId` the user's.
  router.get("/crm/owners/2026-03", authorized(scopeFor.readOwners), (request, response) => {
    const email = typeof request.query.email === "string" ? request.query.email.toLowerCase() : null;
    const owners = who(response).portal.users.filter((user) => email === null || user.email.toLowerCase() === email);
    response.json({
      results: owners.map((user) => ({
        id: String(user.ownerId),
        userId: user.userId,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        archived: false,
        teams: [],
      })),
    });
  });

  router.use((request, response) => sendCrmError(response, 404, "OBJECT_NOT_FOUND", `No route for ${request.method} ${request.path}`));
  router.use((_error: unknown, _request: Request, response: Response, _next: NextFunction) =>
    sendCrmError(response, 400, "VALIDATION_ERROR", "Invalid input JSON"),
  );
  return { router, controls };
}

function page(response: Response, status: number, title: string, html: string) {
  response
    .status(status)
    .type("html")
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${html}</body></html>`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export { hubspotDocs };
