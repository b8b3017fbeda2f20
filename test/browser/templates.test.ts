import type { Page } from "playwright-core";
import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { logInToConsole, logInToSection } from "../support/console";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The console's Templates page, built by vite.config.ts and served by the real app, driven in
// Debian's Chromium: "Sync from Meta" asks a fake Graph API for a Cloud number's WABA templates,
// and the sandbox's own registered ones for a sandbox line.
const cloudLine = { phoneNumberId: "1055501080001", wabaId: "2055501080001", accessToken: "EAAG-templates-page-token-0123456789" };
let graph: FakeGraphApi | undefined;
const suite = webUiSuite(async (webRoot) => {
  graph = await startFakeGraphApi({ accessToken: cloudLine.accessToken });
  graph.registerPhoneNumber({ wabaId: cloudLine.wabaId, phoneNumberId: cloudLine.phoneNumberId, displayPhoneNumber: "+1 555-010-8000" });
  const server = await startWebTestServer(webRoot, { GRAPH_API_BASE_URL: graph.url });
  return {
    ...server,
    async close() {
      await server.close();
      await graph?.close();
    },
  };
});

async function teamOf(...roleIds: string[]): Promise<BuiltMember[]> {
  const db = suite.server.database.db;
  const workspace = await insertWorkspaceDirectly(db);
  const built: BuiltMember[] = [];
  for (const roleId of roleIds) built.push(await insertMemberDirectly(db, workspace, { roleId, name: `${roleId[0]?.toUpperCase()}${roleId.slice(1)} Person` }));
  return built;
}

async function connect(member: BuiltMember, body: Record<string, unknown>) {
  const connected = await suite.server.api("POST", "/whatsapp-accounts", { token: member.token, body });
  expect(connected.status).toBe(201);
  return connected.body.account as { id: string };
}

const sectionLinks = (page: Page) => page.getByRole("navigation", { name: "Console sections" }).getByRole("link").allTextContents();
const rowsOf = (page: Page, account: string) =>
  page
    .getByRole("region", { name: account })
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll("th, td")].map((cell) => (cell.firstChild?.textContent ?? "").trim())));

describe("Templates page", () => {
  it("an Admin syncs a sandbox line's and a Cloud number's templates from Meta and sees each with its status, language, category and a preview", async () => {
    const [, admin] = await teamOf("owner", "admin");
    if (!admin) throw new Error("the team has an Admin");
    await connect(admin, { provider: "sandbox", phoneNumber: "+1 555 010 8100", displayName: "Sales line" });
    await connect(admin, { provider: "cloud", phoneNumber: "+1 555 010 8000", displayName: "Cloud line", cloud: cloudLine });
    graph?.setTemplates(cloudLine.wabaId, [
      {
        id: "tpl-1",
        name: "delivery_slot",
        language: "de",
        status: "APPROVED",
        category: "UTILITY",
        components: [{ type: "BODY", text: "Hallo {{1}}, Ihre Lieferung kommt am {{2}}." }],
      },
      { id: "tpl-2", name: "black_friday", language: "en_US", status: "PENDING", category: "MARKETING", components: [{ type: "BODY", text: "Sale!" }] },
    ]);

    const page = await logInToSection(await suite.newPage(), suite.server.url, admin, "Templates");
    const sales = page.getByRole("region", { name: "Sales line (+15550108100)" });
    await sales.getByText("No templates synced from this number yet.").waitFor();
    await sales.getByRole("button", { name: "Sync from Meta" }).click();
    await sales.getByRole("status").filter({ hasText: "Synced 5 templates from Meta: 5 new, 0 updated." }).waitFor();
    await expect
      .poll(() => rowsOf(page, "Sales line (+15550108100)"))
      .toEqual([
        [
          "Appointment reminder",
          "en_US",
          "Utility",
          "Approved",
          "Hello Alex, a reminder of your appointment on 12 March, 10:00. Reply to this message to change it.",
        ],
        ["Follow up", "en_US", "Marketing", "Approved", "Hi Alex, following up on our conversation: is there anything else we can help with?"],
        ["Order update", "en_US", "Utility", "Approved", "Hi Alex, your order A-1042 is on its way."],
        ["Spring sale", "en_US", "Marketing", "Pending", "Our spring sale starts today: 20% off."],
        ["Win back", "en_US", "Marketing", "Rejected", "We miss you! Come back for 20% off."],
      ]);

    const cloud = page.getByRole("region", { name: "Cloud line (+15550108000)" });
    await cloud.getByRole("button", { name: "Sync from Meta" }).click();
    await cloud.getByRole("status").filter({ hasText: "Synced 2 templates from Meta: 2 new, 0 updated." }).waitFor();
    await expect
      .poll(() => rowsOf(page, "Cloud line (+15550108000)"))
      .toEqual([
        ["Black friday", "en_US", "Marketing", "Pending", "Sale!"],
        ["Delivery slot", "de", "Utility", "Approved", "Hallo Alex, Ihre Lieferung kommt am sample."],
      ]);

    // Syncing again refreshes what Meta has since decided.
    graph?.setTemplates(cloudLine.wabaId, [
      { id: "tpl-2", name: "black_friday", language: "en_US", status: "APPROVED", category: "MARKETING", components: [{ type: "BODY", text: "Sale!" }] },
    ]);
    await cloud.getByRole("button", { name: "Sync from Meta" }).click();
    await cloud.getByRole("status").filter({ hasText: "Synced 1 template from Meta: 0 new, 1 updated." }).waitFor();
    await expect.poll(async () => (await rowsOf(page, "Cloud line (+15550108000)"))[0]?.[3]).toBe("Approved");
  });

  it("an Agent sees and syncs only their own line's templates; a Collaborator has no Templates section", async () => {
    const [owner, agent, collaborator] = await teamOf("owner", "agent", "collaborator");
    if (!owner || !agent || !collaborator) throw new Error("the team has an Owner, an Agent and a Collaborator");
    const ownersLine = await connect(owner, { provider: "sandbox", phoneNumber: "+1 555 010 8200", displayName: "Owner's line" });
    expect((await suite.server.api("POST", "/templates/sync", { token: owner.token, body: { accountId: ownersLine.id } })).status).toBe(200);
    await connect(agent, { provider: "sandbox", phoneNumber: "+1 555 010 8300", displayName: "Agent's line" });

    const page = await logInToSection(await suite.newPage(), suite.server.url, agent, "Templates");
    expect(await sectionLinks(page)).toContain("Templates");
    const own = page.getByRole("region", { name: "Agent's line (+15550108300)" });
    await own.getByText("No templates synced from this number yet.").waitFor();
    // The Owner's line and the Owner's templates are not the Agent's (templates.use: own).
    expect(await page.getByRole("region", { name: /Owner's line/ }).count()).toBe(0);
    expect(await page.getByRole("region", { name: "Other templates" }).count()).toBe(0);
    await own.getByRole("button", { name: "Sync from Meta" }).click();
    await own.getByRole("status").filter({ hasText: "5 new" }).waitFor();
    await expect
      .poll(async () => (await rowsOf(page, "Agent's line (+15550108300)")).map((row) => row[0]))
      .toEqual(["Appointment reminder", "Follow up", "Order update", "Spring sale", "Win back"]);

    const collaboratorPage = await logInToConsole(await suite.newPage(), suite.server.url, collaborator);
    await collaboratorPage.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Team" }).waitFor();
    expect(await sectionLinks(collaboratorPage)).not.toContain("Templates");
    await collaboratorPage.goto(`${suite.server.url}/#/templates`);
    await collaboratorPage.getByText("Your role does not include this section.").waitFor();
  });
});
