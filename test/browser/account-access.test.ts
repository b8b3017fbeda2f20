import type { Page } from "playwright-core";
import { logInToConsole, logInToSection } from "../support/console";
import { insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// Per-number access in Debian's Chromium: an Admin makes the Support line read-only for a Teammate
// on the WhatsApp numbers page; the Teammate's composer on a Support chat is disabled and says
// why (the server's sentence, naming the override), while a Sales chat still sends.

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));

async function descriptionOf(page: Page, control: ReturnType<Page["getByRole"]>) {
  const id = await control.getAttribute("aria-describedby");
  return id ? page.locator(`[id="${id}"]`).textContent() : null;
}

describe("per-number access overrides", () => {
  it("an override makes the Support line read-only for a Teammate in the composer", async () => {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    const owner = await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olivia Owner" });
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Adam Admin" });
    const teammate = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Tina Teammate" });
    const lines: Record<string, string> = {};
    for (const [displayName, phoneNumber, customer, text] of [
      ["Support", "+442079460000", "Sam Support", "My order is broken"],
      ["Sales", "+442079460001", "Sally Sales", "Do you ship to Leeds?"],
    ] as const) {
      const line = await suite.server.api("POST", "/whatsapp-accounts", { token: owner.token, body: { provider: "sandbox", phoneNumber, displayName } });
      expect(line.status).toBe(201);
      lines[displayName] = line.body.account.id;
      const arrived = await suite.server.api("POST", `/whatsapp-accounts/${line.body.account.id}/sandbox/inbound`, {
        token: owner.token,
        body: { from: displayName === "Support" ? "+447700900111" : "+447700900222", text, name: customer },
      });
      expect(arrived.status).toBe(201);
    }

    // The Admin opens Support's access on the WhatsApp numbers page and makes it read-only for Tina.
    const adminPage = await logInToSection(await suite.newPage(), suite.server.url, admin, "WhatsApp numbers");
    await adminPage.getByRole("row", { name: "Support (+442079460000)" }).getByRole("button", { name: "Access" }).click();
    const panel = adminPage.getByRole("region", { name: "Access to Support (+442079460000)" });
    const tina = panel.getByLabel("Tina Teammate on Support (+442079460000)");
    expect(await tina.inputValue()).toBe("");
    // The Owner is never overridden, and the Admin does not edit their own access.
    expect(await panel.getByLabel("Olivia Owner on Support (+442079460000)").count()).toBe(0);
    expect(await panel.getByLabel("Adam Admin on Support (+442079460000)").count()).toBe(0);
    await tina.selectOption({ label: "Read-only" });
    await expect
      .poll(async () => (await suite.server.api("GET", `/whatsapp-accounts/${lines.Support}/access`, { token: admin.token })).body.data)
      .toEqual([expect.objectContaining({ subject: { type: "member", id: teammate.id }, access: "read" })]);
    // The panel reloads on the live access.changed: read the select once it has settled.
    await expect.poll(() => tina.isEnabled()).toBe(true);
    await expect.poll(() => tina.inputValue()).toBe("read");

    // The Roles page shows the same overrides per role × number: the Admin narrows the Agent role on Sales.
    await adminPage.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Roles" }).click();
    const card = adminPage.getByRole("region", { name: "Per-number access" });
    const agentsOnSales = card.getByLabel("Role Agent on Sales (+442079460001)");
    await agentsOnSales.waitFor();
    expect(await card.getByLabel("Role Admin on Sales (+442079460001)").count()).toBe(0);
    await agentsOnSales.selectOption({ label: "No access" });
    await expect
      .poll(async () => (await suite.server.api("GET", "/roles/agent/access", { token: admin.token })).body.data)
      .toEqual([expect.objectContaining({ accountId: lines.Sales, access: "none" })]);

    // Tina opens the Support chat: she reads it, the composer is replaced and says why.
    const page = await suite.newPage();
    await logInToConsole(page, suite.server.url, teammate);
    const chats = page.getByRole("list", { name: "Chats" });
    await chats.getByRole("button", { name: /Sam Support/ }).click();
    await page.getByRole("list", { name: "Messages" }).getByText("My order is broken").waitFor();
    expect(await page.getByRole("textbox", { name: "Message" }).count()).toBe(0);
    const reply = page.getByRole("button", { name: "Reply", exact: true });
    expect(await reply.getAttribute("aria-disabled")).toBe("true");
    await reply.hover();
    const sentence =
      "An override for you gives you read-only access to the WhatsApp account Support (+442079460000), so you may not reply in chats there (chats.reply).";
    await expect.poll(() => reply.getAttribute("title")).toBe(sentence);
    expect(await descriptionOf(page, reply)).toBe(sentence);

    // A Sales chat still sends.
    await chats.getByRole("button", { name: /Sally Sales/ }).click();
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.fill("Yes, we ship to Leeds.");
    await composer.press("Enter");
    await page.getByRole("list", { name: "Messages" }).getByRole("listitem").filter({ hasText: "Yes, we ship to Leeds." }).waitFor();
    // Two members' sessions in one browser: about 20 s on an idle machine.
  }, 90_000);
});
