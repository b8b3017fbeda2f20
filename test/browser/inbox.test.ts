import type { Page, Request } from "playwright-core";
import { seedDemoTemplates } from "../../server/demo/templates";
import { startFakeGraphApi } from "../fakes/graph-api";
import { type BuiltMember, insertChatDirectly, insertMemberDirectly, insertRoleDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The console's Inbox, built by vite.config.ts and served by the real app over a fresh database,
// driven in Debian's Chromium. Data comes from the real API (and factories); live updates come
// over the real GET /events stream.

// Connecting a Cloud API number asks Meta whether the token controls it: a fake Graph API that
// has the number in the WABA the token manages, as a real Meta setup would.
const cloudLine = { phoneNumberId: "1055501060001", wabaId: "2055501060001", accessToken: "EAAG-test-token-0123456789" };
const suite = webUiSuite(async (webRoot) => {
  const graph = await startFakeGraphApi({ accessToken: cloudLine.accessToken });
  graph.registerPhoneNumber({ wabaId: cloudLine.wabaId, phoneNumberId: cloudLine.phoneNumberId, displayPhoneNumber: "+1 555-010-6000" });
  const server = await startWebTestServer(webRoot, { GRAPH_API_BASE_URL: graph.url });
  return {
    ...server,
    async close() {
      await server.close();
      await graph.close();
    },
  };
});

async function logIn(member: { email: string }, page?: Page): Promise<Page> {
  page ??= await newPage();
  await page.goto(`${suite.server.url}/#/login`);
  await page.getByLabel("Email", { exact: true }).fill(member.email);
  await page.getByLabel("Password", { exact: true }).fill(testPassword);
  await page.getByRole("button", { name: "Log in" }).click();
  return page;
}

async function newPage(): Promise<Page> {
  const page = await suite.newPage();
  return page;
}

async function team(...roleIds: string[]) {
  const workspace = await insertWorkspaceDirectly(suite.server.database.db);
  const members: BuiltMember[] = [];
  for (const roleId of roleIds) {
    const name = `${roleId[0]?.toUpperCase()}${roleId.slice(1)} ${members.length + 1}`;
    members.push(await insertMemberDirectly(suite.server.database.db, workspace, { roleId, name }));
  }
  return { workspace, members };
}

async function connectSandbox(member: BuiltMember, displayName: string, phoneNumber: string) {
  const connected = await suite.server.api("POST", "/whatsapp-accounts", { token: member.token, body: { provider: "sandbox", phoneNumber, displayName } });
  expect(connected.status).toBe(201);
  return connected.body.account as { id: string };
}

/** A customer writes to a sandbox account (the API the simulator uses); answers the chat id. */
async function customerWrites(member: BuiltMember, accountId: string, from: string, text: string, name?: string): Promise<string> {
  const arrived = await suite.server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, {
    token: member.token,
    body: { from, text, ...(name ? { name } : {}) },
  });
  expect(arrived.status).toBe(201);
  return arrived.body.chatId;
}

const chatList = (page: Page) => page.getByRole("list", { name: "Chats" });
const chatItem = (page: Page, name: string | RegExp) => chatList(page).getByRole("button", { name });
const history = (page: Page) => page.getByRole("list", { name: "Messages" });
const composer = (page: Page) => page.getByRole("textbox", { name: "Message" });
const sectionLinks = (page: Page) => page.getByRole("navigation", { name: "Console sections" }).getByRole("link").allTextContents();

/**
 * Counts the API calls a page makes (to prove that updates arrived live, not by polling), and the
 * GET /events connections still open (a development build's StrictMode opens and aborts one more).
 */
function watchApi(page: Page) {
  const seen: string[] = [];
  const openStreams = new Set<Request>();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/api/v1/")) seen.push(`${request.method()} ${url.pathname}`);
    if (url.pathname === "/api/v1/events") openStreams.add(request);
  });
  page.on("requestfailed", (request) => openStreams.delete(request));
  page.on("requestfinished", (request) => openStreams.delete(request));
  return { calls: (entry: string) => seen.filter((call) => call === entry).length, openStreams: () => openStreams.size };
}

