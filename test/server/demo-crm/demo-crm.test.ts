import { and, eq } from "drizzle-orm";
import { chats, pipedriveConnections, pipedriveInstallations, pipedriveUserLinks } from "../../../server/db/schema";
import { DemoJourneyError } from "../../../server/demo/browser";
import { connectDemoCrms, startDemo } from "../../../server/demo/start";
import { demoCrmPeople } from "../../../server/demo-crm/company";
import { loadWorkspaceConnection } from "../../../server/pipedrive/connections";
import { openPipedriveTokens, sealPipedriveTokens } from "../../../server/pipedrive/token-storage";
import { type DemoServer, startDemoServer } from "../../support/demo";
import { testPasswordCost } from "../../support/server";
import { eventually } from "../../support/sse";

// The development demo CRM on a server seeded like `npm start`: the demo workspace connected to it,
// the panel reading its deal, logging writing its notes, and the official client refreshing there.

let server: DemoServer;
let workspaceId: string;
beforeAll(async () => {
  server = await startDemoServer();
  const [connection] = await server.database.db.select().from(pipedriveConnections);
  workspaceId = connection?.workspaceId as string;
});
afterAll(() => server.close());

const demoCrmUrl = () => `${server.url}/dev/demo-crm`;
const servingInstallation = async () => (await loadWorkspaceConnection(server.database.db, workspaceId))?.installation;
const graceWorkPhone = "+15550100999";

