import type { Page } from "playwright-core";
import { logInToConsole } from "../support/console";
import { insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// Issue 13: a console link opened in a new tab of the same browser opens the console, not the
// login page; logging out in one tab logs the browser out (its other tabs on their next call, and
// a new tab asks to log in). The login session's cookie is HttpOnly: no page script ever sees it.

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));

async function member() {
  const db = suite.server.database.db;
  const workspace = await insertWorkspaceDirectly(db);
  return insertMemberDirectly(db, workspace, { roleId: "agent", name: "Tabitha Tabs" });
}

/** Another tab of the same browser, opened at a console link. */
async function newTabAt(hashPath: string): Promise<Page> {
  const page = await suite.newPage({ sameBrowserSession: true });
  await page.goto(`${suite.server.url}/#${hashPath}`);
  return page;
}

const inboxHeading = (page: Page) => page.getByRole("heading", { name: "Inbox", exact: true });
const loginButton = (page: Page) => page.getByRole("button", { name: "Log in" });

describe("a new tab of the console", () => {
  it("opens signed in after a login in another tab; after logging out in one tab, the others and a new one ask to log in", async () => {
    const tabitha = await member();
    const first = await logInToConsole(await suite.newPage(), suite.server.url, tabitha);
    await inboxHeading(first).waitFor();

    const second = await newTabAt("/inbox");
    await inboxHeading(second).waitFor();
    expect(await loginButton(second).count()).toBe(0);
    await second.getByText("Tabitha Tabs").first().waitFor();
    // The tab has a token of its own; the cookie that bought it is out of every script's reach.
    expect(await second.evaluate(() => document.cookie)).not.toContain("switchboard_login");
    const tokens = await Promise.all([first, second].map((tab) => tab.evaluate(() => sessionStorage.getItem("switchboard.token"))));
    expect(tokens[0]).toMatch(/^sbt\./);
    expect(tokens[1]).toMatch(/^sbt\./);
    expect(tokens[0]).not.toBe(tokens[1]);

    await second.getByRole("button", { name: "Log out" }).click();
    await loginButton(second).waitFor();

    // The first tab's token ended with the login session: its next call finds out.
    await first.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Settings" }).click();
    await loginButton(first).waitFor();

    const third = await newTabAt("/inbox");
    await loginButton(third).waitFor();
    expect(await inboxHeading(third).count()).toBe(0);
  });

  it("a tab of another person's browser still asks to log in", async () => {
    const tabitha = await member();
    await inboxHeading(await logInToConsole(await suite.newPage(), suite.server.url, tabitha)).waitFor();
    const elsewhere = await suite.newPage();
    await elsewhere.goto(`${suite.server.url}/#/inbox`);
    await loginButton(elsewhere).waitFor();
  });
});
