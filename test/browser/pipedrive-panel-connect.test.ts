import type { Page } from "playwright-core";
import { type FakeDeal, type FakePipedrive, type FakeUser, startFakePipedrive } from "../fakes/pipedrive";
import { launchChromium, type TestBrowser } from "../support/browser";
import { failOnContractRefusals } from "../support/pipedrive-contract";
import { openSimulatorPage, simulatorJwtSecret } from "../support/pipedrive-simulator";
import type { TestServer } from "../support/server";
import { buildWebUi, startWebTestServer } from "../support/web-server";

// A member whose company is linked but who has no Pipedrive connection of their own, in the CRM
// simulator against the fake Pipedrive: the panel reads only the deal it was opened on, through the
// workspace's connection. An Agent (integrations.individual) connects their own Pipedrive account
// from the panel, in a popup (Pipedrive's consent page, then Switchboard's closing page), and the
// panel reads the deal again with the Agent's own token without a reload. A Collaborator is told
// who maps Pipedrive users instead. Nothing is written into storage: the workspace is made by
// sign-up and invitations, the company linked through the connect link and the consent page.

const password = "a long enough password";
let fake: FakePipedrive;
let server: TestServer;
let browser: TestBrowser;
let removeWebUi: () => void;
let deal: FakeDeal;
/** Pipedrive users: Ada (the admin who links the company), Alan (the Agent's), Cleo (the Collaborator's). */
let ada: FakeUser;
let alan: FakeUser;
let cleo: FakeUser;
const pages: Page[] = [];