describe("the demo workspace's connection to the demo CRM", () => {
  it("is the company 67890 at the demo CRM's address, with tokens encrypted at rest", async () => {
    const connection = await loadWorkspaceConnection(server.database.db, workspaceId);
    expect(connection).toMatchObject({ companyId: 67890, pipedriveUserId: 101, status: "connected" });
    const row = connection?.installation;
    expect(row).toMatchObject({ companyId: 67890, pipedriveUserId: 101, apiDomain: demoCrmUrl(), status: "connected" });
    const tokens = openPipedriveTokens(server.services.config.encryptionKey, row as NonNullable<typeof row>);
    expect(row?.accessTokenEncrypted).not.toContain(tokens.accessToken);
    expect(row?.refreshTokenEncrypted).not.toContain(tokens.refreshToken);
    const integrations = await server.api("GET", "/integrations", { token: await server.login("owner") });
    expect(integrations.body.pipedrive).toMatchObject({ status: "connected", companyId: 67890, companyDomain: "demo" });
  });

  it("maps Pipedrive users 101–105 to the Owner, Admin, Teammate, Agent and Collaborator; all but the Collaborator connected their own", async () => {
    for (const [roleId, userId] of [
      ["owner", 101],
      ["admin", 102],
      ["teammate", 103],
      ["agent", 104],
      ["collaborator", 105],
    ] as const) {
      const me = await server.api("GET", "/me", { token: await server.panelLogin(roleId) });
      expect(me.body.member, roleId).toMatchObject({ roleId, name: `Demo ${roleId[0]?.toUpperCase()}${roleId.slice(1)}` });
      const own = await server.api("GET", "/me/integrations", { token: await server.login(roleId) });
      expect(own.body.pipedrive, roleId).toEqual(
        roleId === "collaborator"
          ? { status: "not_connected", pipedriveUserId: null, workspace: { status: "connected" } }
          : expect.objectContaining({ status: "connected", pipedriveUserId: userId }),
      );
    }
    const links = await server.database.db.select().from(pipedriveUserLinks).where(eq(pipedriveUserLinks.workspaceId, workspaceId));
    expect(links.map((link) => link.pipedriveUserId).sort()).toEqual([101, 102, 103, 104, 105]);
  });

  it("was made the way people make it: each signed in, asked for the connect link, allowed on the consent page, and the callback exchanged the code", async () => {
    // The demo CRM exchanged one authorization code per consent: the Owner's for the workspace,
    // then the Owner's, Admin's, Teammate's and Agent's own.
    expect(server.services.demoCrm?.codeExchanges.map((exchange) => exchange.userId)).toEqual([101, 101, 102, 103, 104]);
    const owner = await server.login("owner");
    const ownerId = (await server.api("GET", "/me", { token: owner })).body.member.id;
    const connects = await server.api("GET", "/audit-log?action=pipedrive.connect", { token: owner });
    // Written by the callback, as when a human clicks through: by the Owner, from an address, with what Pipedrive granted.
    expect(connects.body.data).toEqual([
      expect.objectContaining({
        actorId: ownerId,
        targetId: "67890",
        ip: expect.any(String),
        details: { companyDomain: "demo", pipedriveUserId: 101, scope: expect.stringContaining("deals:full") },
      }),
    ]);
    const own = await server.api("GET", "/audit-log?action=pipedrive.connect_individual", { token: owner });
    expect(own.body.data.map((entry: { details: { pipedriveUserId: number } }) => entry.details.pipedriveUserId).sort()).toEqual([101, 102, 103, 104]);
    // The Collaborator, who may not connect their own, was mapped by the Owner on the Integrations API.
    const mapped = await server.api("GET", "/audit-log?action=pipedrive.user_map", { token: owner });
    expect(mapped.body.data).toEqual([expect.objectContaining({ actorId: ownerId, targetId: "105" })]);
  });

  it("is left as it is by the next start, and re-pointed when the server's address changed", async () => {
    const exchanges = server.services.demoCrm?.codeExchanges.length;
    expect((await startDemo(server.services, testPasswordCost, server.url)).demoCrm).toBe("unchanged");
    expect(server.services.demoCrm?.codeExchanges.length).toBe(exchanges);
    const db = server.database.db;
    // As a data directory from a start on another PORT holds it.
    await db.update(pipedriveInstallations).set({ apiDomain: "http://localhost:1/dev/demo-crm" });
    expect((await startDemo(server.services, testPasswordCost, server.url)).demoCrm).toBe("refreshed");
    expect((await loadWorkspaceConnection(db, workspaceId))?.installation?.apiDomain).toBe(demoCrmUrl());
    const individual = await db.select({ apiDomain: pipedriveInstallations.apiDomain }).from(pipedriveInstallations);
    expect(new Set(individual.map((row) => row.apiDomain))).toEqual(new Set([demoCrmUrl()]));
  });

  it("says which step failed when the journey can't be made, and consents to nothing", async () => {
    const db = server.database.db;
    const before = await db.select().from(pipedriveInstallations);
    const exchanges = server.services.demoCrm?.codeExchanges.length;
    await db.update(pipedriveInstallations).set({ apiDomain: "http://localhost:1/dev/demo-crm" });
    // Nothing listens there: the Owner's sign-in is the step that fails.
    const refused = connectDemoCrms(server.services, "http://127.0.0.1:1");
    await expect(refused).rejects.toThrow(DemoJourneyError);
    await expect(refused).rejects.toThrow(/POST \/api\/v1\/sessions at http:\/\/127\.0\.0\.1:1: fetch failed/);
    expect(server.services.demoCrm?.codeExchanges.length).toBe(exchanges);
    for (const row of before) {
      await db
        .update(pipedriveInstallations)
        .set({ apiDomain: row.apiDomain })
        .where(and(eq(pipedriveInstallations.companyId, row.companyId), eq(pipedriveInstallations.pipedriveUserId, row.pipedriveUserId)));
    }
    expect((await startDemo(server.services, testPasswordCost, server.url)).demoCrm).toBe("unchanged");
  });
});

