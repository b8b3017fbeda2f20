import type { FrameLocator, Page } from "playwright-core";
import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { contactsWebhook, inboundTextWebhook, newWamid } from "../fakes/whatsapp-webhooks";
import { logInToConsole, logInToSection } from "../support/console";
import { failOnContractRefusals } from "../support/pipedrive-contract";
import { chatList, graceMobile, graceWork, type SimulatorStack, startSimulatorStack } from "../support/pipedrive-simulator";

type Chat = { id: string; accountId: string; contact: { phone: string | null } };

// Masked numbers (issue 15 item 1), in the built console and the Pipedrive panel inside the CRM
// simulator: the Admin turns full numbers off for Agents and Collaborators in Settings; the Agent
// then finds no full number of Grace Hopper's anywhere in the console's page or the panel — chat
// list, chat header, history (a contact card she shared), a search by her full number — cannot
// start a chat by typing a number, and still replies from both, the replies reaching Meta (the
// fake Graph API) on the Agent's Cloud number.

const appSecret = "masked-numbers-app-secret";
const accessToken = "EAAG-masked-numbers-token-0123456789";
const cloud = { wabaId: "2055501090001", phoneNumberId: "1055502090001", display: "+1 555 020 7001" };
const graceWaId = graceMobile.slice(1);
/** A number Grace shares on a contact card: the Agent may not see it either. */
const sharedCard = { name: "Ada Lovelace", phone: "+44 7700 900123" };

let graph: FakeGraphApi | undefined;
let stack: SimulatorStack | undefined;
const pages: Page[] = [];
beforeAll(async () => {
  graph = await startFakeGraphApi({ accessToken });
  stack = await startSimulatorStack({ GRAPH_API_BASE_URL: graph.url, WHATSAPP_APP_SECRET: appSecret });
}, 180_000);
afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
  await stack?.closePages();
});
failOnContractRefusals(() => stack?.fake);
afterAll(async () => {
  await stack?.close();
  await graph?.close();
});

const running = () => {
  if (!stack || !graph) throw new Error("the stack starts in beforeAll");
  return { stack, graph };
};

/** Every 6 digits in a row of a number after its country code: none of them may show. */
function fragmentsOf(nationalDigits: string): string[] {
  return Array.from({ length: nationalDigits.length - 5 }, (_, at) => nationalDigits.slice(at, at + 6));
}
// Grace's mobile and work numbers (her Pipedrive person's) and the number on the card she shared.
const fullNumberFragments = [...fragmentsOf("2079460958"), ...fragmentsOf("5550100999"), ...fragmentsOf("7700900123")];

/** The runs of digits in a page's HTML (digits with spaces, dashes, dots or brackets between) that give away a full number. */
function fullNumbersIn(html: string): string[] {
  const runs = (html.match(/\d[\d\s().-]*\d/g) ?? []).map((run) => run.replace(/\D/g, ""));
  return runs.filter((run) => fullNumberFragments.some((fragment) => run.includes(fragment)));
}

async function newTab(): Promise<Page> {
  const page = await running().stack.browser.newPage();
  pages.push(page);
  return page;
}

/** The Agent connects a Cloud number of their own; Grace writes on it and shares a contact card (Meta's signed webhooks). */
async function graceWritesOnTheAgentsCloudNumber(): Promise<void> {
  const { stack, graph } = running();
  graph.registerPhoneNumber({ wabaId: cloud.wabaId, phoneNumberId: cloud.phoneNumberId, displayPhoneNumber: cloud.display });
  const connected = await stack.server.api("POST", "/whatsapp-accounts", {
    token: stack.team.agent.token,
    body: {
      provider: "cloud",
      phoneNumber: cloud.display,
      displayName: "Agent's Cloud line",
      cloud: { phoneNumberId: cloud.phoneNumberId, wabaId: cloud.wabaId, accessToken },
    },
  });
  expect(connected.status, connected.text).toBe(201);
  // The Agent's sandbox line has its approved templates (the Templates page's "Sync from Meta").
  const synced = await stack.server.api("POST", "/templates/sync", { token: stack.team.agent.token, body: { accountId: stack.lines.agent.id } });
  expect(synced.status).toBe(200);
  const sender = { phoneNumberId: cloud.phoneNumberId, from: { phone: graceWaId }, name: "Grace Hopper" };
  const now = () => Math.floor(Date.now() / 1000);
  for (const payload of [
    inboundTextWebhook({ ...sender, wamid: newWamid(), body: "Is the blue one in stock?", timestamp: now() }),
    contactsWebhook({ ...sender, wamid: newWamid(), timestamp: now(), cards: [{ formattedName: sharedCard.name, phones: [{ phone: sharedCard.phone }] }] }),
  ]) {
    const delivery = await graph.deliverWebhook(`${stack.server.url}/api/v1/inbound/whatsapp`, appSecret, payload);
    expect(delivery.status).toBe(200);
  }
}

const lastSentTo = (waId: string) =>
  running()
    .graph.sentMessages.filter((sent) => sent.body.to.replace("+", "") === waId)
    .at(-1)?.body;

async function expectNoFullNumber(where: string, html: () => Promise<string>) {
  expect(fullNumbersIn(await html()), where).toEqual([]);
}

