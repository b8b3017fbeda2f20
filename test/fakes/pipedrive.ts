import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { pipedriveScopes } from "../../manifest/pipedrive/generate";
import { type ActivityWrite, parseActivityWrite, presentParticipants, primaryPersonId } from "../../server/demo-crm/contract/activities";
import { parseNoteChange, parseNoteWrite } from "../../server/demo-crm/contract/notes";
import {
  authorizationCodeLifetimeMs,
  basicHeader,
  checkAuthorizeRequest,
  consentRedirect,
  isAppClient,
  RevokeRequest,
  TokenRequest,
} from "../../server/demo-crm/contract/oauth";
import { cursorPage, offsetPage } from "../../server/demo-crm/contract/pagination";
import { parsePersonSearch } from "../../server/demo-crm/contract/person-search";
import { createRateLimiter, litePlan } from "../../server/demo-crm/contract/rate-limit";
import { apiErrorBody, sendApiError, sendOAuthError, success } from "../../server/demo-crm/contract/responses";
import { scopeAllows, scopeMismatch, scopesOpening } from "../../server/demo-crm/contract/scopes";

export { basicHeader };

/**
 * A fake of Pipedrive as a real HTTP server, following the contracts in
 * shared/reference/pipedrive.md §1 and §6 that the official `pipedrive` SDK relies on: the OAuth
 * consent page (client_id and redirect_uri checked against the registered app, the app's scopes
 * granted), the token endpoint (Basic client auth, form body, authorization_code and refresh_token
 * grants), `/api/v1/users/me`, v2 deals, persons and person search, v1 notes, v2 activities,
 * scripted failures, token revocation, and the uninstall and app-sharing notices Pipedrive sends
 * to apps' Callback URL, per user. The rules it shares with the demo CRM (envelopes, pagination,
 * rate limits, scopes, request bodies, OAuth checks) live in server/demo-crm/contract/, each
 * citing its Pipedrive page.
 */
