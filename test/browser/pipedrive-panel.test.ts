import type { FrameLocator, Page } from "playwright-core";
import { linkPipedriveUser, storeWorkspaceConnection } from "../../server/pipedrive/installations";
import { exchangeAuthorizationCode } from "../../server/pipedrive/oauth";
import { type FakeDeal, type FakePipedrive, startFakePipedrive } from "../fakes/pipedrive";
import { launchChromium, type TestBrowser } from "../support/browser";
import { buildAccount, buildChat, buildMember } from "../support/factories";
import type { TestServer } from "../support/server";
import { eventually } from "../support/sse";
import { buildTeam, type Team } from "../support/team";
import { buildWebUi, startWebTestServer } from "../support/web-server";

// The real Pipedrive panel, built by vite.config.ts and served by the real app, inside the CRM
// simulator (extension/simulator/), which answers the SDK the way Pipedrive does. The server talks
// to a fake Pipedrive for the deal's persons and for logging.

const jwtSecret = "simulator-test-jwt-secret";
const graceMobile = "+442079460958";
const pipedriveUserIds = { owner: 101, admin: 102, teammate: 103, agent: 104, collaborator: 105, suspended: 106, unlinked: 107 } as const;

let server: TestServer;
let browser: TestBrowser;
let fake: FakePipedrive;
let removeWebUi: () => void;
let team: Team;
let deal: FakeDeal;
let lines: { owner: { id: string }; agent: { id: string } };
let agentLineNumber: string;
let ownerLineNumber: string;
const openPages: Page[] = [];

beforeAll(async () => {
  fake = await startFakePipedrive();
  const web = await buildWebUi();
  removeWebUi = web.remove;
  server = await startWebTestServer(web.webRoot, {
    PIPEDRIVE_CLIENT_ID: fake.clientId,
    PIPEDRIVE_CLIENT_SECRET: fake.clientSecret,
    PIPEDRIVE_OAUTH_HOST: fake.url,
    PIPEDRIVE_JWT_SECRET: jwtSecret,
  });
  const db = server.database.db;
  team = await buildTeam(db);
  lines = { owner: await buildAccount(db, team.workspace, team.owner.id), agent: await buildAccount(db, team.workspace, team.agent.id) };
  ({ phoneNumber: ownerLineNumber } = (await server.api("GET", "/whatsapp-accounts", { token: team.owner.token })).body.data.find(
    (account: { id: string }) => account.id === lines.owner.id,
  ));
  ({ phoneNumber: agentLineNumber } = (await server.api("GET", "/whatsapp-accounts", { token: team.owner.token })).body.data.find(
    (account: { id: string }) => account.id === lines.agent.id,
  ));

  // The Pipedrive side: Grace on a deal, with a mobile and a work number.
  const grace = fake.addPerson({
    name: "Grace Hopper",
    phones: [
      { value: "+44 20 7946 0958", label: "mobile", primary: true },
      { value: "+1 (555) 010-0999", label: "work", primary: false },
    ],
  });
  deal = fake.addDeal({ title: "Enterprise plan — 25 seats", person_id: grace.id });
  // Grace wrote to both lines; the Collaborator is responsible for the chat on the Owner's line.
  await buildChat(db, team.workspace, lines.owner, { phone: graceMobile, name: "Grace Hopper", responsibleId: team.collaborator.id });
  await buildChat(db, team.workspace, lines.agent, { phone: graceMobile, name: "Grace Hopper" });

  // The workspace is connected to the fake company, and each Pipedrive user is mapped to a member.
  const tokens = await exchangeAuthorizationCode(
    { clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: fake.redirectUri, oauthHost: fake.url },
    fake.issueAuthorizationCode(),
  );
  await storeWorkspaceConnection(db, server.services.config.encryptionKey, {
    workspaceId: team.workspace.id,
    memberId: team.owner.id,
    tokens,
    identity: {
      pipedriveUserId: fake.user.id,
      pipedriveCompanyId: fake.user.company_id,
      name: fake.user.name,
      email: fake.user.email,
      companyDomain: fake.user.company_domain,
      companyName: fake.user.company_name,
      isAdmin: true,
    },
  });
  const suspended = await buildMember(db, team.workspace, { roleId: "teammate", name: "Sam Suspended", status: "suspended" });
  const memberOf = {
    owner: team.owner.id,
    admin: team.admin.id,
    teammate: team.teammate.id,
    agent: team.agent.id,
    collaborator: team.collaborator.id,
    suspended: suspended.id,
  };
  for (const [key, memberId] of Object.entries(memberOf)) {
    await linkPipedriveUser(db, team.workspace.id, pipedriveUserIds[key as keyof typeof memberOf], memberId, team.owner.id);
  }

  browser = await launchChromium();
  // The simulator gets its signed tokens from the server's development-only route.
  const probe = await server.api("POST", "/dev/simulator/token", { body: { userId: 1, companyId: 1 } });
  expect(probe.status).toBe(200);
}, 180_000);

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
  removeWebUi?.();
});

