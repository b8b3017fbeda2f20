import type { Page } from "playwright-core";
import { connectThroughHubspot, hubspotConfigFor, newPortal, signedCardRequest, startHubspotFakeForServer } from "../server/hubspot/support";
import { logInToSection } from "../support/console";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The console's Integrations page connecting HubSpot: Connect, HubSpot's install page (the strict
// fake, as a browser sees it), back on Integrations. Nothing is written into storage by the test.
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

async function adminOnIntegrations(before?: (workspace: { id: string }) => Promise<void>): Promise<{ page: Page; admin: BuiltMember }> {
  const db = suite.server.database.db;
  const workspace = await insertWorkspaceDirectly(db);
  await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olive Owner" });
  const admin = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Ada Admin" });
  await before?.(workspace);
  const page = await logInToSection(await suite.newPage(), suite.server.url, admin, "Integrations");
  return { page, admin };
}

describe("Integrations page: HubSpot", () => {
  it("an Admin connects the HubSpot account through HubSpot's install page as its super admin, sees it connected, and disconnects after confirming", async () => {
    if (!hubspot) throw new Error("the suite starts a fake HubSpot");
    const hubId = newPortal(hubspot);
    const { page } = await adminOnIntegrations();
    const card = page.getByRole("region", { name: "HubSpot account" });
    await card.getByText("Not connected.").waitFor();
    await card.getByRole("button", { name: "Connect HubSpot" }).click();

    // HubSpot's install page: pick the account, as its super admin.
    await page.getByRole("heading", { name: "Demo HubSpot" }).waitFor();
    await page
      .getByRole("listitem")
      .filter({ hasText: `account ${hubId}` })
      .getByRole("link", { name: "Sam Super" })
      .click();
    await page.waitForURL(/#\/integrations\?hubspot=connected/);
    await page.getByRole("status").filter({ hasText: "HubSpot is connected to this workspace." }).waitFor();
    await card.getByText(`acme-${hubId}.hubspot.com`).waitFor();
    expect(await page.getByTestId("hubspot-connected-by").textContent()).toContain("Ada Admin");
    expect(await page.getByTestId("hubspot-status").textContent()).toBe("Connected");

    await card.getByRole("button", { name: "Disconnect HubSpot" }).click();
    await card.getByRole("group", { name: "Disconnect HubSpot from this workspace?" }).getByRole("button", { name: "Yes, disconnect" }).click();
    await card.getByText("Not connected.").waitFor();
  });

  it("a HubSpot user who is not a super admin gets HubSpot's refusal, and the workspace stays unconnected", async () => {
    if (!hubspot) throw new Error("the suite starts a fake HubSpot");
    const hubId = newPortal(hubspot);
    const { page } = await adminOnIntegrations();
    await page.getByRole("region", { name: "HubSpot account" }).getByRole("button", { name: "Connect HubSpot" }).click();
    await page
      .getByRole("listitem")
      .filter({ hasText: `account ${hubId}` })
      .getByRole("link", { name: "Rita Rep" })
      .click();
    await page.getByRole("heading", { name: "You can't install this app" }).waitFor();
    await page.goto(`${suite.server.url}/#/integrations`);
    await page.getByRole("region", { name: "HubSpot account" }).getByText("Not connected.").waitFor();
  });

  it("lists each member's link to their HubSpot user, made from the card's sign-in, and an Admin removes one", async () => {
    const fake = hubspot;
    if (!fake) throw new Error("the suite starts a fake HubSpot");
    const server = suite.server;
    const hubId = newPortal(fake);
    const { page } = await adminOnIntegrations(async (workspace) => {
      const connector = await insertMemberDirectly(server.database.db, workspace, { roleId: "admin", name: "Carl Connector" });
      await connectThroughHubspot(server, fake, connector.token, hubId);
      const agent = await insertMemberDirectly(server.database.db, workspace, { roleId: "agent", name: "Alan Agent" });
      // Alan opens the card as HubSpot user 2 and signs in in its modal.
      const card = await signedCardRequest(server, fake, `?portalId=${hubId}&userId=2`, { objectTypeId: "0-1", objectId: "1" });
      const context = new URL(card.body.linkUri).hash.slice(1);
      const session = await server.api("POST", "/hubspot/panel/session", { body: { context, email: agent.email, password: testPassword } });
      expect(session.body.hubspotLink.status).toBe("linked");
    });
    const links = page.getByRole("region", { name: "HubSpot account" }).getByRole("table", { name: "HubSpot links" });
    const alan = links.getByRole("row").filter({ hasText: "Alan Agent" });
    await alan.getByText("Connected (HubSpot user 2)").waitFor();
    await links.getByRole("row").filter({ hasText: "Olive Owner" }).getByText("Missing").waitFor();
    await alan.getByRole("button", { name: "Remove link" }).click();
    await alan.getByText("Missing").waitFor();
  });
});