describe("masked numbers", () => {
  it("the Admin masks numbers in Settings; the Agent sees none in full in the console or the Pipedrive panel, and still replies from both", async () => {
    const { stack } = running();
    await graceWritesOnTheAgentsCloudNumber();

    // The Admin unticks the box in Settings.
    const adminPage = await logInToSection(await newTab(), stack.server.url, stack.team.admin, "Settings");
    const fullNumbers = adminPage.getByRole("region", { name: "Phone numbers" }).getByLabel("Agents and Collaborators see contacts' full numbers");
    expect(await fullNumbers.isChecked()).toBe(true);
    await fullNumbers.uncheck();
    await adminPage.getByRole("status").filter({ hasText: "Agents and Collaborators now see numbers masked" }).waitFor();
    expect((await stack.server.api("GET", "/workspace", { token: stack.team.admin.token })).body.agentsSeeNumbers).toBe(false);

    // The Agent signs in to the console: the chat list, the chat's header and history show the name and "+44 ••• ••• 58".
    const page = await logInToConsole(await newTab(), stack.server.url, stack.team.agent);
    const chats = page.getByRole("list", { name: "Chats" });
    const cloudChat = chats.getByRole("button", { name: /Grace Hopper/ }).filter({ hasText: "Agent's Cloud line" });
    await cloudChat.waitFor();
    expect(await cloudChat.textContent()).toContain("+44 ••• ••• 58");
    await cloudChat.click();
    const history = page.getByRole("list", { name: "Messages" });
    await history.getByText(sharedCard.name).waitFor();
    await page.locator(".chat-header").getByText("+44 ••• ••• 58").waitFor();
    // The shared card's number is masked too, and no tel: link is made of it.
    await history.getByText("+44 ••• ••• 23").waitFor();
    expect(await history.locator('a[href^="tel:"]').count()).toBe(0);
    await expectNoFullNumber("the console with the chat open", () => page.content());

    // The Agent replies; Meta gets it, to Grace's full number (the server knows it).
    await page.getByLabel("Message", { exact: true }).fill("Yes, we have it in blue.");
    await page.keyboard.press("Enter");
    await history.getByText("Yes, we have it in blue.").waitFor();
    await expect.poll(() => lastSentTo(graceWaId)).toMatchObject({ type: "text", text: { body: "Yes, we have it in blue." } });

    // A search by the full number finds her chats and shows them masked.
    const search = page.getByRole("searchbox", { name: "Search chats" }).or(page.getByRole("textbox", { name: "Search chats" }));
    await search.fill("+44 20 7946 0958");
    await expect.poll(async () => (await chats.getByRole("button").allTextContents()).length).toBeGreaterThan(0);
    for (const found of await chats.getByRole("button").allTextContents()) expect(found).toContain("Grace Hopper");
    await chats
      .getByRole("button", { name: /Grace Hopper/ })
      .filter({ hasText: "Agent's Cloud line" })
      .waitFor();
    // (The search box holds what the Agent typed; the results show nothing more.)
    await expectNoFullNumber("the chats found by the full number", () => chats.evaluate((list) => list.outerHTML));
    await search.fill("");
    await expectNoFullNumber("the console after the search", () => page.content());

    // No chat by typed number: New chat says where chats start instead.
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New chat" });
    await dialog.getByText("Your role shows contacts' numbers masked: start chats from a CRM record or an existing chat.").waitFor();
    expect(await dialog.getByLabel("Phone number").count()).toBe(0);
    await dialog.getByRole("button", { name: "Close" }).click();

    // The Pipedrive panel on Grace's deal: her phones and chats masked, and the Agent replies from it.
    const { panel } = await stack.openSimulator("agent");
    const people = panel.getByRole("list", { name: "People" });
    await people.getByText("Grace Hopper").waitFor();
    await people.getByText("+44 ••• ••• 58").waitFor();
    await chatList(panel).first().waitFor();
    await expectNoFullNumber("the Pipedrive panel", () => panelHtml(panel));
    await chatList(panel).filter({ hasText: "Yes, we have it in blue." }).click();
    await panel.getByLabel("Message", { exact: true }).fill("It ships tomorrow.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await panel.getByRole("list", { name: "Messages" }).getByText("It ships tomorrow.").waitFor();
    await expect.poll(() => lastSentTo(graceWaId)).toMatchObject({ type: "text", text: { body: "It ships tomorrow." } });
    await expectNoFullNumber("the Pipedrive panel after the reply", () => panelHtml(panel));

    // And starts a chat from the record: Grace's work number, shown masked, on the Agent's sandbox line.
    await chatList(panel).filter({ hasText: "It ships tomorrow." }).click();
    await panel.getByLabel("To", { exact: true }).selectOption("+1 ••• ••• 99");
    await panel.getByLabel("From", { exact: true }).selectOption({ label: `Test line (${stack.lines.agent.phoneNumber})` });
    await panel.getByText("A new chat starts with an approved template.").waitFor();
    await panel.getByLabel("Template", { exact: true }).selectOption({ label: "Order update (utility)" });
    await panel.getByLabel("your order …").fill("A-1001");
    await panel.getByRole("button", { name: "Send template", exact: true }).click();
    await chatList(panel).filter({ hasText: "+1 ••• ••• 99" }).waitFor();
    const ownersView = (await stack.server.api("GET", "/chats", { token: stack.team.owner.token })).body.data as Chat[];
    expect(ownersView.filter((chat) => chat.contact.phone === graceWork).map((chat) => chat.accountId)).toEqual([stack.lines.agent.id]);
    await expectNoFullNumber("the Pipedrive panel after starting a chat", () => panelHtml(panel));
  }, 120_000);
});

const panelHtml = (panel: FrameLocator) => panel.locator("html").evaluate((root) => root.outerHTML);
