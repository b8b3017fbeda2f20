import { and, eq } from "drizzle-orm";
import { messages } from "../../server/db/schema";
import { hubspotSignatureV3 } from "../../server/hubspot/signature";
import { connectThroughHubspot, hubspotConfigFor, newPortal, startHubspotFakeForServer } from "../server/hubspot/support";
import { insertAccountDirectly, insertChatDirectly, insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import type { TestServer } from "../support/server";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The page HubSpot's card opens in its modal: the card's signed request answers a sign-in link,
// the member signs in with their Switchboard email and password, sees the contact's chats they
// may see and replies. The portal is connected through the fake HubSpot's install page.
let hubspot: Awaited<ReturnType<typeof startHubspotFakeForServer>> | undefined;
const suite = webUiSuite(async (webRoot) => {
  hubspot = await startHubspotFakeForServer();
  const server = await startWebTestServer(webRoot, hubspotConfigFor(hubspot), { ownPublicUrl: true });
  hubspot.registerServer(server);
  return {
    ...server,
    async close() {
      await server.close();
      await hubspot?.close();
    },
  };
});

/** What HubSpot's proxy sends for the card on a record: signed with the app's client secret. */
async function cardAnswer(server: TestServer, clientSecret: string, hubId: number, record: { objectTypeId: string; objectId: string }, userId?: number) {
  const url = `${server.services.config.publicUrl}/api/v1/hubspot/card?portalId=${hubId}${userId === undefined ? "" : `&userId=${userId}`}`;
  const body = JSON.stringify(record);
  const timestamp = String(Date.now());
  const signature = hubspotSignatureV3(clientSecret, { method: "POST", uri: url, body, timestamp });
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": timestamp },
    body,
  });
  return (await response.json()) as { state: string; linkUri: string; conversationUri: string; chats: { id: string }[] };
}

describe("HubSpot modal page (/hubspot/)", () => {
  it("a Collaborator signs in from the card's link, sees only the chat they are responsible for on the contact, and replies in it", async () => {
    if (!hubspot) throw new Error("the suite starts a fake HubSpot");
    const server = suite.server;
    const db = server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    await insertMemberDirectly(db, workspace, { roleId: "owner" });
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin" });
    const collaborator = await insertMemberDirectly(db, workspace, { roleId: "collaborator", name: "Cole Collaborator" });
    const hubId = newPortal(hubspot);
    const connected = await connectThroughHubspot(server, hubspot, admin.token, hubId);
    expect(connected.landing?.hash).toContain("hubspot=connected");
    const contact = hubspot.portals.addContact(hubId, { firstname: "Carla", lastname: "Client", mobilephone: "+1 555 010 0301" });
    const line = await insertAccountDirectly(db, workspace, admin.id);
    const mine = await insertChatDirectly(db, workspace, line, {
      phone: "+15550100301",
      name: "Carla",
      responsibleId: collaborator.id,
      customerWroteAt: new Date(),
    });
    const otherLine = await insertAccountDirectly(db, workspace, admin.id);
    await insertChatDirectly(db, workspace, otherLine, { phone: "+15550100301", name: "Carla elsewhere", customerWroteAt: new Date() });

    const card = await cardAnswer(server, hubspot.app.clientSecret, hubId, { objectTypeId: "0-1", objectId: contact.id });
    expect(card.state).toBe("link_required");
    const page = await suite.newPage();
    const framing = await page.goto(card.linkUri);
    expect(framing?.headers()["content-security-policy"]).toContain("frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com");
    // The context left the address bar once read.
    expect(new URL(page.url()).hash).toBe("");

    await page.getByLabel("Email").fill(collaborator.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "email or password" }).waitFor();
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Sign in" }).click();

    const panel = page.getByRole("main", { name: "Switchboard WhatsApp" });
    await panel.getByText("Cole Collaborator").waitFor();
    await panel.getByRole("list", { name: "People" }).getByText("Carla Client").waitFor();
    const chatList = panel.getByRole("list", { name: "Chats" });
    await chatList.getByRole("button").first().waitFor();
    expect(await chatList.getByRole("button").count()).toBe(1);
    expect(await chatList.textContent()).not.toContain("Carla elsewhere");

    await chatList.getByRole("button").first().click();
    await panel.getByLabel("Message", { exact: true }).fill("Hello from HubSpot");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "WhatsApp message sent" }).waitFor();
    const sent = await db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, workspace.id), eq(messages.chatId, mine.id), eq(messages.direction, "out")));
    expect(sent.map((message) => message.text)).toEqual(["Hello from HubSpot"]);
  });

  it("an Agent links their HubSpot user on first open; then the card's Open conversation opens the panel without a sign-in, and a customer's message arrives live", async () => {
    if (!hubspot) throw new Error("the suite starts a fake HubSpot");
    const server = suite.server;
    const db = server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    await insertMemberDirectly(db, workspace, { roleId: "owner" });
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin" });
    const agent = await insertMemberDirectly(db, workspace, { roleId: "agent", name: "Ada Agent" });
    const hubId = newPortal(hubspot);
    await connectThroughHubspot(server, hubspot, admin.token, hubId);
    const contact = hubspot.portals.addContact(hubId, { firstname: "Lena", lastname: "Live", phone: "+15550100341" });
    const line = await insertAccountDirectly(db, workspace, agent.id);
    const chat = await insertChatDirectly(db, workspace, line, { phone: "+15550100341", name: "Lena", customerWroteAt: new Date() });
    const record = { objectTypeId: "0-1", objectId: contact.id };

    const first = await cardAnswer(server, hubspot.app.clientSecret, hubId, record, 2);
    expect(first.state).toBe("link_required");
    const signIn = await suite.newPage();
    await signIn.goto(first.linkUri);
    await signIn.getByLabel("Email").fill(agent.email);
    await signIn.getByLabel("Password").fill(testPassword);
    await signIn.getByRole("button", { name: "Sign in" }).click();
    await signIn.getByText("Your HubSpot user is linked to your Switchboard account").waitFor();

    const ready = await cardAnswer(server, hubspot.app.clientSecret, hubId, record, 2);
    expect(ready.state).toBe("ready");
    expect(ready.chats.map((candidate) => candidate.id)).toEqual([chat.id]);
    const page = await suite.newPage();
    await page.goto(ready.conversationUri);
    expect(new URL(page.url()).hash).toBe("");
    const panel = page.getByRole("main", { name: "Switchboard WhatsApp" });
    await panel.getByText("Ada Agent").waitFor();
    const chatList = panel.getByRole("list", { name: "Chats" });
    await chatList.getByRole("button").first().click();
    const inbound = await server.api("POST", `/whatsapp-accounts/${line.id}/sandbox/inbound`, {
      token: agent.token,
      body: { from: "+15550100341", text: "Arrived while you were looking" },
    });
    expect(inbound.status).toBe(201);
    // Live: in the chat list's preview and in the open chat's history, with no reload.
    await expect.poll(() => panel.getByText("Arrived while you were looking").count(), { timeout: 15_000 }).toBe(2);
  });

  it("without the card's context the page says to open it from HubSpot", async () => {
    const page = await suite.newPage();
    await page.goto(`${suite.server.url}/hubspot/`);
    await page.getByRole("heading", { name: "Open this page from HubSpot" }).waitFor();
  });
});
