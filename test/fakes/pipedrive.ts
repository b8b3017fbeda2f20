import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { type ActivityWrite, parseActivityWrite, presentParticipants, primaryPersonId } from "../../server/demo-crm/contract/activities";

/**
 * A fake of Pipedrive as a real HTTP server, following the contracts in
 * shared/reference/pipedrive.md §1 and §6 that the official `pipedrive` SDK relies on: the OAuth
 * token endpoint (Basic client auth, form body, authorization_code and refresh_token grants),
 * `/api/v1/users/me`, v2 deals, persons and person search, v1 notes, v2 activities, rate-limit
 * headers, scripted failures, token revocation, and the uninstall and app-sharing notices Pipedrive
 * sends to apps' Callback URL, per user.
 */
export type FakePipedrive = {
  url: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The user every authorization code is issued for unless told otherwise. */
  user: FakeUser;
  /** Every request received, in order, whatever its outcome. */
  requests: RecordedRequest[];
  notes: FakeNote[];
  activities: FakeActivity[];
  addPerson(person: Partial<FakePerson> & { name: string }): FakePerson;
  addDeal(deal: Partial<FakeDeal> & { title: string }): FakeDeal;
  /** A user of a company, listed by GET /v1/users (users who get a code are added anyway). */
  addUser(user: FakeUser): void;
  /** What the consent page hands our callback after the user clicks "Allow". */
  issueAuthorizationCode(user?: FakeUser): string;
  /** Every access token issued so far is now rejected (401); refreshing still works. */
  expireAccessTokens(): void;
  /** Every refresh token (and its access tokens) is revoked, as after an uninstall. */
  revokeRefreshTokens(): void;
  /** The next API (not OAuth) request fails this way; calls queue up. */
  failNext(failure: ScriptedFailure): void;
  /** Sends the uninstall callback: `DELETE url`, JSON body, Basic client credentials. */
  deliverUninstall(url: string, options?: { credentials?: string | null; user?: FakeUser }): Promise<{ status: number }>;
  /** Where Pipedrive's back end reaches the Callback URL (the app's server); defaults to redirectUri. */
  deliverNoticesTo(url: string): void;
  /**
   * One user uninstalls the app, as Pipedrive does it: that user's tokens stop working and the
   * uninstall notice goes to the callback for that (company, user) only.
   */
  uninstall(companyId: number, userId: number): Promise<{ status: number }>;
  /** An admin shares (or unshares) the app with a user: Pipedrive POSTs `{company_id, user_id, isShared}` to the callback. */
  shareApp(companyId: number, userId: number, isShared?: boolean): Promise<{ status: number }>;
  /** Whether the user still has the app installed (not uninstalled, not revoked through /oauth/revoke). */
  isInstalled(companyId: number, userId: number): boolean;
  /** The next /oauth/revoke answers this status (e.g. 503), as a broken Pipedrive would. */
  failNextRevoke(status: number): void;
  reset(): void;
  close(): Promise<void>;
};

export type FakeUser = {
  id: number;
  company_id: number;
  name: string;
  email: string;
  company_domain: string;
  company_name: string;
  is_admin: boolean;
};
export type FakeContactDetail = { value: string; label: string; primary: boolean };
/**
 * Who may see a deal or person: `visible_to` 1 is "Owner & followers", 3 "Entire company"
 * (https://developers.pipedrive.com/docs/api/v1/Deals#addDeal, field visible_to;
 * https://support.pipedrive.com/en/article/visibility-groups). Admins see everything.
 */
export type FakeVisibility = { visible_to: 1 | 3; follower_ids: number[] };
export type FakePerson = FakeVisibility & {
  id: number;
  name: string;
  org_id: number | null;
  owner_id: number;
  phones: FakeContactDetail[];
  emails: FakeContactDetail[];
};
/** `participant_ids` stands for the deal's extra participants, who are listed with its persons. */
export type FakeDeal = FakeVisibility & {
  id: number;
  title: string;
  status: "open" | "won" | "lost";
  value: number;
  currency: string;
  person_id: number | null;
  org_id: number | null;
  owner_id: number;
  participant_ids: number[];
};
export type FakeNote = {
  id: number;
  content: string;
  deal_id: number | null;
  person_id: number | null;
  org_id: number | null;
  user_id: number;
  pinned_to_deal_flag: boolean;
  add_time: string;
  update_time: string;
};
/** An activity as v2 shows it: `person_id` is its primary participant's (read-only in v2). */
export type FakeActivity = Omit<ActivityWrite, "participants"> & {
  id: number;
  subject: string;
  type: string;
  done: boolean;
  person_id: number | null;
  participants: { person_id: number; primary_flag: boolean }[];
  owner_id: number;
  add_time: string;
  update_time: string;
};