describe("the panel and logging against the demo CRM", () => {
  it("reads deal 1: Grace Hopper's numbers, the Agent's chat with her and only the Agent's line", async () => {
    const context = await server.api("GET", "/panel/pipedrive/context?resource=deal&id=1", { token: await server.panelLogin("agent") });
    expect(context.status).toBe(200);
    expect(context.body.persons).toEqual([
      {
        id: demoCrmPeople.grace.id,
        name: "Grace Hopper",
        phones: [
          // Each record phone carries an opaque ref a member without contacts.view_numbers starts a chat with.
          { e164: "+442079460958", label: "mobile", raw: "+44 20 7946 0958", ref: expect.stringMatching(/^pref\.v1\./) },
          { e164: graceWorkPhone, label: "work", raw: "+1 (555) 010-0999", ref: expect.stringMatching(/^pref\.v1\./) },
        ],
      },
    ]);
    expect(context.body.chats.map((chat: { contact: { phone: string } }) => chat.contact.phone)).toEqual([graceWorkPhone]);
    expect(context.body.accounts.map((account: { displayName: string }) => account.displayName)).toEqual(["Agent's line"]);
  });

  it("logs a sent message as a note under the member's own Pipedrive user, moved onto the deal when the panel links the chat", async () => {
    const agent = await server.panelLogin("agent");
    const [chat] = await server.database.db
      .select({ id: chats.id })
      .from(chats)
      .where(and(eq(chats.workspaceId, workspaceId), eq(chats.contactPhone, graceWorkPhone)));
    const sent = await server.api("POST", `/chats/${chat?.id}/messages`, { token: agent, body: { text: "Slots: Tuesday 10:00 or Wednesday 14:00." } });
    expect(sent.status).toBe(201);
    const note = await eventually(() => {
      const found = server.services.demoCrm?.notes.find((candidate) => candidate.content.includes("Slots: Tuesday 10:00 or Wednesday 14:00."));
      if (!found) throw new Error("no note yet");
      return found;
    }, 20_000);
    expect(note).toMatchObject({ userId: 104, personId: demoCrmPeople.grace.id });

    const linked = await server.api("PUT", `/panel/pipedrive/chats/${chat?.id}/link`, { token: agent, body: { personId: demoCrmPeople.grace.id, dealId: 1 } });
    expect(linked.status).toBe(200);
    await eventually(() => expect(note.dealId).toBe(1), 20_000);
    expect(server.services.demoCrm?.notes.filter((candidate) => candidate.content.includes("Slots: Tuesday"))).toHaveLength(1);

    const record = await server.api("GET", "/dev/simulator/record?resource=deal&id=1");
    expect(record.body.notes[0]).toMatchObject({ id: note.id, author: "Demo Agent", onDeal: 1, html: expect.stringContaining("Slots: Tuesday") });
  });

  it("refreshes an expired token, and one the demo CRM refuses, through its OAuth server", async () => {
    const db = server.database.db;
    const key = server.services.config.encryptionKey;
    const before = openPipedriveTokens(key, (await servingInstallation()) as NonNullable<Awaited<ReturnType<typeof servingInstallation>>>);
    const owner = await server.panelLogin("owner");
    const readDeal = () => server.api("GET", "/panel/pipedrive/context?resource=deal&id=1", { token: owner });

    // Our own clock says it expired: refreshed before the call.
    await db
      .update(pipedriveInstallations)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(and(eq(pipedriveInstallations.companyId, 67890), eq(pipedriveInstallations.pipedriveUserId, 101)));
    expect((await readDeal()).status).toBe(200);
    const afterExpiry = openPipedriveTokens(key, (await servingInstallation()) as NonNullable<Awaited<ReturnType<typeof servingInstallation>>>);
    expect(afterExpiry.accessToken).not.toBe(before.accessToken);
    expect(afterExpiry.refreshToken).toBe(before.refreshToken);
    expect(afterExpiry.expiresAt.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);

    // The demo CRM answers 401 to a token it didn't issue: refreshed, then the call is retried.
    const sealed = sealPipedriveTokens(key, { ...afterExpiry, accessToken: "dcrm.forged.token" });
    await db
      .update(pipedriveInstallations)
      .set(sealed)
      .where(and(eq(pipedriveInstallations.companyId, 67890), eq(pipedriveInstallations.pipedriveUserId, 101)));
    expect((await readDeal()).status).toBe(200);
    const row = await servingInstallation();
    expect(row?.status).toBe("connected");
    expect(openPipedriveTokens(key, row as NonNullable<typeof row>).accessToken).not.toBe("dcrm.forged.token");
  });
});