describe("inbox", () => {
  it("shows an Agent customer messages as they arrive, lets them reply and shows delivery live", async () => {
    const { members } = await team("owner", "agent");
    const [owner, agent] = members as [BuiltMember, BuiltMember];
    const line = await connectSandbox(agent, "Support line", "+1 555 010 2000");
    const maria = await customerWrites(agent, line.id, "+44 7700 900001", "Hi! Has my order #4411 shipped yet?", "Maria Lopez");
    await customerWrites(agent, line.id, "+44 7700 900002", "Do you deliver to Lisbon?", "João Silva");
    const priya = await customerWrites(agent, line.id, "+44 7700 900003", "Thanks, the replacement arrived 🙌", "Priya Nair");
    await suite.server.api("PUT", `/chats/${priya}/responsible`, { token: agent.token, body: { memberId: owner.id } });

    const page = await newPage();
    const { calls, openStreams } = watchApi(page);
    await logIn(agent, page);
    await chatItem(page, /Priya Nair/).waitFor();
    expect(page.url()).toMatch(/#\/inbox$/);
    expect(await sectionLinks(page)).toEqual(["Inbox", "WhatsApp numbers", "Templates", "Campaigns", "Team", "Roles", "Integrations", "Settings"]);
    expect(
      await chatList(page)
        .getByRole("button")
        .evaluateAll((items) => items.map((item) => item.querySelector(".chat-item-name")?.textContent)),
    ).toEqual(["Priya Nair", "João Silva", "Maria Lopez"]);
    expect(await chatItem(page, /Priya Nair/).textContent()).toContain("Owner 1");

    await chatItem(page, /Maria Lopez/).click();
    await history(page).getByText("Hi! Has my order #4411 shipped yet?").waitFor();
    expect(page.url()).toContain(`#/inbox/${maria}`);
    // What loading took (a development build's StrictMode runs each effect twice): nothing more may follow.
    const listLoads = calls("GET /api/v1/chats");
    const historyLoads = calls(`GET /api/v1/chats/${maria}/messages`);

    // The customer writes again: the open chat and the list update without a reload or a poll.
    await customerWrites(agent, line.id, "+44 7700 900001", "Also, can I change the delivery address?");
    await history(page).getByText("Also, can I change the delivery address?").waitFor();
    await chatItem(page, /Maria Lopez.*change the delivery address/).waitFor();
    expect(await chatList(page).getByRole("button").first().textContent()).toContain("Maria Lopez");

    // The simulator tool: a new customer appears in the list live.
    await page.getByRole("button", { name: "Simulate customer message" }).click();
    const simulator = page.getByRole("dialog", { name: "Simulate a customer message" });
    await simulator.getByLabel("Customer phone").fill("+44 7700 900077");
    await simulator.getByLabel("Customer name").fill("Sam Carter");
    await simulator.getByLabel("Customer message").fill("Hello from the simulator");
    await simulator.getByRole("button", { name: "Send as customer" }).click();
    await simulator.getByRole("status").filter({ hasText: "arrived" }).waitFor();
    await simulator.getByRole("button", { name: "Done" }).click();
    await chatItem(page, /Sam Carter.*Hello from the simulator/).waitFor();
    // The simulated customer sends one of the sandbox's sample files: a PDF, without a caption.
    await page.getByRole("button", { name: "Simulate customer message" }).click();
    await simulator.getByLabel("Customer phone").fill("+44 7700 900077");
    await simulator.getByLabel("Customer sends").selectOption("pdf");
    expect(await simulator.getByLabel("Caption (optional)").inputValue()).toBe("");
    await simulator.getByRole("button", { name: "Send as customer" }).click();
    await simulator.getByRole("status").filter({ hasText: "arrived" }).waitFor();
    await simulator.getByRole("button", { name: "Done" }).click();
    await chatItem(page, /Sam Carter.*\[document\] Invoice 2026-117\.pdf/).waitFor();

    // The reply goes out and its ticks move on to delivered and read as the sandbox phone reports them.
    await composer(page).fill("Yes, it ships today. Send me the new address and I'll update it.");
    await composer(page).press("Enter");
    const reply = history(page).getByRole("listitem").filter({ hasText: "Yes, it ships today." });
    await reply.waitFor();
    expect(await composer(page).inputValue()).toBe("");
    expect(await reply.locator(".message-author").textContent()).toBe("Agent 2");
    await reply
      .getByRole("img", { name: "Delivered" })
      .or(reply.getByRole("img", { name: "Read" }))
      .waitFor();
    await reply.getByRole("img", { name: "Read" }).waitFor();
    await chatItem(page, /Maria Lopez.*Yes, it ships today/).waitFor();

    expect(calls("GET /api/v1/chats")).toBe(listLoads);
    expect(calls(`GET /api/v1/chats/${maria}/messages`)).toBe(historyLoads);
    expect(openStreams()).toBe(1);
    // One connection for the whole session: moving between sections keeps it.
    const connections = calls("GET /api/v1/events");
    await page.getByRole("link", { name: "Team" }).click();
    await page.getByRole("link", { name: "Inbox" }).click();
    await chatItem(page, /Sam Carter/).waitFor();
    await chatItem(page, /Maria Lopez/).click();
    await reply.getByRole("img", { name: "Read" }).waitFor();
    expect(calls("GET /api/v1/events")).toBe(connections);
    expect(openStreams()).toBe(1);
    await page.screenshot({ path: "/tmp/inbox.png" });

    const stored = await suite.server.api("GET", `/chats/${maria}/messages`, { token: owner.token });
    expect(
      stored.body.data.map((message: { direction: string; status: string; authorId: string | null }) => [message.direction, message.status, message.authorId]),
    ).toEqual([
      ["out", "read", agent.id],
      ["in", "received", null],
      ["in", "received", null],
    ]);

    // Logging out closes the live connection.
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Log in" }).waitFor();
    await expect.poll(openStreams).toBe(0);
  });

  it("shows a Collaborator only the chat assigned to them, with a composer and no New chat; a chat taken away goes", async () => {
    const { members } = await team("owner", "agent", "collaborator");
    const [owner, agent, collaborator] = members as [BuiltMember, BuiltMember, BuiltMember];
    const line = await connectSandbox(agent, "Sales line", "+1 555 010 3000");
    const theirs = await customerWrites(agent, line.id, "+49 151 1000001", "Can someone call me back?", "Clara Becker");
    const other = await customerWrites(agent, line.id, "+49 151 1000002", "What are your prices?", "Dieter Wolf");
    expect((await suite.server.api("PUT", `/chats/${theirs}/responsible`, { token: owner.token, body: { memberId: collaborator.id } })).status).toBe(200);

    const page = await logIn(collaborator);
    await chatItem(page, /Clara Becker/).waitFor();
    expect(await chatList(page).getByRole("button").count()).toBe(1);
    expect(await chatItem(page, /Clara Becker/).textContent()).toContain("You");
    expect(await page.getByRole("button", { name: "New chat" }).count()).toBe(0);

    await chatItem(page, /Clara Becker/).click();
    await history(page).getByText("Can someone call me back?").waitFor();
    await composer(page).waitFor();
    expect(await page.getByLabel("Responsible").count()).toBe(0);

    // Assigned to them while they look: the chat newly visible arrives live.
    expect((await suite.server.api("PUT", `/chats/${other}/responsible`, { token: owner.token, body: { memberId: collaborator.id } })).status).toBe(200);
    await chatItem(page, /Dieter Wolf/).waitFor();

    // Unassigned by the Owner while they have it open: the live "no longer visible" event takes the
    // chat out of the list and closes it at once, telling the member why; nothing can be sent.
    await composer(page).fill("I'll call you in five minutes.");
    expect((await suite.server.api("PUT", `/chats/${theirs}/responsible`, { token: owner.token, body: { memberId: null } })).status).toBe(200);
    await page.getByRole("status").filter({ hasText: "This chat is no longer visible to you" }).waitFor();
    await chatItem(page, /Clara Becker/).waitFor({ state: "detached" });
    expect(await chatList(page).getByRole("button").allTextContents()).toEqual([expect.stringContaining("Dieter Wolf")]);
    expect(await composer(page).count()).toBe(0);
    const stored = await suite.server.api("GET", `/chats/${theirs}/messages`, { token: owner.token });
    expect(stored.body.data).toHaveLength(1);
  });

  it("lets a Teammate start a chat from any account, and an Agent only from their own", async () => {
    const { members } = await team("owner", "teammate", "agent");
    const [owner, teammate, agent] = members as [BuiltMember, BuiltMember, BuiltMember];
    const headOffice = await connectSandbox(owner, "Head office", "+1 555 010 4000");
    await connectSandbox(agent, "Agent's phone", "+1 555 010 4001");
    // The Owner synced the line's templates from Meta (the Templates page's "Sync from Meta").
    expect((await suite.server.api("POST", "/templates/sync", { token: owner.token, body: { accountId: headOffice.id } })).status).toBe(200);

    const page = await logIn(teammate);
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New chat" });
    const accountOptions = () => dialog.getByLabel("From account").locator("option").allTextContents();
    expect(await accountOptions()).toEqual(["Head office · +15550104000", "Agent's phone · +15550104001"]);
    await dialog.getByLabel("From account").selectOption({ label: "Head office · +15550104000" });
    await dialog.getByLabel("Phone number").fill("+34 612 345 678");
    // A customer who has not written has no 24-hour window: the first message is an approved template.
    await dialog.getByLabel("Template", { exact: true }).selectOption({ label: "Appointment reminder (utility)" });
    await dialog.getByLabel("Name", { exact: true }).fill("Lucía");
    await dialog.getByLabel("your appointment on …").fill("Monday 10:00");
    expect(await dialog.getByRole("region", { name: "Preview" }).textContent()).toBe(
      "Hello Lucía, a reminder of your appointment on Monday 10:00. Reply to this message to change it.",
    );
    await dialog.getByRole("button", { name: "Start chat" }).click();
    await history(page).getByText("[template appointment_reminder] Lucía · Monday 10:00").waitFor();
    // Shown in international format (issue 13 §6).
    await chatItem(page, /\+34 612 34 56 78/).waitFor();
    expect(await dialog.count()).toBe(0);

    const agentPage = await logIn(agent);
    await agentPage.getByRole("button", { name: "New chat" }).click();
    expect(await agentPage.getByRole("dialog", { name: "New chat" }).getByLabel("From account").locator("option").allTextContents()).toEqual([
      "Agent's phone · +15550104001",
    ]);
  });

  it("shows a role with chats.view all and chats.reply none the history but no composer", async () => {
    const { workspace, members } = await team("owner", "agent");
    const agent = members[1] as BuiltMember;
    const line = await connectSandbox(agent, "Support line", "+1 555 010 5000");
    await customerWrites(agent, line.id, "+33 6 12 34 56 78", "Bonjour, où est mon colis ?", "Élodie Martin");
    const observer = await insertRoleDirectly(suite.server.database.db, workspace, { "chats.view": "all", "chats.reply": "none" }, "Observer");
    const member = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: observer.id, name: "Oscar Observer" });

    const page = await logIn(member);
    await chatItem(page, /Élodie Martin/).click();
    await history(page).getByText("Bonjour, où est mon colis ?").waitFor();
    await page.getByText("you may not reply in it").waitFor();
    expect(await composer(page).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Send/ }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "New chat" }).count()).toBe(0);
    expect(await page.getByLabel("Responsible").count()).toBe(0);
  });

  it("filters by Mine, Unassigned, account and search, pages with Load more, and sets the responsible", async () => {
    const { workspace, members } = await team("owner", "agent");
    const [owner, agent] = members as [BuiltMember, BuiltMember];
    const agentLine = await connectSandbox(agent, "Agent line", "+1 555 010 7000");
    const headOffice = await connectSandbox(owner, "Head office", "+1 555 010 7001");
    for (let index = 1; index <= 32; index += 1) {
      await insertChatDirectly(suite.server.database.db, workspace, agentLine, { name: `Customer ${String(index).padStart(2, "0")}` });
    }
    await insertChatDirectly(suite.server.database.db, workspace, agentLine, { name: "Zoe Zimmer", responsibleId: owner.id });
    await insertChatDirectly(suite.server.database.db, workspace, headOffice, { name: "Hannah Hart" });

    const page = await logIn(owner);
    const names = () => chatList(page).locator(".chat-item-name").allTextContents();
    await chatItem(page, /Hannah Hart/).waitFor();
    expect(await chatList(page).getByRole("button").count()).toBe(30);
    await page.getByRole("button", { name: "Load more" }).click();
    await chatItem(page, /Customer 01/).waitFor();
    expect(await chatList(page).getByRole("button").count()).toBe(34);
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);

    await page.getByRole("button", { name: "Mine", exact: true }).click();
    await expect.poll(names).toEqual(["Zoe Zimmer"]);
    await page.getByRole("button", { name: "Unassigned", exact: true }).click();
    await page.getByLabel("Account", { exact: true }).selectOption({ label: "Head office" });
    await expect.poll(names).toEqual(["Hannah Hart"]);
    await page.getByRole("button", { name: "All", exact: true }).click();
    await page.getByLabel("Account", { exact: true }).selectOption({ label: "All accounts" });
    await page.getByRole("searchbox", { name: "Search chats" }).fill("Customer 07");
    await expect.poll(names).toEqual(["Customer 07"]);

    await chatItem(page, /Customer 07/).click();
    await page.getByLabel("Responsible").selectOption({ label: "Agent 2" });
    await expect
      .poll(() =>
        chatItem(page, /Customer 07/)
          .locator(".tag")
          .first()
          .textContent(),
      )
      .toBe("Agent 2");
    const chatId = (await chatItem(page, /Customer 07/).getAttribute("data-chat-id")) as string;
    expect((await suite.server.api("GET", `/chats/${chatId}`, { token: owner.token })).body.responsibleId).toBe(agent.id);
  });

  it("offers only a template once a sandbox chat's 24-hour window is closed: picks an approved one, its name filled from the contact, previews and sends it", async () => {
    const { workspace, members } = await team("owner");
    const owner = members[0] as BuiltMember;
    const line = await connectSandbox(owner, "Sales line", "+1 555 010 7000");
    await seedDemoTemplates(suite.server.database.db, workspace.id, owner.id);
    const chat = await insertChatDirectly(suite.server.database.db, workspace, line, {
      name: "Quinn Sandbox",
      customerWroteAt: new Date(Date.now() - 25 * 60 * 60 * 1000),
    });

    const page = await logIn(owner);
    await chatItem(page, /Quinn Sandbox/).click();
    await page.getByText("The 24-hour window is closed.").waitFor();
    expect(await composer(page).count()).toBe(0);
    const form = page.getByRole("form", { name: "Send a template" });
    const picker = form.getByLabel("Template");
    await picker.locator("option", { hasText: "Order update" }).waitFor({ state: "attached" });
    // Only the approved ones: the pending and the rejected cannot be sent, so they are not offered.
    expect(await picker.locator("option").allTextContents()).toEqual([
      "Choose a template…",
      "Appointment reminder (utility)",
      "Follow up (marketing)",
      "Order update (utility)",
    ]);
    // No name or numbered parameter typed: the greeting's name comes from the contact.
    expect(await form.getByRole("textbox", { name: "Template name" }).count()).toBe(0);
    await picker.selectOption({ label: "Order update (utility)" });
    expect(await form.getByLabel("Name").inputValue()).toBe("Quinn");
    const preview = form.getByRole("region", { name: "Preview" });
    expect(await preview.textContent()).toBe("Hi Quinn, your order […] is on its way.");
    expect(await form.getByRole("button", { name: "Send template" }).isDisabled()).toBe(true);
    await form.getByLabel("your order …").fill("A-2001");
    expect(await preview.textContent()).toBe("Hi Quinn, your order A-2001 is on its way.");
    await form.getByRole("button", { name: "Send template" }).click();
    await history(page).getByText("[template order_update] Quinn · A-2001").waitFor();
    const sent = (await suite.server.api("GET", `/chats/${chat.id}/messages`, { token: owner.token })).body.data[0];
    expect(sent).toMatchObject({ direction: "out", templateName: "order_update", authorId: owner.id });
    // Still closed: the business's own template does not reopen the window; only the customer can.
    expect(await composer(page).count()).toBe(0);
  });

  it("offers a template on demand while the window is open, and goes back to text on Cancel", async () => {
    const { workspace, members } = await team("owner");
    const owner = members[0] as BuiltMember;
    const line = await connectSandbox(owner, "Sales line", "+1 555 010 7100");
    await seedDemoTemplates(suite.server.database.db, workspace.id, owner.id);
    await customerWrites(owner, line.id, "+15550107101", "Any news?", "Rosa Open");

    const page = await logIn(owner);
    await chatItem(page, /Rosa Open/).click();
    await composer(page).waitFor();
    await page.getByRole("button", { name: "Template", exact: true }).click();
    const form = page.getByRole("form", { name: "Send a template" });
    await form.getByLabel("Template").selectOption({ label: "Follow up (marketing)" });
    expect(await form.getByRole("region", { name: "Preview" }).textContent()).toBe(
      "Hi Rosa, following up on our conversation: is there anything else we can help with?",
    );
    await form.getByRole("button", { name: "Cancel" }).click();
    await composer(page).waitFor();
    await page.getByRole("button", { name: "Template", exact: true }).click();
    await form.getByLabel("Template").selectOption({ label: "Follow up (marketing)" });
    await form.getByRole("button", { name: "Send template" }).click();
    await history(page).getByText("[template follow_up] Rosa").waitFor();
    await composer(page).waitFor();
  });

  it("says there is no approved template for a Cloud number none were synced for", async () => {
    const { workspace, members } = await team("owner");
    const owner = members[0] as BuiltMember;
    const cloud = await suite.server.api("POST", "/whatsapp-accounts", {
      token: owner.token,
      body: {
        provider: "cloud",
        phoneNumber: "+1 555 010 6000",
        displayName: "Cloud line",
        cloud: cloudLine,
      },
    });
    expect(cloud.status).toBe(201);
    await insertChatDirectly(suite.server.database.db, workspace, cloud.body.account, { name: "Quiet Customer" });

    const page = await logIn(owner);
    await chatItem(page, /Quiet Customer/).click();
    await page.getByText("The 24-hour window is closed.").waitFor();
    await page.getByText("No approved template for this WhatsApp number yet.", { exact: false }).waitFor();
    expect(await composer(page).count()).toBe(0);
  });
});

