import type { Page } from "playwright-core";
import { logInToSection } from "../support/console";
import { type BuiltMember, type BuiltWorkspace, insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The console's Integrations page against the demo CRM (Pipedrive's OAuth server and API as the
// app uses them, served by the app itself): nothing is connected until someone presses Connect and
// allows on the consent page. One workspace for the file: the demo CRM is one Pipedrive company,
// and a company belongs to one workspace.

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot, { DEMO_CRM: "on" }, { ownPublicUrl: true }));

let team: { workspace: BuiltWorkspace; admin: BuiltMember; agent: BuiltMember } | undefined;
async function theTeam() {
  if (!team) {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olive Owner" });
    team = {
      workspace,
      admin: await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Ada Admin" }),
      agent: await insertMemberDirectly(db, workspace, { roleId: "agent", name: "Axel Agent" }),
    };
  }
  return team;
}

const logInToIntegrations = async (member: { email: string }): Promise<Page> => logInToSection(await suite.newPage(), suite.server.url, member, "Integrations");

/** On the demo CRM's consent page, allows as this demo user; Pipedrive sends the browser back to the console. */
async function allowAs(page: Page, demoUserName: string) {
  await page.getByRole("heading", { name: "Demo CRM" }).waitFor();
  await page.getByRole("button", { name: demoUserName }).click();
  await page.waitForURL(/#\/integrations\?pipedrive=/);
}

describe("Integrations page", () => {
  it("an Admin connects Pipedrive through the consent page and lands back on Integrations showing the company, who connected it and the users", async () => {
    const { admin } = await theTeam();
    const page = await logInToIntegrations(admin);
    const workspaceCard = page.getByRole("region", { name: "Workspace connection" });
    await workspaceCard.getByText("Not connected").waitFor();
    // With no HubSpot app of its own, the server's HubSpot is the demo portal: offered, not connected.
    await page.getByRole("region", { name: "HubSpot account" }).getByText("Not connected.").waitFor();
    await page.getByRole("region", { name: "HubSpot account" }).getByRole("button", { name: "Connect HubSpot" }).waitFor();

    await workspaceCard.getByRole("button", { name: "Connect Pipedrive" }).click();
    await allowAs(page, "Demo Admin");

    expect(page.url()).toContain("#/integrations?pipedrive=connected");
    await page.getByRole("status").filter({ hasText: "Pipedrive is connected to this workspace." }).waitFor();
    await workspaceCard.getByText("demo.pipedrive.com").waitFor();
    expect(await page.getByTestId("pipedrive-connected-by").textContent()).toContain("Ada Admin");
    expect(await page.getByTestId("pipedrive-status").textContent()).toBe("Connected");
    expect(await workspaceCard.getByRole("button", { name: "Reconnect Pipedrive" }).count()).toBe(1);

    // Each Pipedrive user of the company, and the member it is: the Admin by connecting.
    const users = page.getByRole("table", { name: "Pipedrive users" });
    await users.getByRole("row").filter({ hasText: "Demo Admin" }).getByText("Linked when they connected the workspace").waitFor();
    expect(await page.getByLabel("Member for Pipedrive Demo Admin").inputValue()).toBe(admin.id);
    expect(await page.getByTestId("members-without-link").textContent()).toContain("Axel Agent");

    // The Admin maps the Agent's Pipedrive user to Olive Owner: only the Owner links the Owner (the server's 409, shown as it says).
    await page.getByLabel("Member for Pipedrive Demo Agent").selectOption({ label: "Olive Owner" });
    await page.getByRole("alert").filter({ hasText: "Only the Owner links a CRM user to the Owner" }).waitFor();
    await page.getByLabel("Member for Pipedrive Demo Agent").selectOption({ label: "Axel Agent" });
    await users.getByRole("row").filter({ hasText: "Demo Agent" }).getByText("Mapped by Ada Admin").waitFor();

    // Disconnect asks first.
    await workspaceCard.getByRole("button", { name: "Disconnect Pipedrive" }).click();
    await workspaceCard.getByRole("group", { name: "Disconnect Pipedrive from this workspace?" }).getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByTestId("pipedrive-status").textContent()).toBe("Connected");
  });

  it("an Agent sees only their own link and connects their own account", async () => {
    const { agent } = await theTeam();
    const page = await logInToIntegrations(agent);
    const mine = page.getByRole("region", { name: "My Pipedrive account" });
    await mine.getByRole("button", { name: "Connect my account" }).waitFor();
    expect(await page.getByRole("region", { name: "Workspace connection" }).count()).toBe(0);
    expect(await page.getByRole("table", { name: "Pipedrive users" }).count()).toBe(0);

    await mine.getByRole("button", { name: "Connect my account" }).click();
    await allowAs(page, "Demo Agent");

    await page.getByRole("status").filter({ hasText: "Your Pipedrive account is connected." }).waitFor();
    await mine.getByText("Connected as Demo Agent.").waitFor();
    expect(await mine.getByRole("button", { name: "Disconnect my account" }).count()).toBe(1);
  });

  it("says in a sentence why a connection failed", async () => {
    const { agent } = await theTeam();
    const page = await logInToIntegrations(agent);
    await page.goto(`${suite.server.url}/#/integrations?pipedrive=error&reason=company_linked_elsewhere`);
    await page.getByRole("alert").filter({ hasText: "This Pipedrive company is already connected to another Switchboard workspace." }).waitFor();
  });
});
