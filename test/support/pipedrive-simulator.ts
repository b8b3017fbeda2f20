import type { FrameLocator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { devTokenPath } from "../../extension/simulator/tokens";
import { linkPipedriveUser, storeWorkspaceConnection } from "../../server/pipedrive/installations";
import { exchangeAuthorizationCode } from "../../server/pipedrive/oauth";
import { signPanelToken } from "../../server/pipedrive/panel-token";
import { type FakeDeal, type FakePipedrive, startFakePipedrive } from "../fakes/pipedrive";
import { launchChromium, type TestBrowser } from "./browser";
import { insertAccountDirectly, insertChatDirectly, insertMemberDirectly } from "./factories";
import { failOnContractRefusals } from "./pipedrive-contract";
import type { TestServer } from "./server";
import { insertTeamDirectly, type Team } from "./team";
import { buildWebUi, startWebTestServer } from "./web-server";

// The real Pipedrive surfaces, built by vite.config.ts and served by the real app, inside the CRM
// simulator (extension/simulator/), which answers the SDK the way Pipedrive does. The server talks
// to a fake Pipedrive for the deal's persons, the company's users and logging. The server signs
// panel tokens only for the demo CRM, so here the test plays Pipedrive: it answers the simulator's
// token requests itself, signing with the app's JWT secret.

export const graceMobile = "+442079460958";
export const graceWork = "+15550100999";
/** The simulator's personas: one Pipedrive user per member, plus one suspended and one nobody linked. */
export const pipedriveUserIds = { owner: 101, admin: 102, teammate: 103, agent: 104, collaborator: 105, suspended: 106, unlinked: 107 } as const;
export type Persona = keyof typeof pipedriveUserIds;
/** The app's JWT secret in simulator tests (PIPEDRIVE_JWT_SECRET), with which the tests sign as Pipedrive. */
export const simulatorJwtSecret = "simulator-test-jwt-secret";

export type SimulatorStack = {
  server: TestServer;
  fake: FakePipedrive;
  browser: TestBrowser;
  team: Team;
  /** Deal "Enterprise plan — 25 seats" with Grace Hopper (mobile and work numbers) in the fake. */
  deal: FakeDeal;
  lines: { owner: { id: string; phoneNumber: string }; agent: { id: string; phoneNumber: string } };
  /** The member each persona is mapped to (the unlinked one has none). */
  memberOf: Record<Exclude<Persona, "unlinked">, string>;
  /**
   * The simulator as this Pipedrive user (of `companyId`): the deal page, or the app settings page.
   * `startChatModalId` is the id "Developer Hub" gave the app's modal (the server's
   * PIPEDRIVE_START_CHAT_MODAL_ID unless told otherwise; null: no modal registered).
   */
  openSimulator(
    persona: Persona,
    options?: { companyId?: number; view?: "deal" | "settings"; startChatModalId?: string | null },
  ): Promise<{ page: Page; panel: FrameLocator; settings: FrameLocator }>;
  /** Closes the pages opened so far (after each test). */
  closePages(): Promise<void>;
  close(): Promise<void>;
};

/**
 * A fake Pipedrive company (67890) and a workspace connected to it, with a team whose members are
 * Pipedrive users 101–106, sandbox lines of the Owner and the Agent, and Grace Hopper's chats on
 * both (she has just written: their windows are open): the Collaborator is responsible for the one on the Owner's line. `env` adds configuration.
 */
export async function startSimulatorStack(env: Record<string, string> = {}): Promise<SimulatorStack> {
  const fake = await startFakePipedrive();
  const web = await buildWebUi();
  const server = await startWebTestServer(web.webRoot, {
    PIPEDRIVE_CLIENT_ID: fake.clientId,
    PIPEDRIVE_CLIENT_SECRET: fake.clientSecret,
    PIPEDRIVE_OAUTH_HOST: fake.url,
    PIPEDRIVE_JWT_SECRET: simulatorJwtSecret,
    ...env,
  });
  const db = server.database.db;
  const team = await insertTeamDirectly(db);
  const ownerLine = await insertAccountDirectly(db, team.workspace, team.owner.id);
  const agentLine = await insertAccountDirectly(db, team.workspace, team.agent.id);
  const accounts = (await server.api("GET", "/whatsapp-accounts", { token: team.owner.token })).body.data as { id: string; phoneNumber: string }[];
  const numberOf = (id: string) => accounts.find((account) => account.id === id)?.phoneNumber as string;
  const lines = { owner: { id: ownerLine.id, phoneNumber: numberOf(ownerLine.id) }, agent: { id: agentLine.id, phoneNumber: numberOf(agentLine.id) } };

  const grace = fake.addPerson({
    name: "Grace Hopper",
    phones: [
      { value: "+44 20 7946 0958", label: "mobile", primary: true },
      { value: "+1 (555) 010-0999", label: "work", primary: false },
    ],
  });
  const deal = fake.addDeal({ title: "Enterprise plan — 25 seats", person_id: grace.id });
  // Grace wrote to both lines just now, so their 24-hour windows are open and replies may be text.
  const customerWroteAt = new Date();
  await insertChatDirectly(db, team.workspace, ownerLine, { phone: graceMobile, name: "Grace Hopper", responsibleId: team.collaborator.id, customerWroteAt });
  await insertChatDirectly(db, team.workspace, agentLine, { phone: graceMobile, name: "Grace Hopper", customerWroteAt });

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
  const suspended = await insertMemberDirectly(db, team.workspace, { roleId: "teammate", name: "Sam Suspended", status: "suspended" });
  const memberOf = {
    owner: team.owner.id,
    admin: team.admin.id,
    teammate: team.teammate.id,
    agent: team.agent.id,
    collaborator: team.collaborator.id,
    suspended: suspended.id,
  };
  for (const [persona, userId] of Object.entries(pipedriveUserIds)) {
    // Users of the company, as GET /v1/users lists them for the user mapping.
    fake.addUser({ ...fake.user, id: userId, name: `Pipedrive ${persona}`, email: `${persona}@acme.test`, is_admin: false });
    const memberId = memberOf[persona as keyof typeof memberOf];
    if (memberId) await linkPipedriveUser(db, team.workspace.id, userId, memberId, team.owner.id);
  }

  const browser = await launchChromium();
  const openPages: Page[] = [];
  const personas = Object.entries(pipedriveUserIds).map(([key, id]) => ({ key, pipedriveUserId: id }));
  return {
    server,
    fake,
    browser,
    team,
    deal,
    lines,
    memberOf,
    async openSimulator(persona, options = {}) {
      const registeredModalId = options.startChatModalId === undefined ? env.PIPEDRIVE_START_CHAT_MODAL_ID : options.startChatModalId;
      const opened = await openSimulatorPage(browser, server.url, {
        companyId: options.companyId ?? fake.user.company_id,
        personas,
        member: persona,
        dealId: deal.id,
        view: options.view,
        startChatModalId: registeredModalId ?? null,
      });
      openPages.push(opened.page);
      return opened;
    },
    async closePages() {
      await Promise.all(openPages.splice(0).map((page) => page.close()));
    },
    async close() {
      await browser.close();
      await server.close();
      await fake.close();
      web.remove();
    },
  };
}

/**
 * Opens the CRM simulator of the app at `serverUrl` in a new tab of `browser`, as Pipedrive user
 * `member` (a persona's key) of `companyId` on deal `dealId`, or on the app settings page. The tab
 * plays Pipedrive's signing of panel tokens (with the app's JWT secret, simulatorJwtSecret): the
 * server signs only for the demo CRM. `startChatModalId` is the id "Developer Hub" gave the app's
 * modal (null: none registered).
 */
export async function openSimulatorPage(
  browser: TestBrowser,
  serverUrl: string,
  options: {
    companyId: number;
    personas: { key: string; pipedriveUserId: number; label?: string }[];
    member: string;
    dealId: number;
    view?: "deal" | "settings";
    startChatModalId?: string | null;
  },
): Promise<{ page: Page; panel: FrameLocator; settings: FrameLocator }> {
  const page = await browser.newPage();
  await page.route(`${serverUrl}${devTokenPath}`, async (route) => {
    const claims = route.request().postDataJSON() as { userId: number; companyId: number };
    await route.fulfill({ status: 200, json: { token: await signPanelToken(simulatorJwtSecret, claims) } });
  });
  const query = new URLSearchParams({
    companyId: String(options.companyId),
    personas: options.personas.map((persona) => `${persona.key}:${persona.pipedriveUserId}`).join(","),
    member: options.member,
    dealId: String(options.dealId),
    ...(options.view ? { view: options.view } : {}),
  });
  for (const persona of options.personas) if (persona.label) query.set(`name.${persona.key}`, persona.label);
  if (options.startChatModalId) query.set("startChatModalId", options.startChatModalId);
  await page.goto(`${serverUrl}/simulator/index.html?${query}`);
  return { page, panel: page.frameLocator('iframe[name="panel"]'), settings: page.frameLocator('iframe[name="settings"]') };
}

/** The panel's "From" choices, as shown. */
export const fromOptions = (frame: FrameLocator) => frame.getByLabel("From").locator("option").allTextContents();
/** The panel's chat list entries. */
export const chatList = (frame: FrameLocator) => frame.getByRole("list", { name: "Chats" }).getByRole("button");

/**
 * startSimulatorStack() for the calling test file: started before its tests, pages closed after
 * each, taken down after the last. `suite.stack` is the running stack.
 */
export function simulatorSuite(env: Record<string, string> = {}) {
  let stack: SimulatorStack | undefined;
  beforeAll(async () => {
    stack = await startSimulatorStack(env);
  }, 180_000);
  afterEach(() => stack?.closePages());
  failOnContractRefusals(() => stack?.fake);
  afterAll(() => stack?.close());
  return {
    get stack(): SimulatorStack {
      if (!stack) throw new Error("the simulator stack starts in beforeAll");
      return stack;
    },
  };
}
