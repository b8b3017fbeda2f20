import type { FrameLocator, Page } from "playwright-core";
import { pipedriveConnections, pipedriveInstallations, workspaces } from "../../server/db/schema";
import { type FakeDeal, type FakePerson, type FakePipedrive, type FakeUser, startFakePipedrive } from "../fakes/pipedrive";
import { launchChromium, type TestBrowser } from "../support/browser";
import { failOnContractRefusals } from "../support/pipedrive-contract";
import { fromOptions, openSimulatorPage, simulatorJwtSecret } from "../support/pipedrive-simulator";
import type { TestServer } from "../support/server";
import { eventually } from "../support/sse";
import { buildWebUi, startWebTestServer } from "../support/web-server";

// Pipedrive from nothing, through the CRM simulator: an empty database and a fake Pipedrive whose
// company has a deal with Grace Hopper. Nothing is written into storage: the workspace is created
// on Switchboard's sign-up page, each Pipedrive user installs through the consent page (the fake's,
// in the browser), the team is made through the API (invitation, sandbox numbers), and Pipedrive's
// own doings (signing panel tokens, sending the uninstall notice) are played by the fake and the
// test. One Chromium stands for both people's computers: each tab has its own console session.
// The start-chat modal without PIPEDRIVE_START_CHAT_MODAL_ID (no "Start chat…") is in
// pipedrive-start-chat.test.ts.

const startChatModalId = "4c7e0b2a-journey-start-chat";
const graceMobile = "+442079460958";
const password = "a long enough password";

let fake: FakePipedrive;
let server: TestServer;
let browser: TestBrowser;
let removeWebUi: () => void;
let deal: FakeDeal;
let grace: FakePerson;
/** Ada is the Pipedrive company's admin; Alan is a regular Pipedrive user. */
let ada: FakeUser;
let alan: FakeUser;
const pages: Page[] = [];

failOnContractRefusals(() => fake);
beforeAll(async () => {
  fake = await startFakePipedrive();
  const web = await buildWebUi();
  removeWebUi = web.remove;
  server = await startWebTestServer(
    web.webRoot,
    {
      PIPEDRIVE_CLIENT_ID: fake.clientId,
      PIPEDRIVE_CLIENT_SECRET: fake.clientSecret,
      PIPEDRIVE_OAUTH_HOST: fake.url,
      PIPEDRIVE_JWT_SECRET: simulatorJwtSecret,
      PIPEDRIVE_START_CHAT_MODAL_ID: startChatModalId,
    },
    { ownPublicUrl: true },
  );
  // The app's Callback URL in "Developer Hub" is the server's own, known once it listens.
  fake.registerCallbackUrl(server.services.config.pipedrive.redirectUri);
  ada = fake.user;
  alan = { ...fake.user, id: 23456, name: "Alan Agent", email: "alan@acme.test", is_admin: false };
  fake.addUser(alan);
  grace = fake.addPerson({
    name: "Grace Hopper",
    phones: [{ value: "+44 20 7946 0958", label: "mobile", primary: true }],
  });
  deal = fake.addDeal({ title: "Enterprise plan — 25 seats", person_id: grace.id });
  browser = await launchChromium();
}, 180_000);
afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
  removeWebUi?.();
});

const newTab = async () => {
  const page = await browser.newPage();
  pages.push(page);
  return page;
};
/** The simulator's Pipedrive users: Ada (the admin who installs) and Alan. */
const personas = () => [
  { key: "ada", pipedriveUserId: ada.id, label: ada.name },
  { key: "alan", pipedriveUserId: alan.id, label: alan.name },
];
const openPipedriveAs = async (who: "ada" | "alan", view?: "settings") => {
  const opened = await openSimulatorPage(browser, server.url, {
    companyId: ada.company_id,
    personas: personas(),
    member: who,
    dealId: deal.id,
    view,
    startChatModalId,
  });
  pages.push(opened.page);
  return opened;
};
/** Pipedrive's consent page (the fake's), as the signed-in Pipedrive user: Allow. */
const allowOnPipedrive = async (page: Page, user: FakeUser) => {
  await page.waitForURL(`${fake.url}/oauth/authorize?**`);
  await page.getByRole("combobox").selectOption({ label: user.name });
  await page.getByRole("button", { name: "Allow" }).click();
};
/**
 * "Install now" in Pipedrive's Marketplace: its consent page with no state, Allow, and the browser
 * lands on Switchboard (signed out in this tab), which asks to log in or create a workspace.
 */
