import { Client } from "@hubspot/api-client";
import { type FakeHubspot, startFakeHubspot } from "../../fakes/hubspot";

// The HubSpot imitation (server/demo-crm/hubspot, shared by the demo portal and the tests' fake)
// refuses what HubSpot refuses. CRM calls go through @hubspot/api-client's own request layer
// (apiRequest with basePath) on the dated 2026-03 paths, as the app's client does.
const redirectUri = "https://sb.example.com/api/v1/integrations/hubspot/callback";
const hubId = 50_100_001;
let fake: FakeHubspot;
let now = Date.parse("2026-12-05T10:00:00Z");
let contactId: string;
let dealId: string;

beforeAll(async () => {
  fake = await startFakeHubspot({ redirectUri, clock: () => now });
  fake.portals.addPortal({ hubId, domain: "acme.hubspot.com" });
  fake.portals.addUser(hubId, { userId: 901, email: "sam@acme.example", firstName: "Sam", lastName: "Super", superAdmin: true });
  fake.portals.addUser(hubId, { userId: 902, email: "rita@acme.example", firstName: "Rita", lastName: "Rep", superAdmin: false });
  contactId = fake.portals.addContact(hubId, { firstname: "Sheena", lastname: "Nelson", phone: "+16505551234" }).id;
  dealId = fake.portals.addDeal(hubId, { dealname: "Fleet renewal" }, [contactId]).id;
});
afterAll(async () => {
  await fake?.close();
});

const authorizeUrl = (overrides: Record<string, string> = {}) => {
  const url = new URL("/oauth/authorize", fake.url);
  const params = { client_id: fake.app.clientId, redirect_uri: redirectUri, scope: fake.app.requiredScopes.join(" "), state: "s-1", ...overrides };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
};
const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ client_id: fake.app.clientId, client_secret: fake.app.clientSecret, ...fields }),
});

async function installedTokens() {
  const installed = await fake.install(authorizeUrl(), { hubId, userId: 901 });
  const code = new URL(installed.location ?? "").searchParams.get("code") ?? "";
  const response = await fetch(`${fake.url}/oauth/2026-03/token`, form({ grant_type: "authorization_code", code, redirect_uri: redirectUri }));
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token: string; hub_id: number; user_id: number; scopes: string[]; expires_in: number };
}
const crm = (accessToken: string) => new Client({ accessToken, basePath: fake.url, numberOfApiCallRetries: 0 });