/** Pipedrive's consent page (the fake's), as the signed-in Pipedrive user: Allow. */
async function allowOnPipedrive(page: Page, user: FakeUser) {
  await page.waitForURL(`${fake.url}/oauth/authorize?**`);
  await page.getByRole("combobox").selectOption({ label: user.name });
  await page.getByRole("button", { name: "Allow" }).click();
}

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
    },
    { ownPublicUrl: true },
  );
  // The app's Callback URL in "Developer Hub" is the server's own, known once it listens.
  fake.registerCallbackUrl(server.services.config.pipedrive.redirectUri);
  ada = fake.user;
  alan = { ...fake.user, id: 23456, name: "Alan Agent", email: "alan@acme.test", is_admin: false };
  cleo = { ...fake.user, id: 34567, name: "Cleo Collaborator", email: "cleo@acme.test", is_admin: false };
  fake.addUser(alan);
  fake.addUser(cleo);
  const grace = fake.addPerson({ name: "Grace Hopper", phones: [{ value: "+44 20 7946 0958", label: "mobile", primary: true }] });
  deal = fake.addDeal({ title: "Enterprise plan — 25 seats", person_id: grace.id });
  browser = await launchChromium();

  // The workspace as people make one: Olive signs up and invites an Admin, an Agent and a Collaborator.
  const signup = await server.api("POST", "/signup", {
    body: { workspaceName: "Acme Sales", name: "Olive Owner", email: "olive@panel-connect.test", password },
  });
  expect(signup.status).toBe(201);
  const owner = signup.body.token as string;
  const memberIds: Record<string, string> = {};
  for (const [name, roleId] of [
    ["Adam Admin", "admin"],
    ["Alan Agent", "agent"],
    ["Cleo Collaborator", "collaborator"],
  ] as const) {
    const email = `${roleId}@panel-connect.test`;
    const invitation = await server.api("POST", "/invitations", { token: owner, body: { email, roleId } });
    const accepted = await server.api("POST", `/invitations/${encodeURIComponent(invitation.body.acceptToken)}/accept`, { body: { name, password } });
    expect(accepted.status).toBe(201);
    memberIds[roleId] = accepted.body.member.id;
  }

  // Olive links the company: the connect link in her browser, Pipedrive's consent page as Ada, back to Integrations.
  const connect = await server.api("POST", "/integrations/pipedrive/connect", { token: owner });
  const page = await browser.newPage();
  pages.push(page);
  await page.goto(connect.body.authorizeUrl);
  await allowOnPipedrive(page, ada);
  await page.waitForURL(/#\/integrations\?pipedrive=connected/);
  // She maps Alan's and Cleo's Pipedrive users to the Agent and the Collaborator; neither has connected their own.
  for (const [user, memberId] of [
    [alan, memberIds.agent],
    [cleo, memberIds.collaborator],
  ] as const) {
    const mapped = await server.api("PUT", `/integrations/pipedrive/users/${user.id}`, { token: owner, body: { memberId } });
    expect(mapped.status).toBe(200);
  }
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

async function openDealAs(who: "alan" | "cleo") {
  const opened = await openSimulatorPage(browser, server.url, {
    companyId: ada.company_id,
    personas: [
      { key: "alan", pipedriveUserId: alan.id, label: alan.name },
      { key: "cleo", pipedriveUserId: cleo.id, label: cleo.name },
    ],
    member: who,
    dealId: deal.id,
  });
  pages.push(opened.page);
  return opened;
}

/** Who read the deal at the fake: the Pipedrive users whose tokens asked for it. */
const dealReaders = () => new Set(fake.requests.filter((request) => request.path === `/api/v2/deals/${deal.id}`).map((request) => request.pipedriveUserId));

describe("Connecting your own Pipedrive account from the panel", () => {
  it("an Agent sees the limited view and the button, allows in the popup, and the panel reads with their own token without a reload", async () => {
    const { page, panel } = await openDealAs("alan");
    const people = panel.getByRole("list", { name: "People" });
    await people.getByText("Grace Hopper").waitFor();
    const yours = panel.getByRole("region", { name: "Your Pipedrive account" });
    await yours.getByText("Connect your own Pipedrive account to see more").waitFor();
    // Read through the workspace's connection: Ada's token, not Alan's.
    expect(dealReaders()).toEqual(new Set([ada.id]));

    const popupOpened = page.waitForEvent("popup");
    await yours.getByRole("button", { name: "Connect your Pipedrive account" }).click();
    const popup = await popupOpened;
    await yours.getByText("Finish connecting in the window that opened").waitFor();
    await allowOnPipedrive(popup, alan);

    // The panel notices by asking Switchboard, and reads the deal again with Alan's own token.
    await yours.waitFor({ state: "detached", timeout: 30_000 });
    await people.getByText("Grace Hopper").waitFor();
    expect(dealReaders().has(alan.id)).toBe(true);
    // The popup ended on Switchboard's closing page (and closed itself), having sent the panel nothing.
    expect(popup.isClosed() || /\/pipedrive\/connected\/$/.test(popup.url())).toBe(true);
    expect(await page.locator('iframe[name="panel"]').count()).toBe(1);
  });

  it("a consent granting less than the app needs says at connect time which access is missing and what stops working, and the Integrations page keeps saying it", async () => {
    // The app in "Developer Hub" lost activities:full: a consent now grants only the rest.
    const registered = fake.scopes();
    fake.setAppScopes(registered.filter((scope) => scope !== "activities:full"));
    try {
      const page = await browser.newPage();
      pages.push(page);
      await page.goto(`${server.url}/#/login`);
      await page.getByLabel("Email", { exact: true }).fill("agent@panel-connect.test");
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("navigation").getByRole("link", { name: "Integrations" }).click();
      await page.getByRole("button", { name: /^(Connect|Reconnect) my account$/ }).click();
      await allowOnPipedrive(page, alan);
      await page.waitForURL(/#\/integrations\?pipedrive=connected&scope=me&missing=activities%3Afull/);
      const said = "activities:full (without it conversations cannot be logged as activities)";
      await page.getByRole("alert").filter({ hasText: "Your Pipedrive account is connected, but with less access than it needs." }).getByText(said).waitFor();
      expect(await page.getByTestId("my-pipedrive-missing-scopes").textContent()).toContain(said);
    } finally {
      fake.setAppScopes(registered);
    }
  });

  it("a Collaborator, who may not connect their own account, is told by name who maps Pipedrive users", async () => {
    const { panel } = await openDealAs("cleo");
    await panel.getByRole("list", { name: "People" }).getByText("Grace Hopper").waitFor();
    const yours = panel.getByRole("region", { name: "Your Pipedrive account" });
    await yours.getByTestId("mapped-by").getByText("Olive Owner and Adam Admin map Pipedrive users to Switchboard members").waitFor();
    expect(await yours.getByRole("button").count()).toBe(0);
  });
});
