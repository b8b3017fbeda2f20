import { and, eq } from "drizzle-orm";
import { auditLog, securityEvents } from "../../../server/db/schema";
import { cardContextKey, signCardContext, verifyCardContext } from "../../../server/hubspot/card-context";
import { hubspotSignatureV3 } from "../../../server/hubspot/signature";
import { hubspotAccessToken } from "../../../server/hubspot/tokens";
import { insertAccountDirectly, insertChatDirectly, insertMemberDirectly, testPassword } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { connectThroughHubspot, hubspotConfigFor, newPortal, startHubspotFakeForServer } from "./support";

// The app card's endpoint as HubSpot's proxy calls it (signed with the app's client secret over the
// URL the card named plus what HubSpot appends), and the Switchboard sign-in the card opens.
// HubSpot is the strict fake; portals are connected through its install page.
let fake: Awaited<ReturnType<typeof startHubspotFakeForServer>>;
let server: TestServer;
let team: Team;

beforeAll(async () => {
  fake = await startHubspotFakeForServer();
  server = await startTestServer({ ...hubspotConfigFor(fake), LOGIN_LIMIT_PER_ACCOUNT: "3" }, { ownPublicUrl: true });
  fake.registerServer(server);
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** What HubSpot's proxy sends for the card's hubspot.fetch: the body as JSON, signed v3 over METHOD + URL + body + timestamp. */
async function cardRequest(
  query: string,
  body: unknown = { objectTypeId: "0-1", objectId: "101" },
  options: { secret?: string; timestamp?: number; signedUrl?: string; signedBody?: string } = {},
) {
  const url = `${server.services.config.publicUrl}/api/v1/hubspot/card${query}`;
  const raw = JSON.stringify(body);
  const timestamp = String(options.timestamp ?? Date.now());
  const signature = hubspotSignatureV3(options.secret ?? fake.app.clientSecret, {
    method: "POST",
    uri: options.signedUrl ?? url,
    body: options.signedBody ?? raw,
    timestamp,
  });
  return server.api("POST", `/hubspot/card${query}`, {
    rawBody: raw,
    headers: { "content-type": "application/json", "x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": timestamp },
  });
}

async function connectedPortal(): Promise<number> {
  const hubId = newPortal(fake);
  const { landing } = await connectThroughHubspot(server, fake, team.admin.token, hubId);
  expect(landing?.hash).toContain("hubspot=connected");
  return hubId;
}

const contextOf = (linkUri: string) => new URL(linkUri).hash.slice(1);

describe("POST /hubspot/card", () => {
  it("a connected portal gets link_required: a sign-in page on PUBLIC_URL/hubspot/ carrying a signed context of portal and record", async () => {
    const hubId = await connectedPortal();
    const answer = await cardRequest(`?portalId=${hubId}&userId=2&userEmail=rita%40acme.example&appId=${fake.app.appId}`, {
      objectTypeId: "0-3",
      objectId: 777,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ state: "link_required", linkUri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/hubspot\/#[\w-]+\.[\w-]+\.[\w-]+$/) });
    expect(answer.body.linkUri.startsWith(`${server.services.config.publicUrl}/hubspot/#`)).toBe(true);
    const context = await verifyCardContext(cardContextKey(server.services.config.encryptionKey), contextOf(answer.body.linkUri));
    // The portal, the HubSpot user HubSpot appended and the record: signing in with it links that user.
    expect(context).toEqual({ hubId, objectTypeId: "0-3", objectId: "777", hubspotUserId: 2 });
    // Never member data, whatever user the query claims.
    expect(answer.text).not.toContain("chats");
  });

  it("logs one line with the raw signed URL and its query, so a real portal shows what HubSpot appends", async () => {
    const hubId = await connectedPortal();
    const info = vi.spyOn(server.services.logger, "info");
    try {
      await cardRequest(`?portalId=${hubId}&appId=${fake.app.appId}&userId=2`);
      const lines = info.mock.calls.filter((call) => call[1] === "HubSpot card request");
      expect(lines).toHaveLength(1);
      expect(lines[0]?.[0]).toEqual({
        signedUrl: `${server.services.config.publicUrl}/api/v1/hubspot/card?portalId=${hubId}&appId=${fake.app.appId}&userId=2`,
        query: { portalId: [String(hubId)], appId: [String(fake.app.appId)], userId: ["2"] },
        signature: "ok",
      });
    } finally {
      info.mockRestore();
    }
  });

  it("a portal no workspace connected, or one HubSpot no longer accepts, is not_installed", async () => {
    const unknown = await cardRequest("?portalId=59999999");
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ state: "not_installed", detail: expect.stringContaining("Integrations") });

    const hubId = await connectedPortal();
    fake.portals.uninstall(hubId);
    await expect(hubspotAccessToken(server.services, team.workspace.id, () => Date.now() + 60 * 60 * 1000)).rejects.toThrow();
    const uninstalled = await cardRequest(`?portalId=${hubId}`);
    expect(uninstalled.body).toEqual({ state: "not_installed", detail: expect.stringContaining("reconnects") });
  });

  it("refuses a wrong secret, a tampered body, a URL on another host and a stale timestamp with 401 problems, and logs a security event in the claimed portal's workspace", async () => {
    const hubId = await connectedPortal();
    const publicUrl = server.services.config.publicUrl;
    const refusals = [
      await cardRequest(`?portalId=${hubId}`, undefined, { secret: "not-our-client-secret" }),
      await cardRequest(`?portalId=${hubId}`, undefined, { signedBody: JSON.stringify({ objectTypeId: "0-1", objectId: "102" }) }),
      await cardRequest(`?portalId=${hubId}`, undefined, { signedUrl: `https://evil.example/api/v1/hubspot/card?portalId=${hubId}` }),
      await cardRequest(`?portalId=${hubId}`, undefined, { timestamp: Date.now() - 5 * 60 * 1000 - 1000 }),
      await cardRequest(`?portalId=${hubId}`, undefined, { signedUrl: `${publicUrl}/api/v1/hubspot/card?portalId=${hubId + 1}` }),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(401);
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
      expect(refused.body).toMatchObject({ code: "unauthenticated" });
    }
    expect(refusals[3]?.body.detail).toContain("stale");
    const unsigned = await server.api("POST", `/hubspot/card?portalId=${hubId}`, { body: { objectTypeId: "0-1", objectId: "1" } });
    expect(unsigned.status).toBe(401);
    await vi.waitFor(async () => {
      const events = await server.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.action, "webhook.signature_refused")));
      expect(events.length).toBeGreaterThanOrEqual(5);
      expect(events.map((event) => (event.details as { reason: string }).reason)).toEqual(expect.arrayContaining(["mismatch", "stale", "missing"]));
      expect(events[0]?.details).toMatchObject({ source: "hubspot_card" });
    });
    // A portal nobody connected: the operator's global log.
    await cardRequest("?portalId=58888888", undefined, { secret: "forged" });
    await vi.waitFor(async () => {
      const global = await server.database.db.select().from(securityEvents).where(eq(securityEvents.kind, "webhook.signature_refused"));
      expect(global.some((event) => JSON.stringify(event.details).includes("58888888"))).toBe(true);
    });
  });

  it("answers 400 to a missing or repeated portalId, a repeated or non-numeric userId, and to a body that names no contact or deal", async () => {
    const hubId = await connectedPortal();
    expect((await cardRequest("")).status).toBe(400);
    expect((await cardRequest(`?portalId=${hubId}&portalId=59999999`)).status).toBe(400);
    expect((await cardRequest(`?portalId=${hubId}&userId=2&userId=1`)).status).toBe(400);
    expect((await cardRequest(`?portalId=${hubId}&userId=rita`)).status).toBe(400);
    expect((await cardRequest(`?portalId=${hubId}`, { objectTypeId: "0-2", objectId: "1" })).status).toBe(400);
    expect((await cardRequest(`?portalId=${hubId}`, { objectTypeId: "0-1", objectId: "1", userId: 2 })).status).toBe(400);
    expect((await cardRequest(`?portalId=${hubId}`, { objectTypeId: "0-1", objectId: "1; drop" })).status).toBe(400);
  });
});