describe("inbox: fixes from the walkthrough", () => {
  it("runs a right-to-left message right to left, its punctuation at the right end", async () => {
    const { members } = await team("owner", "agent");
    const agent = members[1] as BuiltMember;
    const line = await connectSandbox(agent, "Gulf line", "+1 555 010 7000");
    await customerWrites(agent, line.id, "+971 50 123 4567", "مرحبا، هل طلبي جاهز؟", "Layla Haddad");

    const page = await logIn(agent);
    await chatItem(page, /Layla Haddad/).click();
    const text = history(page).locator(".message-text").filter({ hasText: "مرحبا" });
    await text.waitFor();
    expect(await text.getAttribute("dir")).toBe("auto");
    expect(await text.evaluate((element) => getComputedStyle(element).direction)).toBe("rtl");
    // English text stays left to right, and so does the composer until the member types Arabic.
    await composer(page).fill("Yes, it ships today.");
    expect(await composer(page).evaluate((element) => getComputedStyle(element).direction)).toBe("ltr");
    await composer(page).fill("نعم، يُشحن اليوم.");
    expect(await composer(page).evaluate((element) => element.matches(":dir(rtl)"))).toBe(true);
  });

  it("counts a reply's characters and says in a sentence when it is longer than WhatsApp takes", async () => {
    const { members } = await team("owner", "agent");
    const agent = members[1] as BuiltMember;
    const line = await connectSandbox(agent, "Support line", "+1 555 010 7100");
    const chatId = await customerWrites(agent, line.id, "+44 7700 900101", "Please send the full terms.", "Tom Reid");

    const page = await logIn(agent);
    await chatItem(page, /Tom Reid/).click();
    const counter = page.getByTestId("message-length");
    await composer(page).fill("Hello");
    expect(await counter.textContent()).toBe("5 / 4,096");
    await composer(page).fill("x".repeat(4_100));
    expect(await counter.textContent()).toBe("4,100 / 4,096");
    expect(await page.getByRole("alert").textContent()).toContain("Messages can have at most 4,096 characters: remove 4.");
    expect(await page.getByRole("button", { name: "Send", exact: true }).isDisabled()).toBe(true);
    await composer(page).press("Enter");
    // Enter does not send it either: only the customer's message is stored.
    expect((await suite.server.api("GET", `/chats/${chatId}/messages`, { token: agent.token })).body.data).toHaveLength(1);
    expect(await page.getByText(/body\.text|Too big|<=/).count()).toBe(0);

    await composer(page).fill("x".repeat(4_096));
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Send", exact: true }).isEnabled()).toBe(true);
  });

  it("says how long to wait in minutes, not seconds, after too many wrong passwords", async () => {
    const { members } = await team("owner");
    const owner = members[0] as BuiltMember;
    for (let attempt = 0; attempt < 10; attempt++) {
      await suite.server.api("POST", "/sessions", { body: { email: owner.email, password: "not the password" } });
    }
    const page = await newPage();
    await page.goto(`${suite.server.url}/#/login`);
    await page.getByLabel("Email", { exact: true }).fill(owner.email);
    await page.getByLabel("Password", { exact: true }).fill("still not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Too many attempts; try again in 1[45] minutes\.$/);
  });

  it("sends once: Send again after a lost answer carries the same Idempotency-Key, and a double submit sends once", async () => {
    const { members } = await team("owner", "agent");
    const agent = members[1] as BuiltMember;
    const line = await connectSandbox(agent, "Support line", "+1 555 010 7200");
    const chatId = await customerWrites(agent, line.id, "+44 7700 900201", "Can we meet tomorrow?", "Nina Park");
    const page = await logIn(agent);
    await chatItem(page, /Nina Park/).click();
    const keys: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith(`/api/v1/chats/${chatId}/messages`)) keys.push(request.headers()["idempotency-key"] ?? "");
    });
    // The first answer is lost on its way back: the server has sent the message, the browser sees a network error.
    let loseAnswer = true;
    await page.route(`**/api/v1/chats/${chatId}/messages`, async (route) => {
      if (route.request().method() !== "POST" || !loseAnswer) return route.fallback();
      loseAnswer = false;
      await route.fetch();
      await route.abort("connectionreset");
    });
    await composer(page).fill("See you at 10.");
    await composer(page).press("Enter");
    await page.getByRole("alert").filter({ hasText: "could not be reached" }).waitFor();
    expect(await composer(page).inputValue()).toBe("See you at 10.");
    await composer(page).press("Enter");
    // The first send already reached the server, so the live stream may show it before this answer arrives:
    // wait for the composer to be emptied by the accepted answer, not only for the message in the history.
    await expect.poll(() => composer(page).inputValue(), { timeout: 10_000 }).toBe("");
    await history(page).getByText("See you at 10.").waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);

    // Two submits in one go (a double click's worth, before React re-renders): one request.
    await composer(page).fill("Double-checked.");
    await page.getByRole("form", { name: "Reply" }).evaluate((form) => {
      (form as HTMLFormElement).requestSubmit();
      (form as HTMLFormElement).requestSubmit();
    });
    await history(page).getByText("Double-checked.").waitFor();
    const stored = await suite.server.api("GET", `/chats/${chatId}/messages`, { token: agent.token });
    expect(stored.body.data.map((message: { text: string }) => message.text)).toEqual(["Double-checked.", "See you at 10.", "Can we meet tomorrow?"]);
    expect(keys).toHaveLength(3);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("keeps a draft per chat across a reload and logging out and in, and forgets it once sent", async () => {
    const { members } = await team("owner", "agent");
    const agent = members[1] as BuiltMember;
    const line = await connectSandbox(agent, "Support line", "+1 555 010 7300");
    await customerWrites(agent, line.id, "+44 7700 900301", "Is the shop open on Sunday?", "Omar Aziz");
    await customerWrites(agent, line.id, "+44 7700 900302", "Where is my parcel?", "Rita Moreno");
    const page = await logIn(agent);
    await chatItem(page, /Omar Aziz/).click();
    await composer(page).fill("Yes, from 10 to 4,");
    await chatItem(page, /Rita Moreno/).click();
    await history(page).getByText("Where is my parcel?").waitFor();
    expect(await composer(page).inputValue()).toBe("");
    await composer(page).fill("It left the depot");

    await page.reload();
    await chatItem(page, /Rita Moreno/).waitFor();
    expect(await composer(page).inputValue()).toBe("It left the depot");
    await chatItem(page, /Omar Aziz/).click();
    await history(page).getByText("Is the shop open on Sunday?").waitFor();
    expect(await composer(page).inputValue()).toBe("Yes, from 10 to 4,");

    await page.getByRole("button", { name: "Log out" }).click();
    await logIn(agent, page);
    await chatItem(page, /Omar Aziz/).click();
    await history(page).getByText("Is the shop open on Sunday?").waitFor();
    expect(await composer(page).inputValue()).toBe("Yes, from 10 to 4,");
    await composer(page).press("Enter");
    await history(page).getByText("Yes, from 10 to 4,").waitFor();
    expect(await composer(page).inputValue()).toBe("");
    await page.reload();
    await chatItem(page, /Omar Aziz/).click();
    await history(page).getByText("Yes, from 10 to 4,").waitFor();
    expect(await composer(page).inputValue()).toBe("");

    // Another member at the same browser does not see the Agent's drafts.
    const owner = members[0] as BuiltMember;
    await page.getByRole("button", { name: "Log out" }).click();
    await logIn(owner, page);
    await chatItem(page, /Rita Moreno/).click();
    await history(page).getByText("Where is my parcel?").waitFor();
    expect(await composer(page).inputValue()).toBe("");
  });

  it("shows a Collaborator no Unassigned filter and no sandbox tool, which could never apply to them", async () => {
    const { members } = await team("owner", "agent", "collaborator");
    const [owner, agent, collaborator] = members as [BuiltMember, BuiltMember, BuiltMember];
    const line = await connectSandbox(agent, "Sales line", "+1 555 010 7400");
    const chatId = await customerWrites(agent, line.id, "+49 151 1000101", "Please call me back.", "Karl Weber");
    expect((await suite.server.api("PUT", `/chats/${chatId}/responsible`, { token: owner.token, body: { memberId: collaborator.id } })).status).toBe(200);
    const views = (page: Page) => page.getByRole("group", { name: "Show" }).getByRole("button").allTextContents();

    const agentPage = await logIn(agent);
    await chatItem(agentPage, /Karl Weber/).waitFor();
    expect(await views(agentPage)).toEqual(["All", "Mine", "Unassigned"]);
    await agentPage.getByRole("button", { name: "Simulate customer message" }).waitFor();

    const page = await logIn(collaborator);
    await chatItem(page, /Karl Weber/).waitFor();
    expect(await views(page)).toEqual(["All", "Mine"]);
    expect(await page.getByRole("button", { name: "Simulate customer message" }).count()).toBe(0);
  });
});
