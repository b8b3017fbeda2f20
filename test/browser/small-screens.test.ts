import type { Locator, Page } from "playwright-core";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// Small screens (issue 13 §7): the console at 360 px wide in Debian's Chromium. Sections behind a
// menu button, no page wider than the viewport, and the inbox one column at a time (list → chat → Back).

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));
const phone = { width: 360, height: 740 };
const password = "a long enough password";

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
/** The innermost elements sticking out past the viewport's right edge (the failure message names them). */
const wideElements = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((element) => !element.parentElement || element.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
      .slice(0, 8)
      .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")} "${(element.textContent ?? "").slice(0, 30)}"`),
  );
const nav = (page: Page) => page.getByRole("navigation", { name: "Console sections" });
const chatItem = (page: Page, name: RegExp) => page.getByRole("list", { name: "Chats" }).getByRole("button", { name });

/** Does the element lie wholly inside the viewport's width? */
const withinWidth = (locator: Locator) =>
  locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.left >= 0 && box.right <= window.innerWidth && box.width > 0;
  });

describe("small screens", () => {
  it("at 360 px an Admin who signed up reaches every section through the menu, none wider than the screen; the inbox shows the list or the chat, with Back", async () => {
    const page = await suite.newPage();
    await page.setViewportSize(phone);
    await page.goto(`${suite.server.url}/#/signup`);
    await page.getByLabel("Workspace name").fill("Pocket Co");
    await page.getByLabel("Your name").fill("Ada Admin");
    await page.getByLabel("Email").fill("ada@pocket.test");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("heading", { name: "Team", exact: true }).waitFor();

    // Something to show in the pages' tables: a sandbox line, its templates, a customer's chat.
    const session = await suite.server.api("POST", "/sessions", { body: { email: "ada@pocket.test", password } });
    expect(session.status).toBe(201);
    const token = session.body.token as string;
    const line = await suite.server.api("POST", "/whatsapp-accounts", {
      token,
      body: { provider: "sandbox", phoneNumber: "+1 555 012 0001", displayName: "Pocket line with a rather long display name" },
    });
    expect(line.status).toBe(201);
    const lineId = line.body.account.id as string;
    expect((await suite.server.api("POST", "/templates/sync", { token, body: { accountId: lineId } })).status).toBe(200);
    const inbound = await suite.server.api("POST", `/whatsapp-accounts/${lineId}/sandbox/inbound`, {
      token,
      body: { from: "+447700900555", text: "Hello, is my order on its way to the Lisbon warehouse yet?", name: "Maria Lopez" },
    });
    expect(inbound.status).toBe(201);

    // The sections hide behind the menu button until it is opened.
    const menu = page.getByRole("button", { name: "Menu" });
    expect(await nav(page).isVisible()).toBe(false);
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    const sections = ["Inbox", "WhatsApp numbers", "Templates", "Campaigns", "Team", "Roles", "Integrations", "Activity log", "Settings"];
    for (const section of sections) {
      await menu.click();
      expect(await menu.getAttribute("aria-expanded")).toBe("true");
      await nav(page).getByRole("link", { name: section, exact: true }).click();
      await page.getByRole("heading", { name: section, exact: true }).waitFor();
      // Choosing a section closes the menu.
      await expect.poll(() => nav(page).isVisible()).toBe(false);
      if (section === "Team") await page.getByRole("table", { name: "Members" }).getByRole("cell", { name: "Ada Admin" }).first().waitFor();
      if (section === "Templates") await page.getByText("order_update").first().waitFor();
      if (section === "Activity log") await page.getByRole("table").first().waitFor();
      expect(await overflow(page), `${section} is wider than the screen: ${(await wideElements(page)).join("; ")}`).toBeLessThanOrEqual(phone.width);
    }

    // The inbox: the list alone; a chat alone with Back; Back to the list.
    await menu.click();
    await nav(page).getByRole("link", { name: "Inbox", exact: true }).click();
    const conversations = page.getByRole("complementary", { name: "Conversations" });
    const conversation = page.getByRole("region", { name: "Conversation" });
    await chatItem(page, /Maria Lopez/).waitFor();
    expect(await conversation.isVisible()).toBe(false);
    await chatItem(page, /Maria Lopez/).click();
    await conversation.getByText("Hello, is my order on its way").waitFor();
    expect(await conversations.isVisible()).toBe(false);
    const back = page.getByRole("button", { name: "Back to chats" });
    expect(await back.isVisible()).toBe(true);
    const composer = page.getByRole("textbox", { name: "Message" });
    const send = page.getByRole("button", { name: "Send", exact: true });
    await send.waitFor();
    expect(await withinWidth(composer)).toBe(true);
    expect(await withinWidth(send)).toBe(true);
    expect(await overflow(page)).toBeLessThanOrEqual(phone.width);

    await back.click();
    await chatItem(page, /Maria Lopez/).waitFor();
    expect(await conversation.isVisible()).toBe(false);
    expect(await back.isVisible()).toBe(false);
    expect(await overflow(page)).toBeLessThanOrEqual(phone.width);

    // Dialogs fit the screen.
    for (const [button, title] of [
      ["New chat", "New chat"],
      ["Simulate customer message", "Simulate a customer message"],
    ]) {
      await page.getByRole("button", { name: button, exact: true }).click();
      const dialog = page.getByRole("dialog", { name: title });
      await dialog.waitFor();
      expect(await withinWidth(dialog), `${title} fits`).toBe(true);
      expect(await overflow(page)).toBeLessThanOrEqual(phone.width);
      await dialog.getByRole("button", { name: "Close" }).click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
    }
  });

  it("keeps the desktop as it was: the sections always shown, no menu button, list and chat side by side", async () => {
    const page = await suite.newPage();
    await page.goto(`${suite.server.url}/#/signup`);
    await page.getByLabel("Workspace name").fill("Desk Co");
    await page.getByLabel("Your name").fill("Dee Desk");
    await page.getByLabel("Email").fill("dee@desk.test");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("heading", { name: "Team", exact: true }).waitFor();
    expect(await nav(page).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Menu" }).isVisible()).toBe(false);
    await nav(page).getByRole("link", { name: "Inbox", exact: true }).click();
    await page.getByRole("heading", { name: "Inbox", exact: true }).waitFor();
    expect(await page.getByRole("complementary", { name: "Conversations" }).isVisible()).toBe(true);
    expect(await page.getByRole("region", { name: "Conversation" }).isVisible()).toBe(true);
  });
});
