import { pipedriveConnections } from "../../../server/db/schema";
import { demoCrmDeals, demoCrmPeople } from "../../../server/demo-crm/company";
import { cursorPage } from "../../../server/demo-crm/contract/pagination";
import { createRateLimiter, litePlan } from "../../../server/demo-crm/contract/rate-limit";
import { scopeAllows, scopesOpening } from "../../../server/demo-crm/contract/scopes";
import { loadWorkspaceConnection } from "../../../server/pipedrive/connections";
import { openPipedriveTokens } from "../../../server/pipedrive/token-storage";
import { basicHeader, type FakePipedrive, startFakePipedrive } from "../../fakes/pipedrive";
import { startDemoServer } from "../../support/demo";

// The rules both imitations of Pipedrive share (server/demo-crm/contract/): envelopes, pagination,
// rate-limit headers, note bodies checked against the SDK's AddNoteRequest, scopes; and the
// fake's consent page and the demo CRM's revoke. Code that gets past them gets past Pipedrive.

type Imitation = { apiUrl: string; accessToken: string; dealId: number; personId: number; close(): Promise<void> };

async function tokenFrom(fake: FakePipedrive, code: string) {
  const response = await fetch(`${fake.url}/oauth/token`, {
    method: "POST",
    headers: { authorization: basicHeader(fake.clientId, fake.clientSecret), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: fake.redirectUri }),
  });
  return (await response.json()) as { access_token: string; refresh_token: string; scope: string };
}

async function theFake(): Promise<Imitation> {
  const fake = await startFakePipedrive();
  const person = fake.addPerson({ name: "Carla Customer", phones: [{ value: "+44 20 7946 0958", label: "work", primary: true }] });
  const deal = fake.addDeal({ title: "Carla's deal", person_id: person.id });
  const { access_token } = await tokenFrom(fake, fake.issueAuthorizationCode());
  return { apiUrl: `${fake.url}/api`, accessToken: access_token, dealId: deal.id, personId: person.id, close: () => fake.close() };
}

async function theDemoCrm(): Promise<Imitation> {
  const server = await startDemoServer();
  const [connection] = await server.database.db.select().from(pipedriveConnections);
  const served = await loadWorkspaceConnection(server.database.db, connection?.workspaceId ?? "");
  const tokens = openPipedriveTokens(server.services.config.encryptionKey, served?.installation as NonNullable<NonNullable<typeof served>["installation"]>);
  const deal = demoCrmDeals.find((candidate) => candidate.personId === demoCrmPeople.grace.id);
  return {
    apiUrl: `${server.url}/dev/demo-crm/api`,
    accessToken: tokens.accessToken,
    dealId: deal?.id ?? 0,
    personId: demoCrmPeople.grace.id,
    close: () => server.close(),
  };
}

