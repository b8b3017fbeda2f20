import { demoHubspotContacts, demoHubspotPortal, demoHubspotUsers } from "../../../server/demo-crm/hubspot/demo-portal";
import { verifyHubspotSignatureV3 } from "../../../server/hubspot/signature";
import { startTestServer, type TestServer } from "../../support/server";

// The CRM simulator's HubSpot page asks the server for HubSpot's part: the demo portal's record and
// users, and the card's hubspot.fetch signed with the app's client secret, which never leaves the
// server. The signer exists only while the demo portal is the server's HubSpot app.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ DEMO_CRM: "on" }, { ownPublicUrl: true });
}, 180_000);
afterAll(() => server.close());

const agent = demoHubspotUsers.find((user) => user.roleId === "agent");
const cardUrl = "https://switchboard.example.com/api/v1/hubspot/card";
const signRequest = (body: Record<string, unknown>) =>
  server.api("POST", "/dev/simulator/hubspot/sign", {
    body: { url: cardUrl, method: "POST", portalId: demoHubspotPortal.hubId, userId: agent?.userId, ...body },
  });

describe("the simulator's HubSpot routes", () => {
  it("show the demo portal's contact and its users", async () => {
    const answer = await server.api("GET", `/dev/simulator/hubspot/record?objectTypeId=0-1&objectId=${demoHubspotContacts.grace.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      hubId: demoHubspotPortal.hubId,
      record: { objectTypeId: "0-1", objectId: demoHubspotContacts.grace.id, properties: { firstname: "Grace", lastname: "Hopper" } },
      communications: [],
    });
    expect(answer.body.personas).toHaveLength(demoHubspotUsers.length);
    expect((await server.api("GET", "/dev/simulator/hubspot/record?objectTypeId=0-1&objectId=999")).status).toBe(404);
  });

  it("sign a card request as HubSpot's proxy: to this server, with the user and portal appended, under the app's secret, and the card endpoint accepts it", async () => {
    const signed = await signRequest({ body: { objectTypeId: "0-1", objectId: demoHubspotContacts.grace.id } });
    expect(signed.status).toBe(200);
    const { path, headers, body } = signed.body as { path: string; headers: Record<string, string>; body: string };
    const query = new URL(path, server.url).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      userId: String(agent?.userId),
      userEmail: agent?.email,
      appId: expect.any(String),
      portalId: String(demoHubspotPortal.hubId),
    });
    const check = verifyHubspotSignatureV3(server.services.config.hubspot.clientSecret as string, {
      method: "POST",
      uri: `${server.services.config.publicUrl}${path}`,
      body,
      signature: headers["x-hubspot-signature-v3"],
      timestamp: headers["x-hubspot-request-timestamp"],
    });
    expect(check).toEqual({ ok: true });
    const card = await fetch(`${server.url}${path}`, { method: "POST", headers, body });
    expect(card.status).toBe(200);
    expect(await card.json()).toMatchObject({ state: "not_installed" });
  });

  it("refuse what HubSpot would not sign for this app: another path, another account or user", async () => {
    expect((await signRequest({ url: "https://switchboard.example.com/api/v1/chats" })).status).toBe(403);
    expect((await signRequest({ portalId: 1 })).status).toBe(403);
    expect((await signRequest({ userId: 1 })).status).toBe(403);
  });

  it("have no signer when the server has a HubSpot app of its own", async () => {
    const withApp = await startTestServer({ DEMO_CRM: "on", HUBSPOT_CLIENT_ID: "real-app", HUBSPOT_CLIENT_SECRET: "real-secret" });
    try {
      expect(withApp.services.config.hubspot.usesDemoPortal).toBe(false);
      const answer = await withApp.api("POST", "/dev/simulator/hubspot/sign", {
        body: { url: cardUrl, method: "POST", portalId: demoHubspotPortal.hubId, userId: agent?.userId },
      });
      expect(answer.status).toBe(404);
    } finally {
      await withApp.close();
    }
  });
});
