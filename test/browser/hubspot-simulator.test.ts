import { eq } from "drizzle-orm";
import type { FrameLocator, Page } from "playwright-core";
import { whatsappAccounts } from "../../server/db/schema";
import { demoHubspotContacts, demoHubspotPortal, demoHubspotUsers } from "../../server/demo-crm/hubspot/demo-portal";
import type { BuiltinRoleId } from "../../server/permissions";
import { logInToSection } from "../support/console";
import { type BuiltMember, insertAccountDirectly, insertChatDirectly, testPassword } from "../support/factories";
import type { TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The CRM simulator's HubSpot contact page, playing HubSpot for the demo HubSpot portal (the
// server's HubSpot app when no real one is configured): it renders the real app card
// (manifest/hubspot) through its ui-extensions host, signs the card's hubspot.fetch on the server,
// and opens the panel in a modal iframe as openIframeModal does. From an empty database (no
// HubSpot connection written anywhere): the Admin installs the app through the console and the
// portal's install page, reps link themselves on their first open of the card, and each sends only
// as their role permits; what they send is logged in the portal as a WhatsApp Communication.

const graceWhatsapp = demoHubspotContacts.grace.properties.hs_whatsapp_phone_number;
const hubspotUserOf = (roleId: BuiltinRoleId) => demoHubspotUsers.find((user) => user.roleId === roleId)?.userId as number;

type Stack = TestServer & { team: Team; lines: { owner: string; agent: string } };
const suite = webUiSuite(async (webRoot): Promise<Stack> => {
  const server = await startWebTestServer(webRoot, { DEMO_CRM: "on" }, { ownPublicUrl: true });
  const db = server.database.db;
  const team = await insertTeamDirectly(db);
  const ownerLine = await insertAccountDirectly(db, team.workspace, team.owner.id);
  const agentLine = await insertAccountDirectly(db, team.workspace, team.agent.id);
  await db.update(whatsappAccounts).set({ displayName: "Sales line" }).where(eq(whatsappAccounts.id, ownerLine.id));
  await db.update(whatsappAccounts).set({ displayName: "Agent line" }).where(eq(whatsappAccounts.id, agentLine.id));
  // Grace wrote to both lines just now (their windows are open); the Collaborator answers for the Sales line's chat.
  const customerWroteAt = new Date();
  await insertChatDirectly(db, team.workspace, ownerLine, { phone: graceWhatsapp, name: "Grace Hopper", responsibleId: team.collaborator.id, customerWroteAt });
  await insertChatDirectly(db, team.workspace, agentLine, { phone: graceWhatsapp, name: "Grace Hopper", customerWroteAt });
  return { ...server, team, lines: { owner: "Sales line", agent: "Agent line" } };
});

/** The simulator's HubSpot page on Grace Hopper's contact, as the HubSpot user of the member with `roleId`. */
async function openContactAs(roleId: BuiltinRoleId): Promise<Page> {
  const page = await suite.newPage();
  await page.goto(`${suite.server.url}/simulator/hubspot/?objectTypeId=0-1&objectId=${demoHubspotContacts.grace.id}&userId=${hubspotUserOf(roleId)}`);
  return page;
}

/** First open of the card: it asks to sign in once; the modal's Switchboard sign-in links the HubSpot user; the panel opens there. */
async function linkFromCard(page: Page, member: BuiltMember, roleId: BuiltinRoleId): Promise<FrameLocator> {
  const card = page.getByRole("region", { name: "WhatsApp card" });
  await card.getByRole("button", { name: "Sign in to Switchboard" }).click();
  const modal = page.getByRole("dialog", { name: "Sign in to Switchboard" });
  await modal.waitFor();
  const frame = page.frameLocator('iframe[name="hubspot-modal"]');
  await frame.getByLabel("Email").fill(member.email);
  await frame.getByLabel("Password").fill(testPassword);
  await frame.getByRole("button", { name: "Sign in" }).click();
  await frame.getByRole("main", { name: "Switchboard WhatsApp" }).getByText(`The ${roleId}`).first().waitFor();
  return frame;
}

const chatButtons = (frame: FrameLocator) => frame.getByRole("list", { name: "Chats" }).getByRole("button");
const fromOptions = (frame: FrameLocator) => frame.getByLabel("From").locator("option").allTextContents();

describe("the simulator's HubSpot contact page on the demo portal", () => {
  it("the Admin installs the app from an empty database: Integrations, HubSpot's install page as the account's super admin, back connected", async () => {
    const { server } = suite;
    expect(server.services.config.hubspot.usesDemoPortal).toBe(true);
    const before = await openContactAs("agent");
    await before.getByRole("region", { name: "WhatsApp card" }).getByText("Switchboard is not connected to this HubSpot account").waitFor();

    const page = await logInToSection(await suite.newPage(), server.url, server.team.admin, "Integrations");
    const hubspotCard = page.getByRole("region", { name: "HubSpot account" });
    await hubspotCard.getByText("Not connected.").waitFor();
    await hubspotCard.getByRole("button", { name: "Connect HubSpot" }).click();
    await page.getByRole("heading", { name: "Demo HubSpot" }).waitFor();
    await page
      .getByRole("listitem")
      .filter({ hasText: `account ${demoHubspotPortal.hubId}` })
      .getByRole("link", { name: "Demo Owner" })
      .click();
    await page.waitForURL(/#\/integrations\?hubspot=connected/);
    await hubspotCard.getByText(demoHubspotPortal.domain).waitFor();
    expect(await page.getByTestId("hubspot-status").textContent()).toBe("Connected");
  });

  it("an Agent links on first open of the card, sends only from their own number, and the message is logged in HubSpot as a WhatsApp Communication on the contact", async () => {
    const { server } = suite;
    const page = await openContactAs("agent");
    const frame = await linkFromCard(page, server.team.agent, "agent");
    await expect.poll(() => chatButtons(frame).count()).toBe(1);
    await chatButtons(frame).first().click();
    expect(await fromOptions(frame)).toEqual([expect.stringContaining(server.lines.agent)]);
    await frame.getByLabel("Message", { exact: true }).fill("Hello Grace, from HubSpot");
    await frame.getByRole("button", { name: "Send", exact: true }).click();
    await frame.getByRole("status").filter({ hasText: "WhatsApp message sent" }).waitFor();

    // The portal holds it as HubSpot would show it: a WhatsApp Communication logged from the CRM, on Grace's contact (81).
    const portal = server.services.demoHubspot?.portals.portal(demoHubspotPortal.hubId);
    const logged = () =>
      [...(portal?.communications.values() ?? [])].filter((item) => item.properties.hs_communication_body?.includes("Hello Grace, from HubSpot"));
    await expect.poll(() => logged().length, { timeout: 30_000 }).toBe(1);
    expect(logged()[0]).toMatchObject({
      properties: { hs_communication_channel_type: "WHATS_APP", hs_communication_logged_from: "CRM" },
      associations: [{ toObjectType: "contacts", id: demoHubspotContacts.grace.id, associationTypeId: 81 }],
    });
    // …and the contact page's activities show it.
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await page.getByRole("complementary", { name: "Activities" }).getByText("Hello Grace, from HubSpot").waitFor();
  });

  it("a linked Agent's card is ready at the next open: their chats and only their number, and Open conversation goes straight to the panel", async () => {
    const { server } = suite;
    const page = await openContactAs("agent");
    const card = page.getByRole("region", { name: "WhatsApp card" });
    await card.getByText(new RegExp(`You can write from ${server.lines.agent}[^,]*\\.`)).waitFor();
    await card.getByRole("button", { name: "Open conversation" }).click();
    const frame = page.frameLocator('iframe[name="hubspot-modal"]');
    await frame.getByRole("main", { name: "Switchboard WhatsApp" }).getByText("The agent").first().waitFor();
  });

  it("a Collaborator links on first open and sees only the chat they are responsible for", async () => {
    const { server } = suite;
    const page = await openContactAs("collaborator");
    const frame = await linkFromCard(page, server.team.collaborator, "collaborator");
    await expect.poll(() => chatButtons(frame).count()).toBe(1);
    await chatButtons(frame).first().click();
    expect(await fromOptions(frame)).toEqual([expect.stringContaining(server.lines.owner)]);
  });

  it("a Teammate links on first open and may pick any account to send from", async () => {
    const { server } = suite;
    const page = await openContactAs("teammate");
    const frame = await linkFromCard(page, server.team.teammate, "teammate");
    await expect.poll(() => chatButtons(frame).count()).toBe(2);
    await chatButtons(frame).first().click();
    const options = await fromOptions(frame);
    expect(options).toHaveLength(2);
    expect(options).toEqual(expect.arrayContaining([expect.stringContaining(server.lines.owner), expect.stringContaining(server.lines.agent)]));
  });
});