export type FakePipedrive = {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The app's Callback URL as registered in Developer Hub (registerCallbackUrl changes it). */
  readonly redirectUri: string;
  /**
   * Saves a new Callback URL for the app, as an admin does in Developer Hub (OAuth & access scopes):
   * consents and code exchanges must name it from now on, and the notices go to it. For a test whose
   * app's address is known only once it listens.
   */
  registerCallbackUrl(url: string): void;
  /** The user every authorization code is issued for unless told otherwise. */
  user: FakeUser;
  /** The scopes the app is registered with in Developer Hub (what a consent grants). */
  scopes(): readonly string[];
  /** Changes the app's registered scopes: later consents grant these; tokens already issued keep theirs. */
  setAppScopes(scopes: readonly string[]): void;
  /**
   * A browser at Pipedrive's consent page: opens `authorizeUrl` (the fake's /oauth/authorize, which
   * checks client_id and redirect_uri) signed in as `user`, and presses Allow (or Deny). Answers
   * where Pipedrive sends the browser next (the app's callback), or the page's refusal.
   */
  consent(authorizeUrl: string, options?: { user?: FakeUser; allow?: boolean }): Promise<{ status: number; location: string; page: string }>;
  /** Spends the company's daily token budget, as other apps on the account would: every call is 429 until midnight UTC. */
  exhaustDailyBudget(companyId?: number): void;
  /** Every request received, in order, whatever its outcome. */
  requests: RecordedRequest[];
  /**
   * The requests refused for breaking Pipedrive's contract (a body failing its schema, an unknown or
   * read-only field, a wrong content type or shape, an unknown endpoint, a missing scope, a request
   * without credentials), in order. Refusals a test arranges (failNext, failNextRevoke, expired or
   * revoked tokens, uninstalls, the daily budget, a used code) are not contract refusals. Our product
   * must never cause one: the Pipedrive suites check this is empty after each test
   * (test/support/pipedrive-contract.ts). reset() keeps them, so a refusal can't be wiped unseen.
   */
  contractRefusals(): readonly ContractRefusal[];
  /** Answers the contract refusals so far and forgets them: for tests that send a bad request on purpose. */
  takeContractRefusals(): ContractRefusal[];
  notes: FakeNote[];
  activities: FakeActivity[];
  addPerson(person: Partial<FakePerson> & { name: string }): FakePerson;
  addDeal(deal: Partial<FakeDeal> & { title: string }): FakeDeal;
  /** A user of a company, listed by GET /v1/users (users who get a code are added anyway). */
  addUser(user: FakeUser): void;
  /**
   * What the consent page hands our callback after the user clicks "Allow", without the page:
   * for unit-level tests that start from a code (journeys go through `consent`).
   */
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

/** Why the fake refused a request on contract grounds. */
export type ContractRefusalKind = "schema" | "content-type" | "client-auth" | "unknown-endpoint" | "scope" | "unauthenticated" | "malformed-json" | "authorize";
export type ContractRefusal = { kind: ContractRefusalKind; method: string; path: string; status: number; error: string; body: unknown };

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, unknown>;
  authorization: string | null;
  contentType: string | null;
  /** The official SDK announces itself as `Pipedrive-SDK-Javascript-<version>`. */
  userAgent: string | null;
  body: unknown;
  /** The Pipedrive user whose access token made an API call (null: OAuth, or a token the fake didn't accept). */
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
const accessTokenLifetimeSeconds = 3599;
/** Pipedrive's scope string: the granted scopes, comma-separated (pipedrive.md §1.1). */
const scopeString = (scopes: readonly string[]) => scopes.join(",");
type IssuedAccessToken = { user: FakeUser; refreshToken: string; scope: string; expiresAtMs: number; rejected: boolean };

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakePipedrive(
  options: { clientId?: string; clientSecret?: string; redirectUri?: string; scopes?: readonly string[] } = {},
): Promise<FakePipedrive> {
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  let redirectUri = options.redirectUri ?? "https://switchboard.test/pipedrive/callback";
  const requests: RecordedRequest[] = [];
  const refusals: ContractRefusal[] = [];
  /** Records a contract refusal of the request being answered (see FakePipedrive.contractRefusals). */
  const refuse = (kind: ContractRefusalKind, request: Request, status: number, error: string) => {
    refusals.push({ kind, method: request.method, path: request.originalUrl.split("?")[0] ?? "", status, error, body: request.body });
  };
  /** Pipedrive's 400 for a body or query its schema refuses, recorded as a contract refusal. */
  const refuseSchema = (request: Request, response: Response, error: { error?: string }) => {
    refuse("schema", request, 400, error.error ?? JSON.stringify(error));
    response.status(400).json(error);
  };
  const notes: FakeNote[] = [];
  const activities: FakeActivity[] = [];
  let persons = new Map<number, FakePerson>();
  let deals = new Map<number, FakeDeal>();
  const registeredScopes = options.scopes ?? pipedriveScopes;
  let appScopes: readonly string[] = registeredScopes;
  const app = { clientId, clientSecret, redirectUri };
  const rateLimiter = createRateLimiter(litePlan);
  let codes = new Map<string, { user: FakeUser; scope: string; issuedAtMs: number; used: boolean }>();
  let refreshTokens = new Map<string, { user: FakeUser; scope: string; revoked: boolean }>();
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

  const issueCode = (user: FakeUser) => {
    knownUsers.set(user.id, user);
    const code = randomBytes(16).toString("hex");
    codes.set(code, { user, scope: scopeString(appScopes), issuedAtMs: Date.now(), used: false });
    return code;
  };

  const server = express();
  server.use((request, response, next) => {
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
  server.use(express.json(), express.urlencoded({ extended: false }));
  server.use((request, response, next) => {
    (response.locals.recorded as RecordedRequest).body = request.body;
    next();
  });

  // The consent page (server/demo-crm/contract/oauth.ts has the rules and their pages): the request
  // must name our client and exactly our Callback URL, or the page refuses without redirecting. It
  // lists the app's scopes (all or nothing) and who is signed in; the form posts the decision.
  server.get("/oauth/authorize", (request, response) => {
    const checked = checkAuthorizeRequest(app, request.query);
    if (!checked.ok) {
      refuse("authorize", request, 400, checked.reason);
      return void response.status(400).type("html").send(`<!doctype html><title>Pipedrive</title><p id="error">${checked.reason}</p>`);
    }
    const hidden = Object.entries(checked.request)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${encodeURIComponent(value)}">`)
      .join("");
    const users = [...knownUsers.values()].map((user) => `<option value="${user.id}">${user.name}</option>`).join("");
    response
      .type("html")
      .send(
        `<!doctype html><title>Pipedrive — allow access</title><form method="post" action="/oauth/authorize">${hidden}` +
          `<ul id="scopes">${appScopes.map((granted) => `<li>${granted}</li>`).join("")}</ul>` +
          `<select name="user_id">${users}</select><button name="decision" value="allow">Allow</button><button name="decision" value="deny">Deny</button></form>`,
      );
  });

  server.post("/oauth/authorize", (request, response) => {
    const fields = Object.fromEntries(Object.entries(request.body as Record<string, string>).map(([name, value]) => [name, decodeURIComponent(value)]));
    const checked = checkAuthorizeRequest(app, fields);
    const user = knownUsers.get(Number(fields.user_id));
    if (!checked.ok || !user) {
      refuse("authorize", request, 400, checked.ok ? "Unknown user" : checked.reason);
      return void response
        .status(400)
        .type("html")
        .send(`<!doctype html><p id="error">${checked.ok ? "Unknown user" : checked.reason}</p>`);
    }
    const outcome = fields.decision === "allow" ? { code: issueCode(user) } : { denied: true as const };
    response.redirect(302, consentRedirect(checked.request, outcome));
  });

  server.post("/oauth/token", (request, response) => {
    if (!request.is("application/x-www-form-urlencoded")) {
      refuse("content-type", request, 400, "content must be application/x-www-form-urlencoded");
      return void sendOAuthError(response, 400, "invalid_request", "Invalid request: content must be application/x-www-form-urlencoded");
    }
    if (!isAppClient(app, request.get("authorization"))) {
      refuse("client-auth", request, 401, "invalid_client");
      return void sendOAuthError(response, 401, "invalid_client", "Invalid client: client is invalid");
    }
    const parsed = TokenRequest.safeParse(request.body);
    if (!parsed.success) {
      refuse("schema", request, 400, "Missing parameter: grant_type");
      return void sendOAuthError(response, 400, "invalid_request", "Missing parameter: grant_type");
    }
    const grant = parsed.data;
    if (grant.grant_type === "authorization_code") {
      const code = codes.get(grant.code);
      if (!code || code.used) return void sendOAuthError(response, 400, "invalid_grant", "Invalid grant: authorization code is invalid");
      if (Date.now() - code.issuedAtMs > authorizationCodeLifetimeMs) {
        return void sendOAuthError(response, 400, "invalid_grant", "Invalid grant: authorization code has expired");
      }
      if (grant.redirect_uri !== redirectUri) {
        refuse("schema", request, 400, "redirect_uri is invalid");
        return void sendOAuthError(response, 400, "invalid_request", "Invalid request: redirect_uri is invalid");
      }
      code.used = true;
      // Authorizing again installs the app again for that user.
      uninstalled.delete(userKey(code.user.company_id, code.user.id));
      const refreshToken = `${code.user.company_id}:${code.user.id}:${randomBytes(24).toString("hex")}`;
      refreshTokens.set(refreshToken, { user: code.user, scope: code.scope, revoked: false });
      return void response.json(issueAccessToken(code.user, refreshToken, code.scope));
    }
    const refresh = refreshTokens.get(grant.refresh_token);
    if (!refresh || refresh.revoked) return void sendOAuthError(response, 400, "invalid_grant", "Invalid grant: refresh token is invalid");
    // Pipedrive hands back the same refresh token, its 60-day expiry pushed out.
    response.json(issueAccessToken(refresh.user, grant.refresh_token, refresh.scope));
  });

  // Revocation, strict as Pipedrive's (https://pipedrive.readme.io/docs/app-uninstallation): Basic
  // client credentials, a form body `token=…&token_type_hint=refresh_token|access_token`. Revoking a
  // refresh token marks the app uninstalled for its user (all their tokens then answer 401/invalid_grant);
  // revoking an access token ends only that token. RFC 7009 §2.2: an unknown token is answered 200 too.
  server.post("/oauth/revoke", (request, response) => {
    const failure = revokeFailures.shift();
    if (failure !== undefined) return void sendOAuthError(response, failure, "server_error", "Scripted failure");
    if (!request.is("application/x-www-form-urlencoded")) {
      refuse("content-type", request, 400, "content must be application/x-www-form-urlencoded");
      return void sendOAuthError(response, 400, "invalid_request", "Invalid request: content must be application/x-www-form-urlencoded");
    }
    if (!isAppClient(app, request.get("authorization"))) {
      refuse("client-auth", request, 401, "invalid_client");
      return void sendOAuthError(response, 401, "invalid_client", "Invalid client: client is invalid");
    }
    const parsed = RevokeRequest.safeParse(request.body);
    if (!parsed.success) {
      refuse("schema", request, 400, "Missing parameter: token");
      return void sendOAuthError(response, 400, "invalid_request", "Missing parameter: token");
    }
    const { token, token_type_hint: hint } = parsed.data;
    const refresh = hint === "access_token" ? undefined : refreshTokens.get(token);
    const access = hint === "refresh_token" ? undefined : accessTokens.get(token);
    if (refresh) markUninstalled(refresh.user.company_id, refresh.user.id);
    else if (access) access.rejected = true;
    response.status(200).json({ success: true });
  });

  const api = express.Router();
  server.use("/api", api);
  api.use((request, response, next) => {
    const failure = queuedFailures.shift();
    if (failure && "dropConnection" in failure) return void request.socket.destroy();
    if (failure?.status === 429) {
      response.set({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(failure.rateLimitResetSeconds ?? 2) });
      if (failure.retryAfterSeconds !== undefined) response.set("retry-after", String(failure.retryAfterSeconds));
      return void sendApiError(response, 429, "Too many requests");
    }
    if (failure) return void sendApiError(response, failure.status, failure.error ?? "Scripted failure");
    const token = /^Bearer (.+)$/.exec(request.get("authorization") ?? "")?.[1];
    // No bearer token at all is our mistake; a token the fake no longer accepts (expired, revoked,
    // uninstalled, issued before a reset) is a scenario the product must handle, not a contract breach.
    if (!token) refuse("unauthenticated", request, 401, "unauthorized access");
    const issued = token ? accessTokens.get(token) : undefined;
    if (!token || !issued || issued.rejected || issued.expiresAtMs <= Date.now()) return void sendApiError(response, 401, "unauthorized access");
    (response.locals.recorded as RecordedRequest).pipedriveUserId = issued.user.id;
    // Rate limits and scopes: server/demo-crm/contract/rate-limit.ts and scopes.ts.
    const verdict = rateLimiter.charge({ token, companyId: issued.user.company_id, method: request.method, path: request.path });
    response.set(verdict.headers);
    if (verdict.refused) {
      response.set("retry-after", String(verdict.refused.retryAfterSeconds));
      return void sendApiError(response, 429, verdict.refused.error);
    }
    if (!scopeAllows(issued.scope, request.method, request.path)) {
      refuse(scopesOpening(request.method, request.path) === null ? "unknown-endpoint" : "scope", request, 403, scopeMismatch);
      return void sendApiError(response, 403, scopeMismatch);
    }
    response.locals.user = issued.user;
    next();
  });

  api.get("/v1/users/me", (_request, response) => {
    const user: FakeUser = response.locals.user;
    response.json(success({ ...user, locale: "en_US", timezone_name: "Europe/Tallinn", active_flag: true, is_you: true, default_currency: "EUR" }));
  });

  // The company's users (scope users:read): every user the fake issued a code for or was given with addUser.
  api.get("/v1/users", (_request, response) => {
    const me: FakeUser = response.locals.user;
    const company = [...knownUsers.values()].filter((user) => user.company_id === me.company_id);
    response.json(
      success(
        company.map((user) => ({
          id: user.id,
          name: user.name,
          email: user.email,
          active_flag: true,
          is_admin: user.is_admin ? 1 : 0,
          is_you: user.id === me.id,
        })),
      ),
    );
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
    response.json(success({ ...fields, pipeline_id: 1, stage_id: 1, is_deleted: false, custom_fields: {} }));
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
      response.json(success(company.filter((user) => mayView(user, record)).map((user) => user.id)));
    });
  }

  api.get("/v2/persons/search", (request, response) => {
    // The query's rules: contract/person-search.ts; cursor pagination: contract/pagination.ts.
    const parsed = parsePersonSearch(request.query);
    if (!parsed.ok) return void refuseSchema(request, response, parsed.error);
    const { term, fields, exact } = parsed.search;
    const matches = [...persons.values()].filter((person) => mayView(response.locals.user, person) && personMatches(person, term, fields, exact));
    const page = cursorPage(matches, request.query);
    if (!page.ok) return void refuseSchema(request, response, page.error);
    const items = page.data.map((person) => ({
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
    response.json(success({ items }, page.additionalData));
  });

  api.get("/v2/persons/:id", (request, response) => {
    const person = persons.get(Number(request.params.id));
    if (!person) return void sendApiError(response, 404, "Person not found");
    if (!mayView(response.locals.user, person)) return void hidden(response, "Person");
    response.json(success(presentPerson(person)));
  });

  api.get("/v2/persons", (request, response) => {
    const deal = request.query.deal_id === undefined ? null : deals.get(Number(request.query.deal_id));
    if (request.query.deal_id !== undefined && !deal) return void sendApiError(response, 404, "Deal not found");
    if (deal && !mayView(response.locals.user, deal)) return void hidden(response, "Deal");
    const linked = deal ? [deal.person_id, ...deal.participant_ids] : [...persons.keys()];
    const visible = [...persons.values()].filter((person) => linked.includes(person.id) && mayView(response.locals.user, person));
    const page = cursorPage(visible, request.query);
    if (!page.ok) return void refuseSchema(request, response, page.error);
    response.json(success(page.data.map(presentPerson), page.additionalData));
  });

  // Note bodies: server/demo-crm/contract/notes.ts (the SDK's AddNoteRequest / NoteRequest fields).
  api.post("/v1/notes", (request, response) => {
    const parsed = parseNoteWrite(request.body);
    if (!parsed.ok) return void refuseSchema(request, response, parsed.error);
    const body = parsed.data;
    const problem = missingTarget(body);
    if (problem) return void refuseNoteTarget(request, response, problem);
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
    response.status(201).json(success(presentNote(note)));
  });

  api.put("/v1/notes/:id", (request, response) => {
    const note = notes.find((candidate) => candidate.id === Number(request.params.id));
    if (!note) return void sendApiError(response, 404, "Note not found");
    const parsed = parseNoteChange(request.body);
    if (!parsed.ok) return void refuseSchema(request, response, parsed.error);
    const change = parsed.data;
    const problem = missingTarget({ deal_id: change.deal_id ?? note.deal_id, person_id: change.person_id ?? note.person_id, org_id: note.org_id });
    if (problem) return void refuseNoteTarget(request, response, problem);
    Object.assign(note, {
      ...(change.content === undefined ? {} : { content: change.content }),
      ...(change.deal_id === undefined ? {} : { deal_id: change.deal_id }),
      ...(change.person_id === undefined ? {} : { person_id: change.person_id }),
      ...(change.pinned_to_deal_flag === undefined ? {} : { pinned_to_deal_flag: change.pinned_to_deal_flag === 1 }),
      update_time: v1Time(new Date()),
    });
    response.json(success(presentNote(note)));
  });

  api.get("/v1/notes", (request, response) => {
    const wanted = notes
      .filter((note) => request.query.deal_id === undefined || note.deal_id === Number(request.query.deal_id))
      .filter((note) => request.query.person_id === undefined || note.person_id === Number(request.query.person_id));
    const page = offsetPage(wanted, request.query);
    if (!page.ok) return void refuseSchema(request, response, { ...apiErrorBody(400, page.error.error) });
    response.json(success(page.data.map(presentNote), page.additionalData));
  });

  // Pipedrive's v2 rules for activity bodies (person_id read-only, unknown fields refused) live in
  // server/demo-crm/contract/activities.ts, shared with the demo CRM.
  api.post("/v2/activities", (request, response) => {
    const parsed = parseActivityWrite(request.body);
    if (!parsed.ok) return void refuseSchema(request, response, parsed.error);
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
    response.json(success(activity));
  });

  api.patch("/v2/activities/:id", (request, response) => {
    const activity = activities.find((candidate) => candidate.id === Number(request.params.id));
    if (!activity) return void sendApiError(response, 404, "Activity not found");
    const parsed = parseActivityWrite(request.body ?? {});
    if (!parsed.ok) return void refuseSchema(request, response, parsed.error);
    const { participants, ...fields } = parsed.data;
    Object.assign(activity, fields, { update_time: v2Time(new Date()) });
    if (participants) Object.assign(activity, { person_id: primaryPersonId(participants), participants: presentParticipants(participants) });
    response.json(success(activity));
  });

  server.use((request, response) => {
    // A browser at the consent page asks for /favicon.ico and the like: only API and OAuth paths count.
    if (/^\/(api|oauth)\//.test(request.path)) refuse("unknown-endpoint", request, 404, "Unknown method .");
    sendApiError(response, 404, "Unknown method .");
  });
  server.use((_error: unknown, request: Request, response: Response, _next: NextFunction) => {
    refuse("malformed-json", request, 400, "Request body is not valid JSON");
    sendApiError(response, 400, "Request body is not valid JSON");
  });

  const listener: Server = await new Promise((resolve) => {
    const listening = server.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;

  function issueAccessToken(user: FakeUser, refreshToken: string, scope: string) {
    const accessToken = `v1u:${randomBytes(32).toString("base64url")}`;
    accessTokens.set(accessToken, { user, refreshToken, scope, expiresAtMs: Date.now() + accessTokenLifetimeSeconds * 1000, rejected: false });
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

  /** A note without a target breaks the contract; one naming a record that isn't there (any more) is state, not shape. */
  function refuseNoteTarget(request: Request, response: Response, problem: string) {
    if (!problem.endsWith("not found")) refuse("schema", request, 400, problem);
    sendApiError(response, 400, problem);
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
    get redirectUri() {
      return redirectUri;
    },
    registerCallbackUrl: (callbackUrl) => {
      redirectUri = callbackUrl;
      app.redirectUri = callbackUrl;
      noticeUrl = callbackUrl;
    },
    user: defaultUser,
    requests,
    contractRefusals: () => [...refusals],
    takeContractRefusals: () => refusals.splice(0, refusals.length),
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
    scopes: () => appScopes,
    setAppScopes: (scopes) => {
      appScopes = [...scopes];
    },
    consent: async (authorizeUrl, consentOptions = {}) => {
      const user = consentOptions.user ?? defaultUser;
      knownUsers.set(user.id, user);
      const page = await fetch(authorizeUrl, { redirect: "manual" });
      const html = await page.text();
      if (page.status !== 200) return { status: page.status, location: page.headers.get("location") ?? "", page: html };
      // The form's hidden fields, as the browser would submit them.
      const form = new URLSearchParams(
        [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [match[1] ?? "", match[2] ?? ""]),
      );
      form.set("user_id", String(user.id));
      form.set("decision", consentOptions.allow === false ? "deny" : "allow");
      const decided = await fetch(new URL("/oauth/authorize", authorizeUrl), { method: "POST", body: form, redirect: "manual" });
      return { status: decided.status, location: decided.headers.get("location") ?? "", page: await decided.text() };
    },
    exhaustDailyBudget: (companyId = defaultUser.company_id) => rateLimiter.spend(companyId, litePlan.dailyBudget),
    issueAuthorizationCode: (user = defaultUser) => issueCode(user),
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
      appScopes = registeredScopes;
      rateLimiter.reset();
      nextId = 1;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        listener.close((error) => (error ? reject(error) : resolve()));
        listener.closeAllConnections();
      }),
  };
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

/** API v2's ISO 8601 time, without milliseconds. */
function v2Time(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** API v1's `YYYY-MM-DD HH:MM:SS` (UTC). */
function v1Time(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}