describe("the HubSpot imitation's install page and OAuth (dated 2026-03 endpoints)", () => {
  it("installs for a super admin: back to the redirect URL with code and state; the token answer carries hub_id, user_id and scopes", async () => {
    const tokens = await installedTokens();
    expect(tokens).toMatchObject({ hub_id: hubId, user_id: 901, expires_in: 1800, scopes: fake.app.requiredScopes });
    expect(tokens.access_token.length).toBeLessThanOrEqual(300);
  });

  it("refuses a user who is not a super admin, an unknown client, a redirect URL not registered and scopes that differ from the app's", async () => {
    expect((await fake.install(authorizeUrl(), { hubId, userId: 902 })).status).toBe(403);
    expect((await fetch(authorizeUrl({ client_id: "someone-else" }))).status).toBe(400);
    expect((await fetch(authorizeUrl({ redirect_uri: "https://evil.example/callback" }))).status).toBe(400);
    expect((await fetch(authorizeUrl({ scope: "oauth crm.objects.contacts.read" }))).status).toBe(400);
    expect((await fetch(authorizeUrl({ optional_scope: "crm.objects.companies.write" }))).status).toBe(400);
    expect((await fetch(authorizeUrl({ optional_scope: "crm.objects.deals.write" }))).status).toBe(200);
  });

  it("takes form bodies only, a code once and for its redirect URL, and answers invalid_grant/BAD_REFRESH_TOKEN once the app is uninstalled", async () => {
    const installed = await fake.install(authorizeUrl(), { hubId, userId: 901 });
    const code = new URL(installed.location ?? "").searchParams.get("code") ?? "";
    const asJson = await fetch(`${fake.url}/oauth/2026-03/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        client_id: fake.app.clientId,
        client_secret: fake.app.clientSecret,
      }),
    });
    expect(asJson.status).toBe(400);
    const wrongRedirect = await fetch(
      `${fake.url}/oauth/2026-03/token`,
      form({ grant_type: "authorization_code", code, redirect_uri: "https://sb.example.com/other" }),
    );
    expect(await wrongRedirect.json()).toMatchObject({ error: "invalid_grant" });
    // The code was spent by the refused attempt, as a single-use code is.
    const again = await fetch(`${fake.url}/oauth/2026-03/token`, form({ grant_type: "authorization_code", code, redirect_uri: redirectUri }));
    expect(await again.json()).toMatchObject({ error: "invalid_grant", status: "BAD_AUTH_CODE" });

    const tokens = await installedTokens();
    const refreshed = await fetch(`${fake.url}/oauth/2026-03/token`, form({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }));
    expect(await refreshed.json()).toMatchObject({ hub_id: hubId, refresh_token: tokens.refresh_token });
    const uninstall = await crm(tokens.access_token).apiRequest({ method: "DELETE", path: "/appinstalls/2026-03/external-install" });
    expect(uninstall.status).toBe(204);
    const afterUninstall = await fetch(`${fake.url}/oauth/2026-03/token`, form({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }));
    expect(afterUninstall.status).toBe(400);
    expect(await afterUninstall.json()).toMatchObject({ error: "invalid_grant", status: "BAD_REFRESH_TOKEN" });
  });

  it("introspects live tokens and revokes refresh tokens", async () => {
    const tokens = await installedTokens();
    const introspected = await fetch(`${fake.url}/oauth/2026-03/token/introspect`, form({ token: tokens.access_token, token_type_hint: "access_token" }));
    expect(await introspected.json()).toMatchObject({ active: true, hub_id: hubId, user_id: 901, user: "sam@acme.example", hub_domain: "acme.hubspot.com" });
    expect((await fetch(`${fake.url}/oauth/2026-03/token/revoke`, form({ token: tokens.refresh_token }))).status).toBe(204);
    const dead = await fetch(`${fake.url}/oauth/2026-03/token/introspect`, form({ token: tokens.access_token }));
    expect(await dead.json()).toEqual({ active: false });
  });
});

describe("the HubSpot imitation's CRM endpoints", () => {
  it("answers contacts, deals with their contacts, search by phone and owners (owner id ≠ user id)", async () => {
    const client = crm((await installedTokens()).access_token);
    const contact = await client.apiRequest({
      method: "GET",
      path: `/crm/objects/2026-03/contacts/${contactId}`,
      qs: { properties: "firstname,phone", associations: "deals" },
    });
    expect(await contact.json()).toMatchObject({
      id: contactId,
      properties: { firstname: "Sheena", phone: "+16505551234" },
      associations: { deals: { results: [{ id: dealId }] } },
    });
    const deal = await client.apiRequest({ method: "GET", path: `/crm/objects/2026-03/deals/${dealId}`, qs: { associations: "contacts" } });
    expect(await deal.json()).toMatchObject({ associations: { contacts: { results: [{ id: contactId }] } } });
    const search = await client.apiRequest({
      method: "POST",
      path: "/crm/objects/2026-03/contacts/search",
      body: { filterGroups: [{ filters: [{ propertyName: "phone", operator: "EQ", value: "+16505551234" }] }], properties: ["firstname"], limit: 10 },
    });
    expect(await search.json()).toMatchObject({ total: 1, results: [{ id: contactId }] });
    const tooMany = await client.apiRequest({ method: "POST", path: "/crm/objects/2026-03/contacts/search", body: { limit: 201 } });
    expect(tooMany.status).toBe(400);
    const owners = (await (await client.apiRequest({ method: "GET", path: "/crm/owners/2026-03", qs: { email: "rita@acme.example" } })).json()) as {
      results: { id: string; userId: number }[];
    };
    expect(owners.results).toHaveLength(1);
    expect(owners.results[0]?.userId).toBe(902);
    expect(owners.results[0]?.id).not.toBe("902");
  });

  it("creates a WhatsApp Communication only as HubSpot documents it: logged from CRM, a channel of the enum, an owner id, associations 81/85 to records that exist", async () => {
    const client = crm((await installedTokens()).access_token);
    const rita = fake.portals.portal(hubId).users.find((user) => user.userId === 902);
    const properties = {
      hs_communication_channel_type: "WHATS_APP",
      hs_communication_logged_from: "CRM",
      hs_communication_body: "Hello",
      hs_timestamp: "2026-12-05T10:00:00.000Z",
      hubspot_owner_id: String(rita?.ownerId),
    };
    const associations = [
      { to: { id: contactId }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 81 }] },
      { to: { id: dealId }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 85 }] },
    ];
    const create = (body: unknown) => client.apiRequest({ method: "POST", path: "/crm/objects/2026-03/communications", body });
    const created = await create({ properties, associations });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(
      fake.portals
        .portal(hubId)
        .communications.get(id)
        ?.associations.map((association) => association.associationTypeId),
    ).toEqual([81, 85]);

    const refusals = await Promise.all([
      create({ properties: { ...properties, hs_communication_logged_from: "INTEGRATION" }, associations }),
      create({ properties: { ...properties, hs_communication_channel_type: "WHATSAPP" }, associations }),
      create({ properties: { ...properties, hubspot_owner_id: "902" }, associations }),
      create({ properties: { ...properties, hs_createdate: "2026-01-01" }, associations }),
      create({ properties: { ...properties, whatsapp_message_id: "wamid.1" }, associations }),
      create({ properties, associations: [{ to: { id: contactId }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 85 }] }] }),
      create({ properties, associations: [{ to: { id: "999999" }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 81 }] }] }),
      create({ properties: { ...properties, hs_timestamp: "yesterday" }, associations }),
      create({ properties, associations, extra: true }),
    ]);
    expect(refusals.map((response) => response.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400]);
    expect(await refusals[4]?.json()).toMatchObject({
      status: "error",
      category: "VALIDATION_ERROR",
      errors: [{ context: { PROPERTY_DOESNT_EXIST: ["whatsapp_message_id"] } }],
    });

    // Batch: the good input is created, the bad one reported (207).
    const batch = await client.apiRequest({
      method: "POST",
      path: "/crm/objects/2026-03/communications/batch/create",
      body: {
        inputs: [
          { properties, associations },
          { properties: { ...properties, hs_communication_logged_from: "EMAIL" }, associations },
        ],
      },
    });
    expect(batch.status).toBe(207);
    expect(await batch.json()).toMatchObject({ status: "COMPLETE", numErrors: 1, results: [{ id: expect.any(String) }] });
    // Updating in place: the body only, nothing read-only.
    const patched = await client.apiRequest({
      method: "PATCH",
      path: `/crm/objects/2026-03/communications/${id}`,
      body: { properties: { hs_communication_body: "Hello\nHi" } },
    });
    expect(patched.status).toBe(200);
    const readOnly = await client.apiRequest({
      method: "PATCH",
      path: `/crm/objects/2026-03/communications/${id}`,
      body: { properties: { hs_object_id: "1" } },
    });
    expect(readOnly.status).toBe(400);
  });

  it("says 401 EXPIRED_AUTHENTICATION for an expired token, and 429 with HubSpot's body and headers past 100 calls in 10 s", async () => {
    const tokens = await installedTokens();
    const client = crm(tokens.access_token);
    const first = await client.apiRequest({ method: "GET", path: `/crm/objects/2026-03/contacts/${contactId}` });
    expect(first.headers.get("x-hubspot-ratelimit-max")).toBe("100");
    expect(first.headers.get("x-hubspot-ratelimit-interval-milliseconds")).toBe("10000");

    fake.controls.rateLimitNext();
    const limited = await client.apiRequest({ method: "GET", path: `/crm/objects/2026-03/contacts/${contactId}` });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ status: "error", errorType: "RATE_LIMIT", policyName: "TEN_SECONDLY_ROLLING" });

    now += 11_000;
    let last = 0;
    for (let call = 0; call < 101; call++) last = (await client.apiRequest({ method: "GET", path: `/crm/objects/2026-03/contacts/${contactId}` })).status;
    expect(last).toBe(429);

    now += 31 * 60 * 1000;
    const expired = await client.apiRequest({ method: "GET", path: `/crm/objects/2026-03/contacts/${contactId}` });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ category: "EXPIRED_AUTHENTICATION" });
  });

  it("refuses calls the token's scopes don't cover", async () => {
    const installed = await fake.install(authorizeUrl(), { hubId, userId: 901 });
    expect(installed.status).toBe(302);
    // A grant without the owners scope, as an older install of the app would have.
    const tokens = fake.portals.issueTokens({ hubId, userId: 901, scopes: ["oauth", "crm.objects.contacts.read"] });
    const owners = await crm(tokens.accessToken).apiRequest({ method: "GET", path: "/crm/owners/2026-03" });
    expect(owners.status).toBe(403);
    expect(await owners.json()).toMatchObject({ category: "MISSING_SCOPES" });
  });
});
