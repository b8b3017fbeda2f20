import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { type BuiltMember, insertMemberDirectly, insertRoleDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The admin console, built by vite.config.ts and served by the real app over a fresh database,
// driven in Debian's Chromium. Everyone logs in or signs up through the UI.

const suite = webUiSuite(startWebTestServer);

/** A new tab (so a new console session) at `#<hashPath>`. */
async function openConsole(hashPath = "/"): Promise<Page> {
  const page = await suite.newPage();
  await page.goto(`${suite.server.url}/#${hashPath}`);
  return page;
}

async function logIn(member: { email: string }, password = testPassword): Promise<Page> {
  const page = await openConsole("/login");
  await page.getByLabel("Email", { exact: true }).fill(member.email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  return page;
}

/** Opens the Team page (members who see chats land in the Inbox) and waits for its members to load, so absent controls are absent for good. */
async function waitForMembers(page: Page, someMemberName: string) {
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Team" }).click();
  await page.getByRole("heading", { name: "Team", exact: true }).waitFor();
  await page.getByRole("table", { name: "Members" }).getByRole("cell", { name: someMemberName }).first().waitFor();
}

const sectionLinks = (page: Page) => page.getByRole("navigation", { name: "Console sections" }).getByRole("link").allTextContents();

async function workspaceWith(...roleIds: string[]) {
  const workspace = await insertWorkspaceDirectly(suite.server.database.db);
  const members: BuiltMember[] = [];
  for (const roleId of roleIds) {
    members.push(
      await insertMemberDirectly(suite.server.database.db, workspace, { roleId, name: `${roleId[0]?.toUpperCase()}${roleId.slice(1)} ${members.length + 1}` }),
    );
  }
  return { workspace, members };
}

/** The header's member name and role badge. */
const whoAmI = (page: Page) => page.locator(".whoami span").allTextContents();

describe("admin console", () => {
  it("lets an Owner sign up, invite a teammate and see the pending invitation", async () => {
    const page = await openConsole("/signup");
    await page.getByLabel("Workspace name").fill("Browser Co");
    await page.getByLabel("Your name").fill("Olivia Owner");
    await page.getByLabel("Email").fill("olivia@browser.test");
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Create workspace" }).click();

    await waitForMembers(page, "Olivia Owner");
    expect(await whoAmI(page)).toEqual(["Olivia Owner", "Owner"]);
    expect(await sectionLinks(page)).toEqual([
      "Inbox",
      "WhatsApp numbers",
      "Templates",
      "Campaigns",
      "Team",
      "Roles",
      "Integrations",
      "Activity log",
      "Settings",
    ]);

    await page.getByLabel("Invite email").fill("tom@browser.test");
    await page.getByLabel("Invite as").selectOption({ label: "Agent" });
    await page.getByRole("button", { name: "Invite", exact: true }).click();

    const acceptLink = await page.getByTestId("accept-link").textContent();
    expect(acceptLink).toMatch(new RegExp(`^${suite.server.url}/#/accept/inv\\.ws_[^.]+\\.[^.]+$`));
    const pending = page.getByRole("table", { name: "Pending invitations" });
    await pending.getByRole("row").filter({ hasText: "tom@browser.test" }).waitFor();
    expect(await pending.getByRole("row").filter({ hasText: "tom@browser.test" }).getByRole("cell").allTextContents()).toEqual([
      "tom@browser.test",
      "Agent",
      expect.any(String),
      "Withdraw",
    ]);

    // Stored on the server (a reload keeps the session from sessionStorage and lists it again).
    await page.reload();
    await page.getByRole("table", { name: "Pending invitations" }).getByRole("cell", { name: "tom@browser.test", exact: true }).waitFor();
  });

  it("lets an invited person accept through #/accept/<token> and land in the console", async () => {
    const owner = await suite.server.api("POST", "/signup", {
      body: { workspaceName: "Invite Co", name: "Ivy Owner", email: "ivy@invite.test", password: "a long enough password" },
    });
    const invitation = await suite.server.api("POST", "/invitations", { token: owner.body.token, body: { email: "nina@invite.test", roleId: "teammate" } });
    expect(invitation.status).toBe(201);

    const page = await openConsole(`/accept/${invitation.body.acceptToken}`);
    await page.getByLabel("Your name").fill("Nina Newcomer");
    await page.getByLabel("Password").fill("nina's long password");
    await page.getByRole("button", { name: "Accept invitation" }).click();

    await waitForMembers(page, "Nina Newcomer");
    expect(await whoAmI(page)).toEqual(["Nina Newcomer", "Teammate"]);
    expect(await page.getByRole("heading", { name: "Team", exact: true }).isVisible()).toBe(true);
    const members = await suite.server.api("GET", "/members", { token: owner.body.token });
    expect(members.body.data).toContainEqual({
      id: expect.any(String),
      name: "Nina Newcomer",
      email: "nina@invite.test",
      roleId: "teammate",
      status: "active",
      abilities: { changeRole: true, suspend: true, activate: false, remove: true, transferOwnership: false },
    });

    // The link works once: a second use shows the API's problem.
    const again = await openConsole(`/accept/${invitation.body.acceptToken}`);
    await again.getByLabel("Your name").fill("Someone Else");
    await again.getByLabel("Password").fill("another long password");
    await again.getByRole("button", { name: "Accept invitation" }).click();
    expect(await again.getByRole("alert").textContent()).toContain("The invitation does not exist or you cannot see it.");
  });

  it("lets someone ask to join with the join code, an Owner accept them with a role, and them log in", async () => {
    const { workspace, members } = await workspaceWith("owner");
    const owner = members[0] as BuiltMember;
    const asker = await openConsole(`/join/${workspace.joinCode}`);
    expect(await asker.getByLabel("Join code").inputValue()).toBe(workspace.joinCode);
    await asker.getByLabel("Your name").fill("Jo Joiner");
    await asker.getByLabel("Email").fill("jo@join.test");
    await asker.getByLabel("Password").fill("jo's long password");
    await asker.getByRole("button", { name: "Send request" }).click();
    await asker.getByRole("heading", { name: "Request sent" }).waitFor();

    const page = await logIn(owner);
    await page.getByRole("link", { name: "Team" }).click();
    const requests = page.getByRole("table", { name: "Join requests" });
    await requests.getByRole("cell", { name: "jo@join.test", exact: true }).waitFor();
    await page.getByLabel("Role for Jo Joiner").selectOption({ label: "Agent" });
    await page.getByRole("button", { name: "Accept Jo Joiner" }).click();
    await page.getByText("No pending join requests.").waitFor();
    const joinedRow = page.getByRole("table", { name: "Members" }).getByRole("row").filter({ hasText: "Jo Joiner" });
    expect(await joinedRow.getByLabel("Role of Jo Joiner").inputValue()).toBe("agent");

    const joined = await logIn({ email: "jo@join.test" }, "jo's long password");
    await waitForMembers(joined, "Jo Joiner");
    expect(await whoAmI(joined)).toEqual(["Jo Joiner", "Agent"]);
  });

  it("shows an Agent no team management, no role editing and no activity log", async () => {
    const { workspace, members } = await workspaceWith("owner", "agent", "teammate");
    await insertRoleDirectly(suite.server.database.db, workspace, { "chats.view": "all" }, "Night shift");
    const agent = members[1] as BuiltMember;
    const page = await logIn(agent);

    await waitForMembers(page, "Teammate 3");
    expect(await whoAmI(page)).toEqual(["Agent 2", "Agent"]);
    expect(await sectionLinks(page)).toEqual(["Inbox", "WhatsApp numbers", "Templates", "Campaigns", "Team", "Roles", "Integrations", "Settings"]);
    const membersTable = page.getByRole("table", { name: "Members" });
    expect(await membersTable.getByRole("row").count()).toBe(4);
    expect(await membersTable.getByRole("combobox").count()).toBe(0);
    expect(await page.getByRole("button", { name: /Suspend|Activate/ }).count()).toBe(0);
    expect(await page.getByLabel("Invite email").count()).toBe(0);
    expect(await page.getByRole("heading", { name: /Invitations|Join requests|Join code/ }).count()).toBe(0);

    await page.getByRole("link", { name: "Roles" }).click();
    const grid = page.getByRole("table", { name: "Role permissions" });
    await grid.getByRole("columnheader", { name: /Night shift/ }).waitFor();
    expect(await page.getByRole("button", { name: /New role|Edit|Delete/ }).count()).toBe(0);

    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Personal API tokens" }).waitFor();
    expect(await page.getByRole("heading", { name: /Subscription|Transfer ownership|Delete workspace/ }).count()).toBe(0);

    await page.goto(`${suite.server.url}/#/activity`);
    await page.getByText("Your role does not include this section.").waitFor();
    expect(await page.getByRole("table", { name: "Activity log entries" }).count()).toBe(0);
  });

  it("decides from /me's permission map, not role names: a custom role with only audit.view sees the activity log", async () => {
    const { workspace } = await workspaceWith("owner");
    const auditor = await insertRoleDirectly(suite.server.database.db, workspace, { "audit.view": true }, "Admin-ish auditor");
    const member = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: auditor.id, name: "Audra Auditor" });
    const page = await logIn(member);

    await waitForMembers(page, "Audra Auditor");
    expect(await sectionLinks(page)).toEqual(["Team", "Roles", "Integrations", "Activity log", "Settings"]);
    expect(await page.getByLabel("Invite email").count()).toBe(0);
    await page.getByRole("link", { name: "Activity log" }).click();
    await page.getByRole("table", { name: "Activity log entries" }).getByText("Audra Auditor logged in.").waitFor();
  });

  it("shows the detail of a 403 when the server refuses what the UI offered", async () => {
    const { members } = await workspaceWith("owner", "agent");
    const [owner, agent] = members as [BuiltMember, BuiltMember];
    const page = await suite.newPage();
    // Pretend /me grants team.manage: the UI offers inviting, and the server, which decides, refuses.
    await page.route("**/api/v1/me", async (route) => {
      const response = await route.fetch();
      const me = await response.json();
      await route.fulfill({ response, json: { ...me, permissions: { ...me.permissions, "team.manage": true } } });
    });
    await page.goto(`${suite.server.url}/#/login`);
    await page.getByLabel("Email", { exact: true }).fill(agent.email);
    await page.getByLabel("Password", { exact: true }).fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("link", { name: "Team" }).click();

    await page.getByLabel("Invite email").fill("nobody@example.test");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const alert = page.getByRole("form", { name: "Invite a teammate" }).getByRole("alert");
    // In words: no "Permission denied" title, no permission name.
    expect(await alert.textContent()).toBe("Your role (Agent) does not allow you to manage the team.");
    const denials = await suite.server.api("GET", "/audit-log?action=permission.denied", { token: owner.token });
    expect(denials.body.data.map((entry: { actorId: string; details: unknown }) => [entry.actorId, entry.details])).toEqual([
      [agent.id, { method: "POST", path: "/api/v1/invitations", permission: "team.manage" }],
    ]);
  });

  it("lets an Admin create a custom role Manager through the form", async () => {
    const { members } = await workspaceWith("owner", "admin");
    const admin = members[1] as BuiltMember;
    const page = await logIn(admin);
    await page.getByRole("link", { name: "Roles" }).click();
    await page.getByRole("button", { name: "New role" }).click();

    const form = page.getByRole("form", { name: "New role" });
    expect(await form.getByLabel(/^(billing\.manage|workspace\.delete|workspace\.transfer)$/).count()).toBe(0);
    expect(await form.getByRole("combobox").count()).toBe(9);
    expect(await form.getByRole("checkbox").count()).toBe(8);
    expect(await form.getByLabel("chats.start").locator("option").allTextContents()).toEqual(["all", "own", "none"]);
    await form.getByLabel("Role name").fill("Manager");
    await form.getByLabel("chats.view").selectOption("all");
    await form.getByLabel("chats.reply").selectOption("own");
    await form.getByLabel("team.manage").check();
    await form.getByLabel("audit.view").check();
    await form.getByRole("button", { name: "Create role" }).click();

    const grid = page.getByRole("table", { name: "Role permissions" });
    await grid.getByRole("columnheader", { name: /Manager/ }).waitFor();
    expect(await grid.getByRole("columnheader").allTextContents()).toEqual([
      "Permission",
      "Ownerbuilt-in",
      "Adminbuilt-in",
      "Teammatebuilt-in",
      "Agentbuilt-in",
      "Collaboratorbuilt-in",
      "ManagercustomEditDelete",
    ]);
    const replyRow = grid.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^chats\.reply/ }) });
    expect((await replyRow.getByRole("cell").allTextContents()).at(-1)).toBe("own");

    const roles = await suite.server.api("GET", "/roles", { token: admin.token });
    expect(roles.body.data.find((role: { name: string }) => role.name === "Manager")).toEqual({
      id: expect.any(String),
      name: "Manager",
      builtin: false,
      abilities: { edit: true, delete: true },
      permissions: {
        "chats.view": "all",
        "chats.reply": "own",
        "chats.start": "none",
        "chats.assign": "none",
        "campaigns.send": "none",
        "campaigns.reports": "none",
        "templates.use": "none",
        "chats.take_over": "none",
        "messages.delete": "none",
        "contacts.view_numbers": false,
        "whatsapp.connect": false,
        "team.manage": true,
        "roles.manage": false,
        "integrations.workspace": false,
        "integrations.individual": false,
        "data.export": false,
        "audit.view": true,
        "billing.manage": false,
        "workspace.delete": false,
        "workspace.transfer": false,
      },
    });
  });

  it("lets an Owner change the plan, create and revoke an API token, and delete the workspace by typing its name", async () => {
    const workspace = await insertWorkspaceDirectly(suite.server.database.db, "Doomed Co");
    const owner = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: "owner", name: "Dora Owner" });
    const page = await logIn(owner);
    await page.getByRole("link", { name: "Settings" }).click();

    await page.getByLabel("Plan").selectOption({ label: "Pro" });
    await page.getByRole("button", { name: "Change plan" }).click();
    await page.getByText("Current plan: Pro").waitFor();
    expect((await suite.server.api("GET", "/workspace/subscription", { token: owner.token })).body).toEqual({ plan: "pro", paymentProvider: null });

    await page.getByLabel("Token name").fill("CI script");
    await page.getByRole("button", { name: "Create token" }).click();
    const apiToken = (await page.getByTestId("new-api-token").textContent()) as string;
    expect(apiToken).toMatch(/^sbt\.ws_/);
    expect((await suite.server.api("GET", "/me", { token: apiToken })).status).toBe(200);
    await page.getByRole("button", { name: "Revoke CI script" }).click();
    await page.getByText("No personal tokens.").waitFor();
    expect((await suite.server.api("GET", "/me", { token: apiToken })).status).toBe(401);

    const deleteButton = page.getByRole("button", { name: "Delete workspace" });
    await page.getByLabel("Type the workspace name to confirm").fill("Doomed");
    expect(await deleteButton.isDisabled()).toBe(true);
    await page.getByLabel("Type the workspace name to confirm").fill("Doomed Co");
    await deleteButton.click();
    await page.getByRole("status").filter({ hasText: "The workspace “Doomed Co” was deleted." }).waitFor();
    expect((await suite.server.api("GET", "/me", { token: owner.token })).status).toBe(401);
  });

  it("lets an Owner hand ownership to an active Admin, after which the owner-only settings are gone", async () => {
    const { members } = await workspaceWith("owner", "admin", "teammate");
    const [owner, admin] = members as [BuiltMember, BuiltMember];
    const page = await logIn(owner);
    await page.getByRole("link", { name: "Settings" }).click();
    expect(await page.getByLabel("New owner").locator("option").allTextContents()).toEqual(["Admin 2"]);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Transfer ownership" }).click();

    await page.getByRole("heading", { name: "Transfer ownership" }).waitFor({ state: "detached" });
    expect(await whoAmI(page)).toEqual(["Owner 1", "Admin"]);
    expect(await page.getByRole("heading", { name: /Subscription|Delete workspace/ }).count()).toBe(0);
    const me = await suite.server.api("GET", "/me", { token: admin.token });
    expect(me.body.member.roleId).toBe("owner");
  });

  it("locks a suspended member out, at login and in the middle of a session", async () => {
    const { workspace, members } = await workspaceWith("owner", "teammate");
    const suspended = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: "agent", status: "suspended" });
    const page = await logIn(suspended);
    await page.getByRole("heading", { name: "Your access is suspended" }).waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("Your membership in this workspace is suspended.");
    expect(await page.getByRole("navigation").count()).toBe(0);

    const [owner, teammate] = members as [BuiltMember, BuiltMember];
    const active = await logIn(teammate);
    await waitForMembers(active, "Teammate 2");
    expect((await suite.server.api("POST", `/members/${teammate.id}/suspend`, { token: owner.token })).status).toBe(200);
    await active.getByRole("link", { name: "Roles" }).click();
    await active.getByRole("heading", { name: "Your access is suspended" }).waitFor();
    expect(await active.getByRole("table").count()).toBe(0);
  });

  it("locks a suspended member's open console without a click (the live stream ends) and lets them back in where they were once activated", async () => {
    const { members } = await workspaceWith("owner", "agent");
    const [owner, agent] = members as [BuiltMember, BuiltMember];
    const agentPage = await logIn(agent);
    await agentPage.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Settings" }).click();
    await agentPage.getByRole("heading", { name: "Settings", exact: true }).waitFor();

    const ownerPage = await logIn(owner);
    await waitForMembers(ownerPage, "Agent 2");
    await ownerPage.getByRole("button", { name: "Suspend Agent 2" }).click();
    await ownerPage.getByRole("group", { name: "Suspend Agent 2?" }).getByRole("button", { name: "Yes, suspend" }).click();
    await ownerPage.getByRole("button", { name: "Activate Agent 2" }).waitFor();

    // No click, no navigation on the Agent's page: the stream's end brings the locked screen.
    await agentPage.getByRole("heading", { name: "Your access is suspended" }).waitFor({ timeout: 15_000 });
    expect(await agentPage.getByRole("navigation").count()).toBe(0);

    await ownerPage.getByRole("button", { name: "Activate Agent 2" }).click();
    await ownerPage.getByRole("button", { name: "Suspend Agent 2" }).waitFor();
    await agentPage.getByRole("heading", { name: "Settings", exact: true }).waitFor({ timeout: 15_000 });
    expect(await whoAmI(agentPage)).toEqual(["Agent 2", "Agent"]);
    expect(agentPage.url()).toMatch(/#\/settings$/);
  });

  it("removes a member after asking: the Owner confirms, the Agent's open console lands on the login screen, the Agent leaves the Team list", async () => {
    const { members } = await workspaceWith("owner", "agent");
    const [owner, agent] = members as [BuiltMember, BuiltMember];
    const agentPage = await logIn(agent);
    await agentPage.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Settings" }).click();
    await agentPage.getByRole("heading", { name: "Settings", exact: true }).waitFor();

    const ownerPage = await logIn(owner);
    await waitForMembers(ownerPage, "Agent 2");
    await ownerPage.getByRole("button", { name: "Remove Agent 2" }).click();
    const confirm = ownerPage.getByRole("group", { name: "Remove Agent 2 from the workspace?" });
    await confirm.getByText("Agent 2 loses access at once; they are responsible for no chats.").waitFor();
    await confirm.getByRole("button", { name: "Yes, remove" }).click();
    await expect.poll(() => ownerPage.getByRole("button", { name: "Remove Agent 2" }).count()).toBe(0);
    await expect.poll(() => ownerPage.getByRole("table", { name: "Members" }).getByText("Agent 2").count()).toBe(0);

    await agentPage.getByRole("button", { name: "Log in" }).waitFor({ timeout: 15_000 });
    expect(await agentPage.getByRole("navigation", { name: "Console sections" }).count()).toBe(0);
  });

  it("asks before changing a role or suspending a member, and Cancel changes nothing", async () => {
    const { members } = await workspaceWith("owner", "teammate", "agent");
    const [owner, teammate, agent] = members as [BuiltMember, BuiltMember, BuiltMember];
    const page = await logIn(owner);
    await waitForMembers(page, "Agent 3");
    const roleOf = async (member: BuiltMember) =>
      ((await suite.server.api("GET", "/members", { token: owner.token })).body.data as { id: string; roleId: string; status: string }[]).find(
        (listed) => listed.id === member.id,
      );

    await page.getByLabel("Role of Teammate 2").selectOption({ label: "Collaborator" });
    const confirmRole = page.getByRole("group", { name: "Make Teammate 2 Collaborator?" });
    await confirmRole.waitFor();
    expect(await confirmRole.textContent()).toContain("can do what the Collaborator role allows");
    expect((await roleOf(teammate))?.roleId).toBe("teammate");
    await confirmRole.getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByLabel("Role of Teammate 2").inputValue()).toBe("teammate");
    expect((await roleOf(teammate))?.roleId).toBe("teammate");

    await page.getByLabel("Role of Teammate 2").selectOption({ label: "Collaborator" });
    await confirmRole.getByRole("button", { name: "Yes, change role" }).click();
    await page.getByRole("row").filter({ hasText: "Teammate 2" }).getByRole("status").filter({ hasText: "Role changed" }).waitFor();
    expect((await roleOf(teammate))?.roleId).toBe("collaborator");

    await page.getByRole("button", { name: "Suspend Agent 3" }).click();
    const confirmSuspend = page.getByRole("group", { name: "Suspend Agent 3?" });
    expect(await confirmSuspend.textContent()).toContain("locked out at once");
    expect((await roleOf(agent))?.status).toBe("active");
    await confirmSuspend.getByRole("button", { name: "Cancel" }).click();
    expect((await roleOf(agent))?.status).toBe("active");
    await page.getByRole("button", { name: "Suspend Agent 3" }).click();
    await confirmSuspend.getByRole("button", { name: "Yes, suspend" }).click();
    await page.getByRole("button", { name: "Activate Agent 3" }).waitFor();
    expect((await roleOf(agent))?.status).toBe("suspended");
  });

  it("lists the actions just done in the activity log, filters them and downloads them as CSV", async () => {
    const { members } = await workspaceWith("owner", "teammate", "agent");
    const owner = members[0] as BuiltMember;
    const page = await logIn(owner);
    await waitForMembers(page, "Agent 3");

    await page.getByLabel("Invite email").fill("hire@activity.test");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await page.getByTestId("accept-link").waitFor();
    await page.getByLabel("Role of Teammate 2").selectOption({ label: "Collaborator" });
    await page.getByRole("button", { name: "Yes, change role" }).click();
    await page.getByRole("row").filter({ hasText: "Teammate 2" }).getByRole("status").filter({ hasText: "Role changed" }).waitFor();
    await page.getByRole("button", { name: "Suspend Agent 3" }).click();
    await page.getByRole("button", { name: "Yes, suspend" }).click();
    await page.getByRole("button", { name: "Activate Agent 3" }).waitFor();

    await page.getByRole("link", { name: "Activity log" }).click();
    const entries = page.getByRole("table", { name: "Activity log entries" });
    // A sentence per entry, with people and records by name.
    await entries.getByText("Owner 1 suspended Agent 3.").waitFor();
    const rows = await entries.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
    expect(rows.map((cells) => cells[1])).toEqual(["Owner 1", "Owner 1", "Owner 1", "Owner 1"]);
    expect(await entries.locator(".activity-sentence").allTextContents()).toEqual([
      "Owner 1 suspended Agent 3.",
      "Owner 1 made Teammate 2 Collaborator.",
      "Owner 1 invited hire@activity.test as Teammate.",
      "Owner 1 logged in.",
    ]);
    // Action codes and JSON stay folded away until asked for.
    expect(await entries.locator("details[open]").count()).toBe(0);
    expect(await entries.locator("details code").first().isVisible()).toBe(false);
    // The raw entry is one click away.
    const roleChange = entries.locator("tbody tr").nth(1);
    await roleChange.locator("summary").click();
    expect(await roleChange.locator("details code").textContent()).toContain('"after":{"roleId":"collaborator"}');

    // The action filter is a list of the actions, in words.
    const actionFilter = page.getByLabel("Action");
    expect(await actionFilter.evaluate((element) => element.tagName)).toBe("SELECT");
    await actionFilter.selectOption({ label: "Member role change" });
    await page.getByRole("button", { name: "Apply filters" }).click();
    await entries.getByText("Owner 1 suspended Agent 3.").waitFor({ state: "detached" });
    expect(await entries.locator("tbody tr").count()).toBe(1);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("activity-log.csv");
    const csv = await readFile((await download.path()) as string, "utf8");
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("id,at,actorId,action,targetType,targetId,ip,userAgent,details");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,${owner.id},member.role_change,member,${members[1]?.id},`);
  });

  it("pages the activity log with Load more", async () => {
    const { members } = await workspaceWith("owner");
    const owner = members[0] as BuiltMember;
    for (let index = 0; index < 55; index += 1) {
      await suite.server.api("POST", "/api-tokens", { token: owner.token, body: { name: `script ${index}` } });
    }
    const page = await logIn(owner);
    await page.getByRole("link", { name: "Activity log" }).click();
    const rows = page.getByRole("table", { name: "Activity log entries" }).locator("tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole("button", { name: "Load more" }).click();
    await rows.nth(55).waitFor();
    expect(await rows.count()).toBe(56);
    expect(await rows.last().locator(".activity-sentence").textContent()).toBe("Owner 1 created an API token.");
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);
  });
});
