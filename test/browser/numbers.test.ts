import type { Page } from "playwright-core";
import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { logInToSection } from "../support/console";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The console's WhatsApp numbers page, built by vite.config.ts and served by the real app, driven
// in Debian's Chromium: connecting a Cloud API number asks a fake Graph API that knows which
// token manages which WABA, as Meta does.
const metaSetup = { phoneNumberId: "1055501070001", wabaId: "2055501070001", accessToken: "EAAG-numbers-page-token-0123456789" };
let graph: FakeGraphApi | undefined;
const suite = webUiSuite(async (webRoot) => {
  graph = await startFakeGraphApi({ accessToken: metaSetup.accessToken });
  graph.registerPhoneNumber({ wabaId: metaSetup.wabaId, phoneNumberId: metaSetup.phoneNumberId, displayPhoneNumber: "+1 555-010-7000" });
  const server = await startWebTestServer(
    webRoot,
    { GRAPH_API_BASE_URL: graph.url, WHATSAPP_VERIFY_TOKEN: "numbers-page-verify-token" },
    { ownPublicUrl: true },
  );
  return {
    ...server,
    async close() {
      await server.close();
      await graph?.close();
    },
  };
});

const logInToNumbers = async (member: { email: string }): Promise<Page> => logInToSection(await suite.newPage(), suite.server.url, member, "WhatsApp numbers");

async function teamOf(...roleIds: string[]): Promise<BuiltMember[]> {
  const db = suite.server.database.db;
  const workspace = await insertWorkspaceDirectly(db);
  const built: BuiltMember[] = [];
  for (const roleId of roleIds) built.push(await insertMemberDirectly(db, workspace, { roleId, name: `${roleId[0]?.toUpperCase()}${roleId.slice(1)} Person` }));
  return built;
}

describe("WhatsApp numbers page", () => {
  it("an Admin connects a Cloud API number: copies the webhook settings, checks the token with Meta, connects, and disconnects after confirming", async () => {
    const [, admin] = await teamOf("owner", "admin");
    if (!admin) throw new Error("the team has an Admin");
    const page = await logInToNumbers(admin);
    await page.getByText("No numbers yet").waitFor();
    await page.getByRole("button", { name: "Connect a number" }).click();
    const form = page.getByRole("form", { name: "Connect a number" });

    // What to paste into Meta's dashboard.
    expect(await form.getByRole("textbox", { name: "Callback URL" }).inputValue()).toBe(`${suite.server.url}/api/v1/inbound/whatsapp`);
    expect(await form.getByRole("textbox", { name: "Verify token" }).inputValue()).toBe("numbers-page-verify-token");

    // A token Meta does not let manage the number: the check says so, naming the number.
    graph?.addAccessToken("EAAG-a-token-of-another-business-000001");
    await form.getByLabel("Phone number ID").fill(metaSetup.phoneNumberId);
    await form.getByLabel("WhatsApp Business Account ID").fill(metaSetup.wabaId);
    await form.getByLabel("Access token").fill("EAAG-a-token-of-another-business-000001");
    await form.getByRole("button", { name: "Check connection" }).click();
    await form.getByRole("alert").filter({ hasText: metaSetup.phoneNumberId }).waitFor();

    // The right token: Meta's answer fills the number in.
    await form.getByLabel("Access token").fill(metaSetup.accessToken);
    await form.getByRole("button", { name: "Check connection" }).click();
    await form.getByRole("status", { name: "Meta's answer" }).filter({ hasText: "Meta confirms: +1 555-010-7000" }).waitFor();
    expect(await form.getByLabel("Phone number", { exact: true }).inputValue()).toBe("+1 555-010-7000");
    await form.getByLabel("Name shown to the team (optional)").fill("Sales line");
    await form.getByRole("button", { name: "Connect number" }).click();

    const row = page.getByRole("row", { name: "Sales line (+15550107000)" });
    await row.waitFor();
    expect(await row.getByTestId("number-status").textContent()).toBe("Connected");
    expect(await row.textContent()).toContain("Admin Person");
    expect(await row.textContent()).toContain("up to 80 messages a second");

    // Disconnect asks first; Cancel keeps it.
    await row.getByRole("button", { name: "Disconnect" }).click();
    await row.getByRole("group", { name: "Disconnect +15550107000?" }).getByRole("button", { name: "Cancel" }).click();
    expect(await row.getByTestId("number-status").textContent()).toBe("Connected");
    await row.getByRole("button", { name: "Disconnect" }).click();
    await row.getByRole("button", { name: "Yes, disconnect" }).click();
    await row.getByTestId("number-status").filter({ hasText: "Disconnected" }).waitFor();
    expect(await row.getByRole("button", { name: "Disconnect" }).count()).toBe(0);
  });

  it("an Agent connects a sandbox number of their own, sees only their own and may disconnect it", async () => {
    const [, admin, agent] = await teamOf("owner", "admin", "agent");
    if (!admin || !agent) throw new Error("the team has an Admin and an Agent");
    const adminLine = await suite.server.api("POST", "/whatsapp-accounts", {
      token: admin.token,
      body: { provider: "sandbox", phoneNumber: "+1 555 010 7111", displayName: "Support line" },
    });
    expect(adminLine.status).toBe(201);

    const page = await logInToNumbers(agent);
    await page.getByText("No numbers yet").waitFor();
    await page.getByRole("button", { name: "Connect a number" }).click();
    const form = page.getByRole("form", { name: "Connect a number" });
    await form.getByRole("button", { name: "Sandbox (to try Switchboard)" }).click();
    await form.getByLabel("Phone number", { exact: true }).fill("+1 555 010 7222");
    await form.getByLabel("Name shown to the team (optional)").fill("Agent's own");
    await form.getByRole("button", { name: "Connect number" }).click();

    const table = page.getByRole("table", { name: "WhatsApp numbers" });
    await table.getByRole("row", { name: "Agent's own (+15550107222)" }).waitFor();
    // The Admin's line is not among what the Agent may see (the server's scope, not the page's).
    expect(await table.getByRole("row").count()).toBe(2);
    expect(await table.textContent()).not.toContain("Support line");
    expect(await table.getByRole("row", { name: "Agent's own (+15550107222)" }).getByRole("button", { name: "Disconnect" }).count()).toBe(1);
  });
});
