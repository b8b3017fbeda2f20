import type { Page } from "playwright-core";
import { logInToConsole } from "../support/console";
import { type BuiltMember, insertMemberDirectly, insertRoleDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// "Explain for anything" (issue 15 §5) in Debian's Chromium: a control the member's role leaves
// unusable says why on hover and focus, in the server's own sentence from GET /me/explain.

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));

async function chatWithCustomer() {
  const db = suite.server.database.db;
  const workspace = await insertWorkspaceDirectly(db);
  const owner = await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olivia Owner" });
  const line = await suite.server.api("POST", "/whatsapp-accounts", {
    token: owner.token,
    body: { provider: "sandbox", phoneNumber: `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`, displayName: "Front desk" },
  });
  expect(line.status).toBe(201);
  const arrived = await suite.server.api("POST", `/whatsapp-accounts/${line.body.account.id}/sandbox/inbound`, {
    token: owner.token,
    body: { from: "+44 7700 900123", text: "Is the shop open on Sunday?", name: "Sam Shopper" },
  });
  expect(arrived.status).toBe(201);
  return { workspace, owner, chatId: arrived.body.chatId as string };
}

/** Logs the member in, opens the customer's chat, and records the GET /me/explain requests the page makes. */
async function openChat(member: BuiltMember) {
  const page = await suite.newPage();
  const explainCalls: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/v1/me/explain") explainCalls.push(request.url());
  });
  await logInToConsole(page, suite.server.url, member);
  await page
    .getByRole("list", { name: "Chats" })
    .getByRole("button", { name: /Sam Shopper/ })
    .click();
  await page.getByRole("list", { name: "Messages" }).getByText("Is the shop open on Sunday?").waitFor();
  return { page, explainCalls };
}

/** The text of the element a control's aria-describedby points at (its accessible description). */
async function descriptionOf(page: Page, control: ReturnType<Page["getByRole"]>) {
  const id = await control.getAttribute("aria-describedby");
  return id ? page.locator(`[id="${id}"]`).textContent() : null;
}

describe("disabled controls say why", () => {
  it("a Collaborator hovering or focusing Change responsible sees the sentence the 403 would carry", async () => {
    const { workspace, owner, chatId } = await chatWithCustomer();
    const collaborator = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: "collaborator", name: "Cora Collaborator" });
    await suite.server.api("PUT", `/chats/${chatId}/responsible`, { token: owner.token, body: { memberId: collaborator.id } });
    const refusal = await suite.server.api("PUT", `/chats/${chatId}/responsible`, { token: collaborator.token, body: { memberId: null } });
    expect(refusal.status).toBe(403);
    const sentence = "Your role (Collaborator) does not allow you to set the responsible of chats (chats.assign).";
    expect(refusal.body.detail).toBe(sentence);

    const { page, explainCalls } = await openChat(collaborator);
    const change = page.getByRole("button", { name: "Change responsible" });
    expect(await change.getAttribute("aria-disabled")).toBe("true");
    // Nothing is asked until the member points at the control.
    expect(explainCalls).toEqual([]);
    await change.hover();
    await expect.poll(() => change.getAttribute("title")).toBe(sentence);
    expect(await descriptionOf(page, change)).toBe(sentence);
    // Focus (keyboard users) shows the same reason, from the cache: one question per permission and record.
    await page.mouse.move(0, 0);
    await change.focus();
    expect(await change.getAttribute("title")).toBe(sentence);
    expect(explainCalls).toHaveLength(1);
    expect(explainCalls[0]).toContain(`recordId=${chatId}`);
    // The control stays unusable (Playwright itself counts aria-disabled as not enabled): no picker opens.
    await change.click({ force: true });
    expect(await page.getByLabel("Responsible", { exact: true }).count()).toBe(0);
  });

  it("a role that sees every chat but may not reply is told why on the composer's Reply", async () => {
    const { workspace } = await chatWithCustomer();
    const observer = await insertRoleDirectly(suite.server.database.db, workspace, { "chats.view": "all", "chats.reply": "none" }, "Observer");
    const member = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: observer.id, name: "Oscar Observer" });

    const { page } = await openChat(member);
    const reply = page.getByRole("button", { name: "Reply", exact: true });
    await reply.focus();
    const sentence = "Your role (Observer) does not allow you to reply in chats (chats.reply).";
    await expect.poll(() => reply.getAttribute("title")).toBe(sentence);
    expect(await descriptionOf(page, reply)).toBe(sentence);
  });
});
