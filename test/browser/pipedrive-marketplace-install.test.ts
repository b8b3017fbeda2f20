import { insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// "Install now" from Pipedrive's Marketplace, played by the demo CRM's consent page opened without
// a state (as Pipedrive's install link does): the browser lands on Switchboard signed out, logs in
// and links the company, ending in "Done — open any deal".

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot, { DEMO_CRM: "on" }, { ownPublicUrl: true }));

describe("Marketplace install", () => {
  it("lands on Switchboard, which asks to log in, then links the company to the Admin's workspace", async () => {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olive Owner" });
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Ada Admin" });
    const { clientId, redirectUri } = suite.server.services.config.pipedrive;

    const page = await suite.newPage();
    await page.goto(`${suite.server.url}/dev/demo-crm/oauth/authorize?${new URLSearchParams({ client_id: clientId ?? "", redirect_uri: redirectUri })}`);
    await page.getByRole("button", { name: "Demo Admin" }).click();
    await page.waitForURL(/#\/integrations\?pipedrive=install/);
    await page.getByText("Switchboard was installed in Pipedrive. Log in, or create a workspace").waitFor();

    await page.getByLabel("Email", { exact: true }).fill(admin.email);
    await page.getByLabel("Password", { exact: true }).fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();

    const install = page.getByRole("region", { name: "Pipedrive installed" });
    await install.getByText("Demo Admin installed Switchboard in the Pipedrive company").waitFor();
    await install.getByRole("button", { name: "Link Demo Company to this workspace" }).click();
    await install.getByText("Done — open any deal in Pipedrive").waitFor();
    await page.getByRole("region", { name: "Workspace connection" }).getByText("demo.pipedrive.com").waitFor();
    expect(await page.getByTestId("pipedrive-connected-by").textContent()).toContain("Ada Admin");
  });
});