describe("POST /hubspot/panel/session", () => {
  async function linkContext(hubId: number, record = { objectTypeId: "0-1", objectId: "101" }) {
    const answer = await cardRequest(`?portalId=${hubId}`, record);
    expect(answer.body.state).toBe("link_required");
    return contextOf(answer.body.linkUri);
  }

  it("signs the member in with email and password: a panel bearer bound to the card's record, once per context, in the activity log", async () => {
    const hubId = await connectedPortal();
    const context = await linkContext(hubId);
    const email = (await server.api("GET", "/me", { token: team.agent.token })).body.member.email;
    const session = await server.api("POST", "/hubspot/panel/session", { body: { context, email, password: testPassword } });
    expect(session.status).toBe(201);
    expect(session.body).toMatchObject({
      token: expect.stringMatching(/^sbt\./),
      member: { id: team.agent.id },
      workspace: { id: team.workspace.id },
      record: { objectTypeId: "0-1", objectId: "101" },
    });
    const me = await server.api("GET", "/me", { token: session.body.token });
    expect(me.body.member.id).toBe(team.agent.id);
    // The context is single-use.
    const again = await server.api("POST", "/hubspot/panel/session", { body: { context, email, password: testPassword } });
    expect(again.status).toBe(401);
    expect(again.body.detail).toContain("replayed");
    const entries = await server.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, team.workspace.id), eq(auditLog.action, "session.create")));
    expect(entries.some((entry) => (entry.details as { via?: string }).via === "hubspot_card")).toBe(true);
  });

  it("a wrong password keeps the context usable; a forged or expired context is refused before any password is checked", async () => {
    const hubId = await connectedPortal();
    const context = await linkContext(hubId);
    const member = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "teammate" });
    const wrong = await server.api("POST", "/hubspot/panel/session", { body: { context, email: member.email, password: "not it" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toContain("email or password");
    const right = await server.api("POST", "/hubspot/panel/session", { body: { context, email: member.email, password: testPassword } });
    expect(right.status).toBe(201);

    const otherKey = cardContextKey(Buffer.alloc(32, 9));
    const forged = await signCardContext(otherKey, { hubId, objectTypeId: "0-1", objectId: "101", hubspotUserId: null });
    const refused = await server.api("POST", "/hubspot/panel/session", { body: { context: forged, email: member.email, password: testPassword } });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toContain("bad_signature");
    const key = cardContextKey(server.services.config.encryptionKey);
    const old = await signCardContext(key, { hubId, objectTypeId: "0-1", objectId: "101", hubspotUserId: null }, new Date(Date.now() - 11 * 60 * 1000));
    const expired = await server.api("POST", "/hubspot/panel/session", { body: { context: old, email: member.email, password: testPassword } });
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain("expired");
  });

  it("a member of another workspace is 404 for this portal; a suspended member is refused", async () => {
    const hubId = await connectedPortal();
    const otherTeam = await insertTeamDirectly(server.database.db);
    const outsider = await server.api("GET", "/me", { token: otherTeam.owner.token });
    const foreign = await server.api("POST", "/hubspot/panel/session", {
      body: { context: await linkContext(hubId), email: outsider.body.member.email, password: testPassword },
    });
    expect(foreign.status).toBe(404);

    const suspended = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent", status: "suspended" });
    const locked = await server.api("POST", "/hubspot/panel/session", {
      body: { context: await linkContext(hubId), email: suspended.email, password: testPassword },
    });
    expect(locked.status).toBe(403);
    expect(locked.body.code).toBe("member_suspended");
  });

  it("goes through the login limiter: after the account's budget of failures, even the right password waits (429)", async () => {
    const hubId = await connectedPortal();
    const member = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent" });
    const context = await linkContext(hubId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const failed = await server.api("POST", "/hubspot/panel/session", { body: { context, email: member.email, password: `guess ${attempt}` } });
      expect(failed.status).toBe(401);
    }
    const limited = await server.api("POST", "/hubspot/panel/session", { body: { context, email: member.email, password: testPassword } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeTruthy();
  });
});

describe("GET /hubspot/panel/context", () => {
  async function signIn(hubId: number, member: { email?: string; token: string }, record: { objectTypeId: string; objectId: string }) {
    const answer = await cardRequest(`?portalId=${hubId}`, record);
    const email = member.email ?? (await server.api("GET", "/me", { token: member.token })).body.member.email;
    const session = await server.api("POST", "/hubspot/panel/session", { body: { context: contextOf(answer.body.linkUri), email, password: testPassword } });
    expect(session.status).toBe(201);
    return session.body.token as string;
  }

  it("reads the card's contact (or the deal's contacts) through the workspace's connection and lists only the chats the member may see", async () => {
    const hubId = await connectedPortal();
    const contact = fake.portals.addContact(hubId, { firstname: "Carla", lastname: "Client", phone: "+1 555 010 0201", mobilephone: "not a number" });
    const deal = fake.portals.addDeal(hubId, { dealname: "Big deal" }, [contact.id]);
    const account = await insertAccountDirectly(server.database.db, team.workspace, team.owner.id);
    const assigned = await insertChatDirectly(server.database.db, team.workspace, account, { phone: "+15550100201", responsibleId: team.collaborator.id });
    const other = await insertAccountDirectly(server.database.db, team.workspace, team.owner.id);
    const unassigned = await insertChatDirectly(server.database.db, team.workspace, other, { phone: "+15550100201" });

    const collaborator = await signIn(hubId, team.collaborator, { objectTypeId: "0-1", objectId: contact.id });
    const seen = await server.api("GET", "/hubspot/panel/context", { token: collaborator });
    expect(seen.status).toBe(200);
    expect(seen.body.record).toEqual({ objectTypeId: "0-1", objectId: contact.id });
    expect(seen.body.persons).toEqual([
      {
        id: contact.id,
        name: "Carla Client",
        phones: [
          { e164: "+15550100201", label: "phone", raw: "+1 555 010 0201", ref: expect.stringMatching(/^pref\./) },
          { e164: null, label: "mobile", raw: "not a number", ref: null },
        ],
      },
    ]);
    expect(seen.body.chats.map((chat: { id: string }) => chat.id)).toEqual([assigned.id]);

    const teammate = await signIn(hubId, team.teammate, { objectTypeId: "0-3", objectId: deal.id });
    const all = await server.api("GET", "/hubspot/panel/context", { token: teammate });
    expect(all.status).toBe(200);
    expect(all.body.persons.map((person: { id: string }) => person.id)).toEqual([contact.id]);
    expect(all.body.chats.map((chat: { id: string }) => chat.id).sort()).toEqual([assigned.id, unassigned.id].sort());
    // HubSpot was asked on its dated paths.
    expect(fake.controls.requests.some((request) => request.path.startsWith(`/crm/objects/2026-03/deals/${deal.id}?`))).toBe(true);
  });

  it("an Agent's panel bearer offers and sends only from their own number, as everywhere", async () => {
    const hubId = await connectedPortal();
    const contact = fake.portals.addContact(hubId, { firstname: "Ann", hs_whatsapp_phone_number: "+15550100211" });
    const own = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const owners = await insertAccountDirectly(server.database.db, team.workspace, team.owner.id);
    await insertChatDirectly(server.database.db, team.workspace, owners, { phone: "+15550100211" });
    const ownChat = await insertChatDirectly(server.database.db, team.workspace, own, { phone: "+15550100211", customerWroteAt: new Date() });
    const agent = await signIn(hubId, team.agent, { objectTypeId: "0-1", objectId: contact.id });
    const seen = await server.api("GET", "/hubspot/panel/context", { token: agent });
    expect(seen.body.accounts.map((account: { id: string }) => account.id)).toEqual([own.id]);
    expect(seen.body.chats.map((chat: { id: string }) => chat.id)).toEqual([ownChat.id]);
    const refused = await server.api("POST", "/chats", { token: agent, body: { accountId: owners.id, phone: "+15550100211", text: "Hi" } });
    expect([403, 404]).toContain(refused.status);
    const sent = await server.api("POST", `/chats/${ownChat.id}/messages`, { token: agent, body: { text: "Hi" } });
    expect(sent.status).toBe(201);
  });

  it("is 403 without a session from the card, and 404 once the record is gone", async () => {
    const hubId = await connectedPortal();
    const outside = await server.api("GET", "/hubspot/panel/context", { token: team.teammate.token });
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({ code: "crm_not_linked", missing: "hubspot_panel" });
    const gone = await signIn(hubId, team.teammate, { objectTypeId: "0-1", objectId: "404404" });
    expect((await server.api("GET", "/hubspot/panel/context", { token: gone })).status).toBe(404);
  });
});
