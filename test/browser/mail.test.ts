import type { Page } from "playwright-core";
import { insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// E-mail in the console: the app's own mail catcher (a real SMTP server on loopback, as `npm start`
// runs it) listed at #/dev/mail, the invitation that arrives there, and forgot-password.
const suite = webUiSuite((webRoot) => startWebTestServer(webRoot, { MAIL_CATCHER: "on" }, { ownPublicUrl: true }));

const unique = () => Math.random().toString(36).slice(2, 9);

/** Opens #/dev/mail and the message with this subject to this address, refreshing until the mail worker has sent it. */
async function openCaughtMail(subject: string, to: string): Promise<Page> {
  const page = await suite.newPage();
  await page.goto(`${suite.server.url}/#/dev/mail`);
  await page.getByRole("heading", { name: "Caught mail" }).waitFor();
  const entry = page.getByRole("list", { name: "Caught mail" }).getByRole("button").filter({ hasText: subject }).filter({ hasText: to });
  for (let tries = 0; (await entry.count()) === 0; tries++) {
    if (tries > 150) throw new Error(`no caught mail "${subject}" to ${to}`);
    await page.waitForTimeout(200);
    await page.getByRole("button", { name: "Refresh" }).click();
  }
  await entry.click();
  return page;
}

describe("e-mail", () => {
  it("the development mail page shows the invitation e-mail, and its link lets the invitee join", async () => {
    const workspace = await insertWorkspaceDirectly(suite.server.database.db, "Mail Co");
    const admin = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: "admin", name: "Ada Admin" });
    const email = `invitee-${unique()}@mail.test`;
    const invited = await suite.server.api("POST", "/invitations", { token: admin.token, body: { email, roleId: "teammate" } });
    expect(invited.body.mail).toBe("queued");

    const subject = "Ada Admin invited you to Mail Co on Switchboard";
    const page = await openCaughtMail(subject, email);
    const message = page.getByRole("article", { name: subject });
    expect(await message.textContent()).toContain("Ada Admin invited you to join Mail Co on Switchboard as Teammate.");
    await message.getByRole("link", { name: new RegExp(`^${suite.server.url}/#/accept/inv\\.`) }).click();

    await page.getByLabel("Your name").fill("Ian Invitee");
    await page.getByLabel("Password").fill("ian's long password");
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.getByRole("navigation", { name: "Console sections" }).waitFor();
    expect(await page.locator(".whoami span").allTextContents()).toEqual(["Ian Invitee", "Teammate"]);
  });

  it("forgot password: the login page asks for a link, the e-mail's link sets a new password and logs in", async () => {
    const member = await insertMemberDirectly(suite.server.database.db, await insertWorkspaceDirectly(suite.server.database.db), {
      roleId: "agent",
      name: "Fred Forgetful",
      email: `fred-${unique()}@mail.test`,
    });
    const login = await suite.newPage();
    await login.goto(`${suite.server.url}/#/login`);
    await login.getByRole("link", { name: "Forgot password?" }).click();
    await login.getByLabel("Email").fill(member.email);
    await login.getByRole("button", { name: "Send reset link" }).click();
    await login.getByRole("status").getByText("If an account uses this address, we have sent it a link").waitFor();

    const page = await openCaughtMail("Reset your Switchboard password", member.email);
    await page
      .getByRole("article", { name: "Reset your Switchboard password" })
      .getByRole("link", { name: /#\/reset-password\/pwr\./ })
      .click();
    await page.getByLabel("New password").fill("fred's new password");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByRole("navigation", { name: "Console sections" }).waitFor();
    expect(await page.locator(".whoami span").allTextContents()).toEqual(["Fred Forgetful", "Agent"]);
    // The session from before the reset is over; the old password no longer logs in.
    expect((await suite.server.api("GET", "/me", { token: member.token })).status).toBe(401);
    expect((await suite.server.api("POST", "/sessions", { body: { email: member.email, password: testPassword } })).status).toBe(401);
  });

  it("Settings → Your account changes my name and my password, logging out my other sessions", async () => {
    const member = await insertMemberDirectly(suite.server.database.db, await insertWorkspaceDirectly(suite.server.database.db), {
      roleId: "teammate",
      name: "Sam Settings",
      email: `sam-${unique()}@mail.test`,
    });
    const page = await suite.newPage();
    await page.goto(`${suite.server.url}/#/login`);
    await page.getByLabel("Email", { exact: true }).fill(member.email);
    await page.getByLabel("Password", { exact: true }).fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Settings" }).click();

    const account = page.getByRole("region", { name: "Your account" });
    await account.getByLabel("Your name").fill("Samantha Settings");
    await account.getByRole("button", { name: "Save name" }).click();
    await account.getByRole("status").getByText("Name saved.").waitFor();
    await page.locator(".whoami span").getByText("Samantha Settings").waitFor();

    await account.getByLabel("Current password").fill("not my password");
    await account.getByLabel("New password").fill("sam's better password");
    await account.getByRole("button", { name: "Change password" }).click();
    await account.getByText("Your current password is not right.").waitFor();
    await account.getByLabel("Current password").fill(testPassword);
    await account.getByRole("button", { name: "Change password" }).click();
    await account.getByRole("status").getByText("Password changed. You were logged out everywhere else.").waitFor();
    expect((await suite.server.api("GET", "/me", { token: member.token })).status).toBe(401);
    expect((await suite.server.api("POST", "/sessions", { body: { email: member.email, password: "sam's better password" } })).status).toBe(201);
  });
});
