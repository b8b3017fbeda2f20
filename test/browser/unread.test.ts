import type { Page } from "playwright-core";
import { launchChromium, type TestBrowser } from "../support/browser";
import { logInToConsole } from "../support/console";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// Unread and notifications (issue 13 §5) in Debian's Chromium: read state kept on the server per
// member, so a second device (a second browser, its own profile) follows the first; the tab title
// counts unread chats; desktop notifications and sound are a per-member setting.

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));
const extraBrowsers: TestBrowser[] = [];
afterEach(async () => {
  await Promise.all(extraBrowsers.splice(0).map((browser) => browser.close()));
});

/** Another device: a browser of its own (its own profile, storage and locks). */
async function otherDevice(setUp?: (browser: TestBrowser) => Promise<void>): Promise<Page> {
  const browser = await launchChromium();
  extraBrowsers.push(browser);
  await setUp?.(browser);
  return browser.newPage();
}

async function team() {
  const db = suite.server.database.db;
  const workspace = await insertWorkspaceDirectly(db);
  const owner = await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olivia Owner" });
  const agent = await insertMemberDirectly(db, workspace, { roleId: "agent", name: "Arno Agent" });
  const line = await suite.server.api("POST", "/whatsapp-accounts", {
    token: agent.token,
    body: { provider: "sandbox", phoneNumber: `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`, displayName: "Arno's line" },
  });
  expect(line.status).toBe(201);
  return { owner, agent, lineId: line.body.account.id as string };
}

async function customerWrites(member: BuiltMember, lineId: string, from: string, text: string, name: string): Promise<string> {
  const arrived = await suite.server.api("POST", `/whatsapp-accounts/${lineId}/sandbox/inbound`, { token: member.token, body: { from, text, name } });
  expect(arrived.status).toBe(201);
  return arrived.body.chatId as string;
}

async function openInbox(page: Page, member: BuiltMember) {
  await logInToConsole(page, suite.server.url, member);
  await page.getByRole("heading", { name: "Inbox", exact: true }).waitFor();
}

const chatItem = (page: Page, name: string | RegExp) => page.getByRole("list", { name: "Chats" }).getByRole("button", { name });
/** What the row shows of its unread state: its count ("2"), "dot" when marked unread, "" when read; and whether it is bold. */
const unreadOf = (page: Page, name: string | RegExp) =>
  chatItem(page, name).evaluate((item) => {
    const badge = item.querySelector(".unread-count");
    const shown = badge ? (badge.classList.contains("unread-dot") ? "dot" : (badge.firstChild?.textContent ?? "")) : "";
    const bold = Number(getComputedStyle(item.querySelector(".chat-item-name") as Element).fontWeight) >= 700;
    return { shown, bold };
  });