describe("the demo CRM's own checks", () => {
  it("refuses API calls without a token it issued, and token requests from another client", async () => {
    expect((await fetch(`${demoCrmUrl()}/api/v1/users/me`)).status).toBe(401);
    expect((await fetch(`${demoCrmUrl()}/api/v1/users/me`, { headers: { authorization: "Bearer dcrm.e30.forged" } })).status).toBe(401);
    const wrongClient = await fetch(`${demoCrmUrl()}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from("someone:else").toString("base64")}` },
      body: "grant_type=refresh_token&refresh_token=x",
    });
    expect(wrongClient.status).toBe(401);
    expect(await wrongClient.json()).toMatchObject({ error: "invalid_client" });
  });

  it("lets a member connect their own Pipedrive user through its consent page", async () => {
    const teammate = await server.login("teammate");
    expect((await server.api("DELETE", "/me/integrations/pipedrive", { token: teammate })).status).toBe(204);
    const started = await server.api("POST", "/me/integrations/pipedrive/connect", { token: teammate });
    // The link passes through Switchboard, which gives this browser the cookie the callback checks.
    const opened = await fetch(started.body.authorizeUrl, { redirect: "manual" });
    const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const authorizeUrl = opened.headers.get("location") as string;
    expect(authorizeUrl).toMatch(new RegExp(`^${demoCrmUrl()}/oauth/authorize\\?`));

    // The consent page is a form; pressing "Demo Teammate" posts its fields with user=103.
    const consent = await (await fetch(authorizeUrl)).text();
    expect(consent).toContain('<button type="submit" name="user" value="103">Demo Teammate</button>');
    const fields = [...consent.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [
      match[1] as string,
      (match[2] as string).replace(/&amp;/g, "&"),
    ]);
    const allowed = await fetch(new URL("authorize", authorizeUrl), {
      method: "POST",
      body: new URLSearchParams([...fields, ["user", "103"]]),
      redirect: "manual",
    });
    expect(allowed.status).toBe(302);
    const callback = await fetch(allowed.headers.get("location") as string, { redirect: "manual", headers: { cookie } });
    expect(callback.headers.get("location")).toContain("pipedrive=connected");

    const own = await server.api("GET", "/me/integrations", { token: teammate });
    expect(own.body.pipedrive).toMatchObject({ status: "connected", pipedriveUserId: 103, name: "Demo Teammate" });
  });
});

describe("disconnecting from the demo CRM", () => {
  it("revokes at its /oauth/revoke, as at Pipedrive: the disconnect records the revoke, and the demo CRM then refuses that user's tokens", async () => {
    const [own] = await server.database.db
      .select()
      .from(pipedriveInstallations)
      .where(and(eq(pipedriveInstallations.companyId, 67890), eq(pipedriveInstallations.pipedriveUserId, 103)));
    if (!own) throw new Error("the Teammate's own installation is not seeded");
    const tokens = openPipedriveTokens(server.services.config.encryptionKey, own);
    expect((await fetch(`${demoCrmUrl()}/api/v1/users/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status).toBe(200);

    const disconnected = await server.api("DELETE", "/me/integrations/pipedrive", { token: await server.login("teammate") });
    expect(disconnected.status).toBe(204);
    const log = await server.api("GET", "/audit-log?action=pipedrive.disconnect_individual", { token: await server.login("owner") });
    expect(log.body.data[0]).toMatchObject({ details: { pipedriveUserId: 103, revokes: [{ pipedriveUserId: 103, revoked: true }] } });

    const { clientId, clientSecret } = server.services.config.demoCrm;
    const refresh = await fetch(`${demoCrmUrl()}/oauth/token`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refreshToken }),
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: "invalid_grant" });
    expect((await fetch(`${demoCrmUrl()}/api/v1/users/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status).toBe(401);
  });
});