const marketplaceInstallAs = async (page: Page, user: FakeUser) => {
  const { clientId, redirectUri } = server.services.config.pipedrive;
  await page.goto(`${fake.url}/oauth/authorize?${new URLSearchParams({ client_id: clientId ?? "", redirect_uri: redirectUri })}`);
  await allowOnPipedrive(page, user);
  await page.waitForURL(/#\/integrations\?pipedrive=install/);
  await page.getByText("Switchboard was installed in Pipedrive. Log in, or create a workspace").waitFor();
};
/** No chat with Grace yet, so WhatsApp takes only an approved template: the order update, to Grace (the deal's person). */
const sendOrderUpdate = async (surface: FrameLocator, order: string) => {
  await surface.getByText("A new chat starts with an approved template.").waitFor();
  await surface.getByLabel("Template", { exact: true }).selectOption({ label: "Order update (utility)" });
  expect(await surface.getByLabel("Name", { exact: true }).inputValue()).toBe("Grace");
  await surface.getByLabel("your order …").fill(order);
  await surface.getByRole("button", { name: "Send template", exact: true }).click();
};
const snackbar = (page: Page, text: string) => page.getByRole("status").filter({ hasText: text }).first().waitFor();
const people = (panel: FrameLocator) => panel.getByRole("list", { name: "People" });

/** What the journey makes along the way, for the later steps. */
const made = {
  ownerToken: "",
  agentToken: "",
  agentEmail: "alan@switchboard-journey.test",
  ownerLine: { id: "", phoneNumber: "" },
  agentLine: { id: "", phoneNumber: "" },
};

describe("Installing Switchboard in Pipedrive, from nothing", () => {
  it("starts from an empty database", async () => {
    const db = server.database.db;
    expect(await db.select().from(workspaces)).toEqual([]);
    expect(await db.select().from(pipedriveInstallations)).toEqual([]);
    expect(await db.select().from(pipedriveConnections)).toEqual([]);
  });

  it("Ada installs from the Marketplace, creates a workspace, links the company and sees Done — open any deal", async () => {
    const page = await newTab();
    await marketplaceInstallAs(page, ada);

    await page.getByRole("link", { name: "Create a workspace" }).click();
    await page.getByLabel("Workspace name").fill("Acme Sales");
    await page.getByLabel("Your name").fill("Olive Owner");
    await page.getByLabel("Email", { exact: true }).fill("olive@switchboard-journey.test");
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Create workspace" }).click();

    // The new workspace opens on Integrations, where the install waits to be linked.
    const install = page.getByRole("region", { name: "Pipedrive installed" });
    await install.getByText("Ada Lovelace installed Switchboard in the Pipedrive company").waitFor();
    await install.getByRole("button", { name: "Link Acme Ltd to this workspace" }).click();
    await install.getByText("Done — open any deal in Pipedrive").waitFor();
    await page.getByRole("region", { name: "Workspace connection" }).getByText("acme.pipedrive.com").waitFor();
    expect(await page.getByTestId("pipedrive-connected-by").textContent()).toContain("Olive Owner");

    // Olive builds the team through the API: her sandbox number and its templates (the Templates
    // page's "Sync from Meta"), and Alan invited as an Agent who does the same with his own.
    made.ownerToken = (await login("olive@switchboard-journey.test")).token;
    made.ownerLine = await addSandboxNumber(made.ownerToken, "+15550100001");
    await syncTemplates(made.ownerToken, made.ownerLine.id);
    const invitation = await server.api("POST", "/invitations", { token: made.ownerToken, body: { email: made.agentEmail, roleId: "agent" } });
    expect(invitation.status).toBe(201);
    const accepted = await server.api("POST", `/invitations/${encodeURIComponent(invitation.body.acceptToken)}/accept`, {
      body: { name: "Alan Agent", password },
    });
    expect(accepted.status).toBe(201);
    made.agentToken = accepted.body.token;
    made.agentLine = await addSandboxNumber(made.agentToken, "+15550100002");
    await syncTemplates(made.agentToken, made.agentLine.id);
  });

  it("Ada logs conversations as a note and an activity, opens the deal and sends Grace a WhatsApp template from the panel", async () => {
    const { page: settingsPage, settings } = await openPipedriveAs("ada", "settings");
    await settings.getByRole("region", { name: "Workspace connection" }).getByText("connected").waitFor();
    await settings.getByLabel("Log WhatsApp conversations as").selectOption({ label: "A note and an activity per conversation" });
    await snackbar(settingsPage, "Logging saved");

    const { page, panel } = await openPipedriveAs("ada");
    await people(panel).getByText("Grace Hopper").waitFor();
    expect(await people(panel).locator("code").allTextContents()).toEqual([graceMobile]);
    // The panel reads with the installation of the Pipedrive user who opened it: Ada's own.
    expect(await panel.getByText("Connect your own Pipedrive account to see more").count()).toBe(0);
    // The Owner may send from every number; Ada picks her own.
    expect(await fromOptions(panel)).toHaveLength(2);
    await panel.getByLabel("From").selectOption(made.ownerLine.id);
    await sendOrderUpdate(panel, "A-1001");
    await snackbar(page, "WhatsApp message sent");
    await panel.getByRole("list", { name: "Chats" }).getByRole("button").first().waitFor();
  });

  it("Alan installs the app for himself from the Marketplace, logs in and makes it his own Pipedrive account", async () => {
    const page = await newTab();
    await marketplaceInstallAs(page, alan);
    await page.getByLabel("Email", { exact: true }).fill(made.agentEmail);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();

    const install = page.getByRole("region", { name: "Pipedrive installed" });
    await install.getByText("Alan Agent installed Switchboard in the Pipedrive company Acme Ltd").waitFor();
    // An Agent links no companies; his own installation is his to keep.
    expect(await install.getByRole("button", { name: "Link Acme Ltd to this workspace" }).count()).toBe(0);
    await install.getByRole("button", { name: "Use it as my Pipedrive account" }).click();
    await install.getByText("Done — open any deal in Pipedrive").waitFor();
    await page.getByTestId("my-pipedrive-status").getByText("Connected as Alan Agent").waitFor();
  });

  it("Alan opens the deal, where Start chat… opens the modal Developer Hub registered and offers only his own number", async () => {
    const { page, panel } = await openPipedriveAs("alan");
    await people(panel).getByText("Grace Hopper").waitFor();
    // His own connection reads the deal with his own Pipedrive visibility.
    expect(await panel.getByText("Connect your own Pipedrive account to see more").count()).toBe(0);
    expect(await fromOptions(panel)).toEqual([expect.stringContaining(made.agentLine.phoneNumber)]);

    await panel.locator(".phone").filter({ hasText: graceMobile }).getByRole("button", { name: "Start chat…" }).click();
    const dialog = page.getByRole("dialog", { name: "Custom modal" });
    await dialog.waitFor();
    const modal = page.frameLocator('iframe[name="modal"]');
    await modal.getByRole("heading", { name: "Start a WhatsApp chat" }).waitFor();
    const opened = await page.evaluate(() =>
      (window as unknown as { simulatorLog: { command?: string; args?: { action_id?: string } }[] }).simulatorLog.filter(
        (entry) => entry.command === "open_modal",
      ),
    );
    expect(opened.map((entry) => entry.args?.action_id)).toEqual([startChatModalId]);
    expect(await fromOptions(modal)).toEqual([expect.stringContaining(made.agentLine.phoneNumber)]);
    await sendOrderUpdate(modal, "A-1002");
    await dialog.waitFor({ state: "detached" });
    await snackbar(page, "WhatsApp message sent");
  });

  it("Ada uninstalls the app: the Integrations page says reconnect required and who can fix it", async () => {
    expect((await fake.uninstall(ada.company_id, ada.id)).status).toBe(200);
    const page = await newTab();
    await page.goto(`${server.url}/#/login`);
    await page.getByLabel("Email", { exact: true }).fill("olive@switchboard-journey.test");
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("navigation").getByRole("link", { name: "Integrations" }).click();
    const workspaceConnection = page.getByRole("region", { name: "Workspace connection" });
    await workspaceConnection.getByTestId("pipedrive-status").getByText("Reconnect required").waitFor();
    const alert = workspaceConnection.getByRole("alert");
    expect(await alert.textContent()).toContain("The Pipedrive user whose installation served this workspace uninstalled the app.");
    expect(await alert.textContent()).toContain("Who can do it: Olive Owner");
    // Alan's own installation is untouched.
    expect(fake.isInstalled(alan.company_id, alan.id)).toBe(true);
  });

  it("Alan still replies to Grace from the deal, from his own number", async () => {
    const inbound = await server.api("POST", `/whatsapp-accounts/${made.agentLine.id}/sandbox/inbound`, {
      token: made.agentToken,
      body: { from: graceMobile, text: "Thanks, when does it ship?", name: "Grace Hopper" },
    });
    expect(inbound.status).toBe(201);
    const { page, panel } = await openPipedriveAs("alan");
    await people(panel).getByText("Grace Hopper").waitFor();
    const chats = panel.getByRole("list", { name: "Chats" }).getByRole("button");
    await chats.first().click();
    await panel.getByRole("list", { name: "Messages" }).getByText("Thanks, when does it ship?").waitFor();
    expect(await fromOptions(panel)).toEqual([expect.stringContaining(made.agentLine.phoneNumber)]);
    await panel.getByLabel("Message", { exact: true }).fill("It ships on Monday.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await panel.getByRole("list", { name: "Messages" }).getByText("It ships on Monday.").waitFor();
    await snackbar(page, "WhatsApp message sent");
  });

  it("each conversation is an activity on the deal in Pipedrive, with Grace as its participant", async () => {
    const activityWith = (text: string) =>
      eventually(() => {
        const found = fake.activities.find((activity) => JSON.stringify(activity).includes(text) && activity.deal_id === deal.id);
        if (!found) throw new Error(`no activity on the deal with "${text}" yet`);
        return found;
      }, 20_000);
    const adas = await activityWith("A-1001");
    expect(adas.participants).toEqual([{ person_id: grace.id, primary_flag: true }]);
    const alans = await activityWith("It ships on Monday.");
    expect(alans.participants).toEqual([{ person_id: grace.id, primary_flag: true }]);
    // Alan's day is logged through his own installation (Ada's no longer works).
    const alansWrites = fake.requests.filter((request) => request.path.startsWith("/api/v2/activities") && request.pipedriveUserId === alan.id);
    expect(alansWrites.length).toBeGreaterThan(0);
    // One activity per chat and day, updated as the day's messages arrive.
    expect(fake.activities.filter((activity) => JSON.stringify(activity).includes("A-1002"))).toHaveLength(1);
  });
});

async function login(email: string): Promise<{ token: string }> {
  const session = await server.api("POST", "/sessions", { body: { email, password } });
  expect(session.status).toBe(201);
  return { token: session.body.token };
}

async function addSandboxNumber(token: string, phoneNumber: string): Promise<{ id: string; phoneNumber: string }> {
  const added = await server.api("POST", "/whatsapp-accounts", { token, body: { provider: "sandbox", phoneNumber, displayName: "Sandbox" } });
  expect(added.status).toBe(201);
  const account = added.body.account ?? added.body;
  return { id: account.id, phoneNumber: account.phoneNumber };
}

async function syncTemplates(token: string, accountId: string): Promise<void> {
  expect((await server.api("POST", "/templates/sync", { token, body: { accountId } })).status).toBe(200);
}