describe("unread", () => {
  it("follows the member across devices: counts and bold rows in both, the title's total, reading on one clears the other; another member keeps their own", async () => {
    const { owner, agent, lineId } = await team();
    const deviceA = await suite.newPage();
    const deviceB = await otherDevice();
    const ownerPage = await suite.newPage();
    await openInbox(deviceA, agent);
    await openInbox(deviceB, agent);
    await openInbox(ownerPage, owner);
    expect(await deviceA.title()).toBe("Switchboard admin console");

    await customerWrites(agent, lineId, "+447700900101", "Hello, is my order ready?", "Maria Lopez");
    await customerWrites(agent, lineId, "+447700900101", "It was order 4411", "Maria Lopez");
    await customerWrites(agent, lineId, "+447700900102", "Do you ship to Porto?", "Rui Costa");
    for (const page of [deviceA, deviceB, ownerPage]) {
      await expect.poll(() => unreadOf(page, /Maria Lopez/)).toEqual({ shown: "2", bold: true });
      await expect.poll(() => unreadOf(page, /Rui Costa/)).toEqual({ shown: "1", bold: true });
      await expect.poll(() => page.title()).toBe("(2) Switchboard admin console");
    }

    // Opened on one device: read there, and on the other at once; the Owner's counts are theirs.
    await chatItem(deviceA, /Maria Lopez/).click();
    await deviceA.getByRole("list", { name: "Messages" }).getByText("It was order 4411").waitFor();
    for (const page of [deviceA, deviceB]) {
      await expect.poll(() => unreadOf(page, /Maria Lopez/)).toEqual({ shown: "", bold: false });
      await expect.poll(() => page.title()).toBe("(1) Switchboard admin console");
    }
    expect(await unreadOf(ownerPage, /Maria Lopez/)).toEqual({ shown: "2", bold: true });
    expect(await ownerPage.title()).toBe("(2) Switchboard admin console");

    // A message in the chat open (and in sight) on device A is read there, so device B stays clear too.
    await customerWrites(agent, lineId, "+447700900101", "Any news?", "Maria Lopez");
    await deviceA.getByRole("list", { name: "Messages" }).getByText("Any news?").waitFor();
    await expect.poll(() => unreadOf(ownerPage, /Maria Lopez/)).toEqual({ shown: "3", bold: true });
    await expect.poll(() => unreadOf(deviceB, /Maria Lopez/)).toEqual({ shown: "", bold: false });
    expect(await deviceB.title()).toBe("(1) Switchboard admin console");

    // Marked unread on demand on A: back to the list there, and a dot on both devices.
    await deviceA.getByRole("button", { name: "Mark as unread" }).click();
    await expect.poll(() => deviceA.url()).toMatch(/#\/inbox$/);
    for (const page of [deviceA, deviceB]) {
      await expect.poll(() => unreadOf(page, /Maria Lopez/)).toEqual({ shown: "dot", bold: true });
      await expect.poll(() => page.title()).toBe("(2) Switchboard admin console");
    }

    // Remembered on the server: a fresh sign-in on device B shows the same.
    await deviceB.reload();
    await deviceB.getByRole("heading", { name: "Inbox", exact: true }).waitFor();
    await expect.poll(() => unreadOf(deviceB, /Maria Lopez/)).toEqual({ shown: "dot", bold: true });
    await expect.poll(() => unreadOf(deviceB, /Rui Costa/)).toEqual({ shown: "1", bold: true });
  }, 150_000);

  it("shows a Mine badge on the chats the member is responsible for", async () => {
    const { agent, lineId } = await team();
    const mine = await customerWrites(agent, lineId, "+447700900201", "For Arno", "Mia Mine");
    await customerWrites(agent, lineId, "+447700900202", "For anyone", "Nia Nobody");
    await suite.server.api("PUT", `/chats/${mine}/responsible`, { token: agent.token, body: { memberId: agent.id } });
    const page = await suite.newPage();
    await openInbox(page, agent);
    await expect
      .poll(() =>
        chatItem(page, /Mia Mine/)
          .locator(".tag-mine")
          .textContent(),
      )
      .toContain("Mine");
    expect(
      await chatItem(page, /Nia Nobody/)
        .locator(".tag-mine")
        .count(),
    ).toBe(0);
  });
});

describe("notifications", () => {
  it("are off by default, turned on from Settings (remembered after logging in again), and notify of new messages in the member's chats only", async () => {
    const { agent, lineId } = await team();
    const page = await otherDevice(async (browser) => {
      await browser.context.grantPermissions(["notifications"], { origin: suite.server.url });
      // Records each Notification the page creates (headless Chromium shows none).
      await browser.context.addInitScript(() => {
        const shown: { title: string; body?: string; tag?: string }[] = [];
        (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
        const Original = window.Notification;
        class Recording extends Original {
          constructor(title: string, options?: NotificationOptions) {
            shown.push({ title, body: options?.body, tag: options?.tag });
            super(title, options);
          }
        }
        window.Notification = Recording;
      });
    });
    const shown = () => page.evaluate(() => (window as unknown as { shownNotifications: { title: string; body?: string }[] }).shownNotifications);
    const goToSettings = async () => {
      await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Settings" }).click();
      await page.getByRole("heading", { name: "Notifications" }).waitFor();
    };
    const desktop = () => page.getByRole("checkbox", { name: "Desktop notifications" });
    const sound = () => page.getByRole("checkbox", { name: "Play a sound" });

    await openInbox(page, agent);
    await goToSettings();
    expect(await desktop().isChecked()).toBe(false);
    expect(await sound().isChecked()).toBe(false);
    await desktop().check();
    await page.getByText("Desktop notifications are on.").waitFor();
    await sound().check();
    await page.getByText("The sound is on.").waitFor();

    await page.getByRole("button", { name: "Log out" }).click();
    await openInbox(page, agent);
    await goToSettings();
    await expect.poll(() => desktop().isChecked()).toBe(true);
    expect(await sound().isChecked()).toBe(true);

    // The member's own chat notifies; a chat they are not responsible for does not.
    const mine = await customerWrites(agent, lineId, "+447700900301", "First message", "Mia Mine");
    await suite.server.api("PUT", `/chats/${mine}/responsible`, { token: agent.token, body: { memberId: agent.id } });
    await customerWrites(agent, lineId, "+447700900302", "Not yours to hear", "Nia Nobody");
    await customerWrites(agent, lineId, "+447700900301", "Are you there?", "Mia Mine");
    await expect.poll(shown).toEqual([{ title: "Mia Mine", body: "Are you there?", tag: `switchboard-chat-${mine}` }]);

    // Turned off: no more notifications, and it stays off.
    await desktop().uncheck();
    await page.getByText("Desktop notifications are off.").waitFor();
    await customerWrites(agent, lineId, "+447700900301", "Hello again", "Mia Mine");
    await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Inbox" }).click();
    await expect.poll(() => chatItem(page, /Mia Mine/).textContent()).toContain("Hello again");
    expect(await shown()).toHaveLength(1);
    const saved = await suite.server.api("GET", "/me/preferences", { token: agent.token });
    expect(saved.body).toEqual({ desktopNotifications: false, notificationSound: true });
  }, 150_000);
});