describe.each([
  ["the fake Pipedrive (test/fakes)", theFake],
  ["the demo CRM (server/demo-crm)", theDemoCrm],
])("%s", (_name, start) => {
  let imitation: Imitation;
  beforeAll(async () => {
    imitation = await start();
  }, 60_000);
  afterAll(() => imitation.close());

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${imitation.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${imitation.accessToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
  };

  it("answers in Pipedrive's envelope, with the burst-limit headers", async () => {
    const answer = await call("GET", `/v2/deals/${imitation.dealId}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ success: true, data: expect.objectContaining({ id: imitation.dealId }), additional_data: null });
    expect(answer.headers.get("x-ratelimit-limit")).toBe("80");
    expect(Number(answer.headers.get("x-ratelimit-remaining"))).toBeLessThan(80);
    expect(Number(answer.headers.get("x-ratelimit-reset"))).toBeGreaterThan(0);
    const missing = await call("GET", "/v2/deals/999999");
    expect(missing.body).toEqual({
      success: false,
      error: "Deal not found",
      errorCode: 404,
      error_info: expect.any(String),
      data: null,
      additional_data: null,
    });
  });

  it("pages v2 lists by cursor: a limit of 1 gives one person and a next_cursor, a limit over 500 is a 400", async () => {
    const page = await call("GET", `/v2/persons?deal_id=${imitation.dealId}&limit=1`);
    expect(page.status).toBe(200);
    expect(page.body.data).toHaveLength(1);
    expect(page.body.additional_data).toEqual({ next_cursor: null });
    expect((await call("GET", "/v2/persons?limit=501")).status).toBe(400);
    expect((await call("GET", "/v2/persons?cursor=not-ours")).status).toBe(400);
  });

  it("searches persons by phone, and refuses a one-letter term or a field Pipedrive doesn't search", async () => {
    const found = await call("GET", "/v2/persons/search?term=2079460958&fields=phone&limit=5");
    expect(found.status).toBe(200);
    expect(found.body.data.items.map((entry: { item: { id: number } }) => entry.item.id)).toContain(imitation.personId);
    expect(found.body.additional_data).toEqual({ next_cursor: null });
    expect((await call("GET", "/v2/persons/search?term=2")).status).toBe(400);
    expect((await call("GET", "/v2/persons/search?term=2079460958&fields=phones")).body).toMatchObject({ success: false, error: "Invalid 'fields': phones" });
  });

  it("takes a note with the SDK's AddNoteRequest fields and refuses unknown, read-only and mistyped ones with a 400", async () => {
    const added = await call("POST", "/v1/notes", { content: "<p>Hi</p>", person_id: imitation.personId, pinned_to_deal_flag: 0 });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ success: true, data: { content: "<p>Hi</p>", person_id: imitation.personId } });
    for (const [body, error] of [
      [{ content: "x", person_id: imitation.personId, colour: "red" }, "Unknown field 'colour'"],
      [{ content: "x", person_id: imitation.personId, id: 7 }, "'id' is a read-only field."],
      [{ content: "x", person_id: String(imitation.personId) }, /^Invalid 'person_id'/],
      [{ content: "x", person_id: imitation.personId, pinned_to_deal_flag: true }, /^Invalid 'pinned_to_deal_flag'/],
      [{ content: "x" }, "Note must be attached to a deal, person, organization, lead or project"],
    ] as const) {
      const refused = await call("POST", "/v1/notes", body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body).toMatchObject({ success: false, error: typeof error === "string" ? error : expect.stringMatching(error) });
    }
    const changed = await call("PUT", `/v1/notes/${added.body.data.id}`, { content: "<p>Hi again</p>", update_time: "2026-01-01 00:00:00" });
    expect(changed.status).toBe(400);
    // NoteRequest takes the pin too: a note moved onto a deal can be pinned there.
    const moved = await call("PUT", `/v1/notes/${added.body.data.id}`, { deal_id: imitation.dealId, pinned_to_deal_flag: 1 });
    expect(moved.status).toBe(200);
    expect(moved.body.data).toMatchObject({ deal_id: imitation.dealId, person_id: imitation.personId, pinned_to_deal_flag: true });
  });
});

describe("the fake's consent page, scopes and daily budget", () => {
  let fake: FakePipedrive;
  beforeAll(async () => {
    fake = await startFakePipedrive();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());
  const authorizeUrl = (query: Record<string, string>) => `${fake.url}/oauth/authorize?${new URLSearchParams(query)}`;

  it("refuses another client_id or a redirect_uri that is not exactly the registered one, without redirecting", async () => {
    for (const query of [
      { client_id: "someone-else", redirect_uri: fake.redirectUri },
      { client_id: fake.clientId, redirect_uri: `${fake.redirectUri}/` },
      { client_id: fake.clientId, redirect_uri: "https://attacker.test/pipedrive/callback" },
      { client_id: fake.clientId, redirect_uri: "" },
    ]) {
      const consented = await fake.consent(authorizeUrl(query));
      expect(consented.status, JSON.stringify(query)).toBe(400);
      expect(consented.location).toBe("");
    }
    const allowed = await fake.consent(authorizeUrl({ client_id: fake.clientId, redirect_uri: fake.redirectUri, state: "s1" }));
    expect(allowed.status).toBe(302);
    expect(new URL(allowed.location).searchParams.get("state")).toBe("s1");
    const denied = await fake.consent(authorizeUrl({ client_id: fake.clientId, redirect_uri: fake.redirectUri, state: "s2" }), { allow: false });
    expect(Object.fromEntries(new URL(denied.location).searchParams)).toEqual({ error: "user_denied", state: "s2" });
    // The four refused consents are contract refusals (sent on purpose here).
    expect(fake.takeContractRefusals().map((refusal) => refusal.kind)).toEqual(["authorize", "authorize", "authorize", "authorize"]);
  });

  it("records each request it refuses for breaking the contract (the Pipedrive suites fail on them), but not the failures a test arranges", async () => {
    const consented = await fake.consent(authorizeUrl({ client_id: fake.clientId, redirect_uri: fake.redirectUri }));
    const tokens = await tokenFrom(fake, new URL(consented.location).searchParams.get("code") ?? "");
    const bearer = { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" };
    // Arranged by the test: a scripted failure and a token the test expired.
    fake.failNext({ status: 500 });
    expect((await fetch(`${fake.url}/api/v1/users/me`, { headers: bearer })).status).toBe(500);
    expect(fake.contractRefusals()).toEqual([]);
    // Contract breaches: an unknown field in an activity, an unknown endpoint, no credentials, a JSON token request.
    const unknownField = await fetch(`${fake.url}/api/v2/activities`, {
      method: "POST",
      headers: bearer,
      body: JSON.stringify({ subject: "x", colour: "red" }),
    });
    expect(unknownField.status).toBe(400);
    expect((await fetch(`${fake.url}/api/v2/widgets`, { headers: bearer })).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${fake.url}/api/v1/users/me`)).status).toBe(401);
    expect((await fetch(`${fake.url}/oauth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(400);
    fake.reset();
    expect(fake.takeContractRefusals()).toMatchObject([
      { kind: "schema", method: "POST", path: "/api/v2/activities", status: 400, body: { subject: "x", colour: "red" } },
      { kind: "unknown-endpoint", path: "/api/v2/widgets" },
      { kind: "unauthenticated", path: "/api/v1/users/me", status: 401 },
      { kind: "content-type", path: "/oauth/token", status: 400 },
    ]);
    expect(fake.contractRefusals()).toEqual([]);
    fake.expireAccessTokens();
    expect((await fetch(`${fake.url}/api/v1/users/me`, { headers: bearer })).status).toBe(401);
    expect(fake.contractRefusals()).toEqual([]);
  });

  it("grants the app's registered scopes; a token without users:read is refused GET /v1/users (403 Scope and URL mismatch) but keeps what it has", async () => {
    fake.setAppScopes(["base", "deals:read"]);
    const consented = await fake.consent(authorizeUrl({ client_id: fake.clientId, redirect_uri: fake.redirectUri }));
    const tokens = await tokenFrom(fake, new URL(consented.location).searchParams.get("code") ?? "");
    expect(tokens.scope).toBe("base,deals:read");
    const get = (path: string) => fetch(`${fake.url}/api${path}`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await get("/v1/users/me")).status).toBe(200);
    const users = await get("/v1/users");
    expect(users.status).toBe(403);
    expect(await users.json()).toMatchObject({ success: false, error: "Scope and URL mismatch", errorCode: 403 });
    const note = await fetch(`${fake.url}/api/v1/notes`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "x", deal_id: fake.addDeal({ title: "D" }).id }),
    });
    expect(note.status).toBe(403);
    // Widening the app's scopes later doesn't widen a token already issued.
    fake.setAppScopes(["base", "deals:full", "users:read"]);
    expect((await get("/v1/users")).status).toBe(403);
  });

  it("once the company's daily budget is spent, answers 429 with Retry-After until midnight UTC", async () => {
    const { access_token } = await tokenFrom(fake, fake.issueAuthorizationCode());
    fake.exhaustDailyBudget();
    const refused = await fetch(`${fake.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(refused.status).toBe(429);
    const secondsToMidnight = (Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`) + 86_400_000 - Date.now()) / 1000;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(secondsToMidnight - 60);
    expect(await refused.json()).toMatchObject({ success: false, errorCode: 429 });
  });
});

describe("the shared rules, unit by unit", () => {
  it("scopes: each endpoint the imitations serve opens with the scopes Pipedrive's table lists", () => {
    expect(scopesOpening("GET", "/api/v1/users/me")).toEqual(["base"]);
    expect(scopesOpening("GET", "/api/v2/persons/search")).toEqual(["contacts:read", "contacts:full", "search:read"]);
    expect(scopesOpening("GET", "/v2/persons/42")).toEqual(["contacts:read", "contacts:full"]);
    expect(scopeAllows("base,deals:read", "POST", "/v1/notes")).toBe(false);
    expect(scopeAllows("base,contacts:full", "POST", "/v1/notes")).toBe(true);
    expect(scopeAllows("base,deals:full", "POST", "/v2/activities")).toBe(false);
    expect(scopeAllows(["base", "everything"], "GET", "/v1/unknown")).toBe(false);
  });

  it("burst limit: the 81st request within 2 seconds is refused with the window's reset; search allows 10", () => {
    let now = 1_000_000;
    const limiter = createRateLimiter(litePlan, () => now);
    const request = { token: "t", companyId: 1, method: "GET", path: "/v2/deals/1" };
    for (let sent = 0; sent < 80; sent++) expect(limiter.charge(request).refused).toBeNull();
    const refused = limiter.charge(request);
    expect(refused.refused).toMatchObject({ limit: "burst", retryAfterSeconds: 2 });
    expect(refused.headers).toMatchObject({ "x-ratelimit-limit": "80", "x-ratelimit-remaining": "0" });
    now += 2_001;
    expect(limiter.charge(request).refused).toBeNull();
    const search = { ...request, path: "/v2/persons/search" };
    for (let sent = 0; sent < 10; sent++) expect(limiter.charge(search).refused).toBeNull();
    expect(limiter.charge(search).refused?.limit).toBe("burst");
  });

  it("cursor pagination walks every item once", () => {
    const items = Array.from({ length: 7 }, (_, index) => index);
    const seen: number[] = [];
    let query: Record<string, string> = { limit: "3" };
    for (let pages = 0; pages < 5; pages++) {
      const page = cursorPage(items, query);
      if (!page.ok) throw new Error("refused");
      seen.push(...page.data);
      const next = page.additionalData.next_cursor;
      if (typeof next !== "string") break;
      query = { limit: "3", cursor: next };
    }
    expect(seen).toEqual(items);
  });
});