export type ScriptedFailure =
  | { status: 429; retryAfterSeconds?: number; rateLimitResetSeconds?: number }
  | { status: 401 | 403 | 404 | 500 | 503; error?: string }
  | { dropConnection: true };

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, unknown>;
  authorization: string | null;
  contentType: string | null;
  /** The official SDK announces itself as `Pipedrive-SDK-Javascript-<version>`. */
  userAgent: string | null;
  body: unknown;
  /** The Pipedrive user whose access token made an API call (null: OAuth, or refused). */
  pipedriveUserId: number | null;
};

const defaultUser: FakeUser = {
  id: 12345,
  company_id: 67890,
  name: "Ada Lovelace",
  email: "ada@acme.test",
  company_domain: "acme",
  company_name: "Acme Ltd",
  is_admin: true,
};
const scope = "base,deals:full,contacts:full,activities:full,search:read";
const accessTokenLifetimeSeconds = 3599;
const codeLifetimeMs = 5 * 60_000;
const errorInfo = "Please check developers.pipedrive.com for more information about Pipedrive API.";

const RevokeRequest = z.strictObject({ token: z.string().min(1), token_type_hint: z.enum(["refresh_token", "access_token"]).optional() });
const TokenRequest = z.discriminatedUnion("grant_type", [
  z.object({ grant_type: z.literal("authorization_code"), code: z.string().min(1), redirect_uri: z.string().min(1) }),
  z.object({ grant_type: z.literal("refresh_token"), refresh_token: z.string().min(1) }),
]);
const Id = z.number().int().positive();
const NoteBody = z.looseObject({
  content: z.string().min(1),
  deal_id: Id.optional(),
  person_id: Id.optional(),
  org_id: Id.optional(),
  lead_id: z.string().optional(),
  pinned_to_deal_flag: z.union([z.literal(0), z.literal(1)]).optional(),
  add_time: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    .optional(),
});
const NoteChange = NoteBody.partial();
type IssuedAccessToken = { user: FakeUser; refreshToken: string; expiresAtMs: number; rejected: boolean };

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakePipedrive(options: { clientId?: string; clientSecret?: string; redirectUri?: string } = {}): Promise<FakePipedrive> {
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  const redirectUri = options.redirectUri ?? "https://switchboard.test/pipedrive/callback";
  const requests: RecordedRequest[] = [];
  const notes: FakeNote[] = [];
  const activities: FakeActivity[] = [];
  let persons = new Map<number, FakePerson>();
  let deals = new Map<number, FakeDeal>();
  let codes = new Map<string, { user: FakeUser; issuedAtMs: number; used: boolean }>();
  let refreshTokens = new Map<string, { user: FakeUser; revoked: boolean }>();
  let accessTokens = new Map<string, IssuedAccessToken>();
  let knownUsers = new Map<number, FakeUser>([[defaultUser.id, defaultUser]]);
  let queuedFailures: ScriptedFailure[] = [];
  let revokeFailures: number[] = [];
  let uninstalled = new Set<string>();
  let noticeUrl = redirectUri;
  let nextId = 1;
  const userKey = (companyId: number, userId: number) => `${companyId}:${userId}`;
  /** Pipedrive marks the app uninstalled for the user: every token of theirs stops working. */
  const markUninstalled = (companyId: number, userId: number) => {
    uninstalled.add(userKey(companyId, userId));
    for (const refresh of refreshTokens.values()) if (refresh.user.company_id === companyId && refresh.user.id === userId) refresh.revoked = true;
    for (const issued of accessTokens.values()) if (issued.user.company_id === companyId && issued.user.id === userId) issued.rejected = true;
  };
  const sendNotice = async (method: "DELETE" | "POST", body: object, credentials: string | null) => {
    const response = await fetch(noticeUrl, {
      method,
      headers: { "content-type": "application/json", ...(credentials === null ? {} : { authorization: credentials }) },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return { status: response.status };
  };

  const app = express();
  app.use((request, response, next) => {
    const recorded: RecordedRequest = {
      method: request.method,
      path: request.path,
      query: { ...request.query },
      authorization: request.get("authorization") ?? null,
      contentType: request.get("content-type") ?? null,
      userAgent: request.get("user-agent") ?? null,
      body: undefined,
      pipedriveUserId: null,
    };
    requests.push(recorded);
    response.locals.recorded = recorded;
    next();
  });
  app.use(express.json(), express.urlencoded({ extended: false }));
  app.use((request, response, next) => {
    (response.locals.recorded as RecordedRequest).body = request.body;
    next();
  });

  app.post("/oauth/token", (request, response) => {
    if (!request.is("application/x-www-form-urlencoded")) {
      return void sendOAuthError(response, 400, "invalid_request", "Invalid request: content must be application/x-www-form-urlencoded");
    }
    if (request.get("authorization") !== basicHeader(clientId, clientSecret)) {
      return void sendOAuthError(response, 401, "invalid_client", "Invalid client: client is invalid");
    }
    const parsed = TokenRequest.safeParse(request.body);
    if (!parsed.success) return void sendOAuthError(response, 400, "invalid_request", "Missing parameter: grant_type");
    const grant = parsed.data;
    if (grant.grant_type === "authorization_code") {
      const code = codes.get(grant.code);
      if (!code || code.used) return void sendOAuthError(response, 400, "invalid_grant", "Invalid grant: authorization code is invalid");
      if (Date.now() - code.issuedAtMs > codeLifetimeMs) {
        return void sendOAuthError(response, 400, "invalid_grant", "Invalid grant: authorization code has expired");
      }
      if (grant.redirect_uri !== redirectUri) return void sendOAuthError(response, 400, "invalid_request", "Invalid request: redirect_uri is invalid");
      code.used = true;
      // Authorizing again installs the app again for that user.
      uninstalled.delete(userKey(code.user.company_id, code.user.id));
      const refreshToken = `${code.user.company_id}:${code.user.id}:${randomBytes(24).toString("hex")}`;
      refreshTokens.set(refreshToken, { user: code.user, revoked: false });
      return void response.json(issueAccessToken(code.user, refreshToken));
    }
    const refresh = refreshTokens.get(grant.refresh_token);
    if (!refresh || refresh.revoked) return void sendOAuthError(response, 400, "invalid_grant", "Invalid grant: refresh token is invalid");
    // Pipedrive hands back the same refresh token, its 60-day expiry pushed out.
    response.json(issueAccessToken(refresh.user, grant.refresh_token));
  });

  // Revocation, strict as Pipedrive's (https://pipedrive.readme.io/docs/app-uninstallation): Basic
  // client credentials, a form body `token=…&token_type_hint=refresh_token|access_token`. Revoking a
  // refresh token marks the app uninstalled for its user (all their tokens then answer 401/invalid_grant);
  // revoking an access token ends only that token. RFC 7009 §2.2: an unknown token is answered 200 too.
  app.post("/oauth/revoke", (request, response) => {
    const failure = revokeFailures.shift();
    if (failure !== undefined) return void sendOAuthError(response, failure, "server_error", "Scripted failure");
    if (!request.is("application/x-www-form-urlencoded")) {
      return void sendOAuthError(response, 400, "invalid_request", "Invalid request: content must be application/x-www-form-urlencoded");
    }
    if (request.get("authorization") !== basicHeader(clientId, clientSecret)) {
      return void sendOAuthError(response, 401, "invalid_client", "Invalid client: client is invalid");
    }
    const parsed = RevokeRequest.safeParse(request.body);
    if (!parsed.success) return void sendOAuthError(response, 400, "invalid_request", "Missing parameter: token");
    const { token, token_type_hint: hint } = parsed.data;
    const refresh = hint === "access_token" ? undefined : refreshTokens.get(token);
    const access = hint === "refresh_token" ? undefined : accessTokens.get(token);
    if (refresh) markUninstalled(refresh.user.company_id, refresh.user.id);
    else if (access) access.rejected = true;
    response.status(200).json({ success: true });
  });

  const api = express.Router();
  app.use("/api", api);
  api.use((request, response, next) => {
    response.set({ "x-ratelimit-limit": "80", "x-ratelimit-remaining": "79", "x-ratelimit-reset": "2" });
    const failure = queuedFailures.shift();
    if (failure && "dropConnection" in failure) return void request.socket.destroy();
    if (failure?.status === 429) {
      response.set({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(failure.rateLimitResetSeconds ?? 2) });
      if (failure.retryAfterSeconds !== undefined) response.set("retry-after", String(failure.retryAfterSeconds));
      return void sendApiError(response, 429, "Too many requests");
    }
    if (failure) return void sendApiError(response, failure.status, failure.error ?? "Scripted failure");
    const token = /^Bearer (.+)$/.exec(request.get("authorization") ?? "")?.[1];
    const issued = token ? accessTokens.get(token) : undefined;
    if (!issued || issued.rejected || issued.expiresAtMs <= Date.now()) return void sendApiError(response, 401, "unauthorized access");
    response.locals.user = issued.user;
    (response.locals.recorded as RecordedRequest).pipedriveUserId = issued.user.id;
    next();
  });

  api.get("/v1/users/me", (_request, response) => {
    const user: FakeUser = response.locals.user;
    response.json({
      success: true,
      data: { ...user, locale: "en_US", timezone_name: "Europe/Tallinn", active_flag: true, is_you: true, default_currency: "EUR" },
    });
  });

  // The company's users (scope users:read): every user the fake issued a code for or was given with addUser.
  api.get("/v1/users", (_request, response) => {
    const me: FakeUser = response.locals.user;
    const company = [...knownUsers.values()].filter((user) => user.company_id === me.company_id);
    response.json({
      success: true,
      data: company.map((user) => ({
        id: user.id,
        name: user.name,
        email: user.email,
        active_flag: true,
        is_admin: user.is_admin ? 1 : 0,
        is_you: user.id === me.id,
      })),
    });
  });

  // A record the caller may not see is refused with 403 (inferred: the docs don't say whether
  // hidden records answer 403 or 404; Switchboard treats both as "not found").
  const hidden = (response: Response, what: "Deal" | "Person") =>
    sendApiError(response, 403, `You do not have permission to access this ${what.toLowerCase()}`);

  api.get("/v2/deals/:id", (request, response) => {
    const deal = deals.get(Number(request.params.id));
    if (!deal) return void sendApiError(response, 404, "Deal not found");
    if (!mayView(response.locals.user, deal)) return void hidden(response, "Deal");
    const { participant_ids: _participants, follower_ids: _followers, ...fields } = deal;
    response.json({ success: true, data: { ...fields, pipeline_id: 1, stage_id: 1, is_deleted: false, custom_fields: {} } });
  });

  // "List permitted users": the ids of the users who may access the record.
  // https://developers.pipedrive.com/docs/api/v1/Deals#getDealUsers (GET /v1/deals/{id}/permittedUsers)
  // https://developers.pipedrive.com/docs/api/v1/Persons#getPersonUsers (GET /v1/persons/{id}/permittedUsers)
  // Both answer `{success: true, data: [userId, …]}` (the SDK's GetPermittedUsersResponse1).
  for (const [path, what, records] of [
    ["/v1/deals/:id/permittedUsers", "Deal", () => deals],
    ["/v1/persons/:id/permittedUsers", "Person", () => persons],
  ] as const) {
    api.get(path, (request, response) => {
      const record = records().get(Number(request.params.id));
      if (!record) return void sendApiError(response, 404, `${what} not found`);
      if (!mayView(response.locals.user, record)) return void hidden(response, what);
      const company = [...knownUsers.values()].filter((user) => user.company_id === (response.locals.user as FakeUser).company_id);
      response.json({ success: true, data: company.filter((user) => mayView(user, record)).map((user) => user.id) });
    });
  }

  api.get("/v2/persons/search", (request, response) => {
    const term = String(request.query.term ?? "");
    const exact = request.query.exact_match === "true";
    if (term.length < (exact ? 1 : 2)) return void sendApiError(response, 400, "term must be at least 2 characters long");
    const fields = String(request.query.fields ?? "name,phone,email").split(",");
    const items = [...persons.values()]
      .filter((person) => mayView(response.locals.user, person) && personMatches(person, term, fields, exact))
      .slice(0, Number(request.query.limit ?? 100))
      .map((person) => ({
        result_score: 1,
        item: {
          id: person.id,
          type: "person",
          name: person.name,
          phones: person.phones.map((phone) => phone.value),
          emails: person.emails.map((email) => email.value),
          visible_to: person.visible_to,
          owner: { id: person.owner_id },
          organization: person.org_id === null ? null : { id: person.org_id, name: `Org ${person.org_id}`, address: null },
          custom_fields: [],
          notes: [],
        },
      }));
    response.json({ success: true, data: { items }, additional_data: { next_cursor: null } });
  });

  api.get("/v2/persons/:id", (request, response) => {
    const person = persons.get(Number(request.params.id));
    if (!person) return void sendApiError(response, 404, "Person not found");
    if (!mayView(response.locals.user, person)) return void hidden(response, "Person");
    response.json({ success: true, data: presentPerson(person) });
  });

  api.get("/v2/persons", (request, response) => {
    const deal = request.query.deal_id === undefined ? null : deals.get(Number(request.query.deal_id));
    if (request.query.deal_id !== undefined && !deal) return void sendApiError(response, 404, "Deal not found");
    if (deal && !mayView(response.locals.user, deal)) return void hidden(response, "Deal");
    const linked = deal ? [deal.person_id, ...deal.participant_ids] : [...persons.keys()];
    const data = [...persons.values()].filter((person) => linked.includes(person.id) && mayView(response.locals.user, person)).map(presentPerson);
    response.json({ success: true, data, additional_data: { next_cursor: null } });
  });

  api.post("/v1/notes", (request, response) => {
    const parsed = NoteBody.safeParse(request.body);
    if (!parsed.success) return void sendApiError(response, 400, `Invalid note: ${parsed.error.issues[0]?.message}`);
    const body = parsed.data;
    const problem = missingTarget(body);
    if (problem) return void sendApiError(response, 400, problem);
    const now = v1Time(new Date());
    const note: FakeNote = {
      id: nextId++,
      content: body.content,
      deal_id: body.deal_id ?? null,
      person_id: body.person_id ?? null,
      org_id: body.org_id ?? null,
      user_id: (response.locals.user as FakeUser).id,
      pinned_to_deal_flag: body.pinned_to_deal_flag === 1,
      add_time: body.add_time ?? now,
      update_time: now,
    };
    notes.push(note);
    response.status(201).json({ success: true, data: presentNote(note) });
  });

  api.put("/v1/notes/:id", (request, response) => {
    const note = notes.find((candidate) => candidate.id === Number(request.params.id));
    if (!note) return void sendApiError(response, 404, "Note not found");
    const parsed = NoteChange.safeParse(request.body ?? {});
    if (!parsed.success) return void sendApiError(response, 400, `Invalid note: ${parsed.error.issues[0]?.message}`);
    const change = parsed.data;
    const problem = missingTarget({ deal_id: change.deal_id ?? note.deal_id, person_id: change.person_id ?? note.person_id, org_id: note.org_id });
    if (problem) return void sendApiError(response, 400, problem);
    Object.assign(note, {
      ...(change.content === undefined ? {} : { content: change.content }),
      ...(change.deal_id === undefined ? {} : { deal_id: change.deal_id }),
      ...(change.person_id === undefined ? {} : { person_id: change.person_id }),
      update_time: v1Time(new Date()),
    });
    response.json({ success: true, data: presentNote(note) });
  });

  api.get("/v1/notes", (request, response) => {
    const data = notes
      .filter((note) => request.query.deal_id === undefined || note.deal_id === Number(request.query.deal_id))
      .filter((note) => request.query.person_id === undefined || note.person_id === Number(request.query.person_id))
      .map(presentNote);
    response.json({ success: true, data, additional_data: { pagination: { start: 0, limit: 100, more_items_in_collection: false } } });
  });

  // Pipedrive's v2 rules for activity bodies (person_id read-only, unknown fields refused) live in
  // server/demo-crm/contract/activities.ts, shared with the demo CRM.
  api.post("/v2/activities", (request, response) => {
    const parsed = parseActivityWrite(request.body);
    if (!parsed.ok) return void response.status(400).json(parsed.error);
    const now = v2Time(new Date());
    const { participants, ...fields } = parsed.data;
    const type = fields.type ?? "task";
    const activity: FakeActivity = {
      ...fields,
      id: nextId++,
      // Pipedrive names an activity without a subject after its type (inferred).
      subject: fields.subject ?? type,
      type,
      done: fields.done ?? false,
      person_id: primaryPersonId(participants ?? []),
      participants: presentParticipants(participants ?? []),
      owner_id: fields.owner_id ?? (response.locals.user as FakeUser).id,
      add_time: now,
      update_time: now,
    };
    activities.push(activity);
    response.json({ success: true, data: activity });
  });

  api.patch("/v2/activities/:id", (request, response) => {
    const activity = activities.find((candidate) => candidate.id === Number(request.params.id));
    if (!activity) return void sendApiError(response, 404, "Activity not found");
    const parsed = parseActivityWrite(request.body ?? {});
    if (!parsed.ok) return void response.status(400).json(parsed.error);
    const { participants, ...fields } = parsed.data;
    Object.assign(activity, fields, { update_time: v2Time(new Date()) });
    if (participants) Object.assign(activity, { person_id: primaryPersonId(participants), participants: presentParticipants(participants) });
    response.json({ success: true, data: activity });
  });

  app.use((_request, response) => sendApiError(response, 404, "Unknown method ."));
  app.use((_error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    sendApiError(response, 400, "Request body is not valid JSON");
  });

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function issueAccessToken(user: FakeUser, refreshToken: string) {
    const accessToken = `v1u:${randomBytes(32).toString("base64url")}`;
    accessTokens.set(accessToken, { user, refreshToken, expiresAtMs: Date.now() + accessTokenLifetimeSeconds * 1000, rejected: false });
    return {
      access_token: accessToken,
      token_type: "bearer",
      refresh_token: refreshToken,
      scope,
      expires_in: accessTokenLifetimeSeconds,
      // The SDK switches its basePath to `${api_domain}/api/v2`, so this must point back at us.
      api_domain: url,
    };
  }

  function missingTarget(body: { deal_id?: number | null; person_id?: number | null; org_id?: number | null }): string | null {
    if (!body.deal_id && !body.person_id && !body.org_id) return "Note must be attached to a deal, person, organization, lead or project";
    if (body.deal_id && !deals.has(body.deal_id)) return "Deal not found";
    if (body.person_id && !persons.has(body.person_id)) return "Person not found";
    return null;
  }

  function presentNote(note: FakeNote) {
    const deal = note.deal_id === null ? null : deals.get(note.deal_id);
    const person = note.person_id === null ? null : persons.get(note.person_id);
    return {
      ...note,
      active_flag: true,
      lead_id: null,
      deal: deal ? { title: deal.title } : null,
      person: person ? { name: person.name } : null,
      organization: null,
      user: { email: defaultUser.email, name: defaultUser.name, icon_url: null, is_you: true },
    };
  }

  return {
    url,
    clientId,
    clientSecret,
    redirectUri,
    user: defaultUser,
    requests,
    notes,
    activities,
    addPerson: (input) => {
      const person: FakePerson = {
        org_id: null,
        owner_id: defaultUser.id,
        phones: [],
        emails: [],
        visible_to: 3,
        follower_ids: [],
        ...input,
        id: input.id ?? nextId++,
      };
      persons.set(person.id, person);
      return person;
    },
    addDeal: (input) => {
      const deal: FakeDeal = {
        status: "open",
        value: 0,
        currency: "EUR",
        person_id: null,
        org_id: null,
        owner_id: defaultUser.id,
        participant_ids: [],
        visible_to: 3,
        follower_ids: [],
        ...input,
        id: input.id ?? nextId++,
      };
      deals.set(deal.id, deal);
      return deal;
    },
    addUser: (user) => void knownUsers.set(user.id, user),
    issueAuthorizationCode: (user = defaultUser) => {
      knownUsers.set(user.id, user);
      const code = randomBytes(16).toString("hex");
      codes.set(code, { user, issuedAtMs: Date.now(), used: false });
      return code;
    },
    expireAccessTokens: () => {
      for (const issued of accessTokens.values()) issued.rejected = true;
    },
    revokeRefreshTokens: () => {
      for (const refresh of refreshTokens.values()) refresh.revoked = true;
      for (const issued of accessTokens.values()) issued.rejected = true;
    },
    failNext: (failure) => void queuedFailures.push(failure),
    deliverNoticesTo: (url) => {
      noticeUrl = url;
    },
    // https://pipedrive.readme.io/docs/app-uninstallation: DELETE on the Callback URL, JSON
    // `{client_id, company_id, user_id, timestamp}`, Basic client_id:client_secret; one user at a time.
    uninstall: (companyId, userId) => {
      markUninstalled(companyId, userId);
      const body = { client_id: clientId, company_id: companyId, user_id: userId, timestamp: new Date().toISOString() };
      return sendNotice("DELETE", body, basicHeader(clientId, clientSecret));
    },
    // https://pipedrive.readme.io/docs/app-sharing-adding-apps-to-multiple-users: POST on the Callback
    // URL with `{company_id, user_id, isShared}`. The page doesn't say how it is authenticated; the
    // fake sends the same Basic client credentials as the uninstall notice (assumed).
    shareApp: (companyId, userId, isShared = true) =>
      sendNotice("POST", { company_id: companyId, user_id: userId, isShared }, basicHeader(clientId, clientSecret)),
    isInstalled: (companyId, userId) =>
      !uninstalled.has(userKey(companyId, userId)) &&
      [...refreshTokens.values()].some((refresh) => refresh.user.company_id === companyId && refresh.user.id === userId && !refresh.revoked),
    failNextRevoke: (status) => void revokeFailures.push(status),
    deliverUninstall: async (callbackUrl, deliveryOptions = {}) => {
      const user = deliveryOptions.user ?? defaultUser;
      const credentials = deliveryOptions.credentials === undefined ? basicHeader(clientId, clientSecret) : deliveryOptions.credentials;
      const response = await fetch(callbackUrl, {
        method: "DELETE",
        headers: { "content-type": "application/json", ...(credentials === null ? {} : { authorization: credentials }) },
        body: JSON.stringify({ client_id: clientId, company_id: user.company_id, user_id: user.id, timestamp: new Date().toISOString() }),
      });
      await response.arrayBuffer();
      return { status: response.status };
    },
    reset: () => {
      requests.length = 0;
      notes.length = 0;
      activities.length = 0;
      persons = new Map();
      deals = new Map();
      codes = new Map();
      refreshTokens = new Map();
      accessTokens = new Map();
      knownUsers = new Map([[defaultUser.id, defaultUser]]);
      queuedFailures = [];
      revokeFailures = [];
      uninstalled = new Set();
      nextId = 1;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** `Authorization: Basic base64(client_id:client_secret)`, as Pipedrive and the SDK send it. */
export function basicHeader(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
}

/** Pipedrive's visibility: admins see everything; "Owner & followers" hides the rest from others. */
function mayView(user: FakeUser, record: FakeVisibility & { owner_id: number }): boolean {
  return user.is_admin || record.visible_to === 3 || record.owner_id === user.id || record.follower_ids.includes(user.id);
}

function personMatches(person: FakePerson, term: string, fields: string[], exact: boolean): boolean {
  const lowered = term.toLowerCase();
  const textMatches = (value: string) => (exact ? value.toLowerCase() === lowered : value.toLowerCase().includes(lowered));
  // Phone search compares digits, so "555-555-0172" is found by "5555550172" (inferred from how
  // Pipedrive's UI search behaves; the API docs don't say).
  const termDigits = term.replace(/\D/g, "");
  const phoneMatches = (value: string) => {
    const digits = value.replace(/\D/g, "");
    return termDigits !== "" && (exact ? digits === termDigits : digits.includes(termDigits));
  };
  return (
    (fields.includes("name") && textMatches(person.name)) ||
    (fields.includes("email") && person.emails.some((email) => textMatches(email.value))) ||
    (fields.includes("phone") && person.phones.some((phone) => phoneMatches(phone.value)))
  );
}

function presentPerson({ follower_ids: _followers, ...person }: FakePerson) {
  const [firstName, ...rest] = person.name.split(" ");
  return {
    ...person,
    first_name: firstName ?? "",
    last_name: rest.join(" "),
    add_time: "2026-01-05T09:00:00Z",
    update_time: "2026-01-05T09:00:00Z",
    is_deleted: false,
    label_ids: [],
    custom_fields: {},
  };
}

function sendOAuthError(response: Response, status: number, error: string, description: string) {
  response.status(status).json({ error, error_description: description });
}

function sendApiError(response: Response, status: number, error: string) {
  response.status(status).json({ success: false, error, errorCode: status, error_info: errorInfo, data: null, additional_data: null });
}

/** API v2's ISO 8601 time, without milliseconds. */
function v2Time(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** API v1's `YYYY-MM-DD HH:MM:SS` (UTC). */
function v1Time(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}