/** The simulator's deal page as this Pipedrive user (of `companyId`), and the panel inside it. */
async function openDealAs(member: keyof typeof pipedriveUserIds, companyId = fake.user.company_id): Promise<{ page: Page; panel: FrameLocator }> {
  const page = await browser.newPage();
  openPages.push(page);
  const personas = Object.entries(pipedriveUserIds)
    .map(([key, id]) => `${key}:${id}`)
    .join(",");
  await page.goto(`${server.url}/simulator/index.html?companyId=${companyId}&personas=${personas}&member=${member}&dealId=${deal.id}`);
  return { page, panel: page.frameLocator('iframe[name="panel"]') };
}

const fromOptions = (panel: FrameLocator) => panel.getByLabel("From").locator("option").allTextContents();
const chatList = (panel: FrameLocator) => panel.getByRole("list", { name: "Chats" }).getByRole("button");

describe("Pipedrive panel in the CRM simulator", () => {
  it("lets an Agent send only from their own number, and the message appears in the history", async () => {
    const { page, panel } = await openDealAs("agent");
    await panel.getByRole("list", { name: "People" }).getByText("Grace Hopper").waitFor();
    expect(await panel.getByRole("list", { name: "People" }).locator("code").allTextContents()).toEqual([graceMobile, "+15550100999"]);
    expect(await page.locator('iframe[name="panel"]').getAttribute("data-initialized")).toBe("true");

    await chatList(panel).first().waitFor();
    expect(await chatList(panel).count()).toBe(1);
    expect(await fromOptions(panel)).toEqual([expect.stringContaining(agentLineNumber)]);

    await chatList(panel).first().click();
    await panel.getByLabel("Message", { exact: true }).fill("Hello Grace, here is your quote.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    const history = panel.getByRole("list", { name: "Messages" });
    await history.getByText("Hello Grace, here is your quote.").waitFor();
    await page.getByRole("status").filter({ hasText: "WhatsApp message sent" }).waitFor();

    // Logged to Pipedrive as a note on the deal (the workspace logs notes by default).
    const note = await eventually(() => {
      const found = fake.notes.find((candidate) => candidate.content.includes("Hello Grace, here is your quote."));
      if (!found) throw new Error("no note yet");
      return found;
    }, 20_000);
    expect(note.deal_id ?? note.person_id).toBeTruthy();
    // PANEL_SCREENSHOT=/tmp/panel.png keeps a picture of the simulator with the Agent's panel.
    if (process.env.PANEL_SCREENSHOT) await page.screenshot({ path: process.env.PANEL_SCREENSHOT, fullPage: true });
  });

  it("shows a Collaborator only the chat they are responsible for, replying from its line", async () => {
    const { panel } = await openDealAs("collaborator");
    await chatList(panel).first().waitFor();
    expect(await chatList(panel).count()).toBe(1);
    expect(await fromOptions(panel)).toEqual([expect.stringContaining(ownerLineNumber)]);
    await chatList(panel).first().click();
    expect(await panel.getByTestId("responsible").textContent()).toContain("The collaborator");
  });

  it("lets a Teammate pick any account and change the responsible", async () => {
    const { panel } = await openDealAs("teammate");
    await chatList(panel).nth(1).waitFor();
    expect(await chatList(panel).count()).toBe(2);
    const options = await fromOptions(panel);
    expect(options).toHaveLength(2);
    expect(options.join(" ")).toContain(agentLineNumber);
    expect(options.join(" ")).toContain(ownerLineNumber);

    // The responsible is shown and, with abilities.assign, changeable.
    await chatList(panel).first().click();
    await panel.getByLabel("Responsible").selectOption({ label: "The agent" });
    await eventually(async () => {
      const chats = (await server.api("GET", "/chats", { token: team.owner.token })).body.data as { responsibleId: string | null }[];
      expect(chats.map((chat) => chat.responsibleId)).toContain(team.agent.id);
    });
  });

  it("shows a suspended member a locked screen", async () => {
    const { panel } = await openDealAs("suspended");
    const locked = panel.getByRole("alert", { name: "Access locked" });
    await locked.waitFor();
    expect(await locked.textContent()).toContain("Your Switchboard access is suspended");
    expect(await panel.getByRole("list", { name: "Chats" }).count()).toBe(0);
  });

  it("tells an unlinked user which connection is missing and who can make it", async () => {
    const { panel } = await openDealAs("unlinked");
    const screen = panel.getByRole("alert", { name: "Missing connection" });
    await screen.waitFor();
    expect(await screen.getAttribute("data-missing")).toBe("member_link");
    expect(await screen.textContent()).toContain("Your Pipedrive user is not linked to Switchboard");

    const { panel: otherCompany } = await openDealAs("owner", 424242);
    const notConnected = otherCompany.getByRole("alert", { name: "Missing connection" });
    await notConnected.waitFor();
    expect(await notConnected.getAttribute("data-missing")).toBe("workspace_connection");
    expect(await notConnected.textContent()).toContain("An Owner or Admin");
  });
});
