import { logInToSection } from "../support/console";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// Phones people type (issue 13 §6), in the built console over the real API: an Admin sets the
// workspace's default country in Settings, then a national number starts a chat, is shown in
// international format, and is found by search typed nationally; an extension is explained.
const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));

describe("phones people type", () => {
  it("an Admin sets GB, starts a chat to 07700 900123, sees +44 7700 900123, finds it by 07700900123; an extension is explained", async () => {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olive Owner" });
    const admin: BuiltMember = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Adam Admin" });
    const connected = await suite.server.api("POST", "/whatsapp-accounts", {
      token: admin.token,
      body: { provider: "sandbox", phoneNumber: "+1 555 010 8000", displayName: "Sales line" },
    });
    expect(connected.status).toBe(201);
    // The line's approved templates, as the Templates page's "Sync from Meta" brings them.
    expect((await suite.server.api("POST", "/templates/sync", { token: admin.token, body: { accountId: connected.body.account.id } })).status).toBe(200);

    const page = await suite.newPage();
    await page.goto(`${suite.server.url}/#/login`);
    await page.getByLabel("Email", { exact: true }).fill(admin.email);
    await page.getByLabel("Password", { exact: true }).fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();

    await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Settings" }).click();
    const card = page.getByRole("region", { name: "Phone numbers" });
    await card.getByLabel("Default country").selectOption("GB");
    await card.getByRole("button", { name: "Save country" }).click();
    await card.getByRole("status").filter({ hasText: "Default country saved." }).waitFor();

    await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Inbox" }).click();
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New chat" });
    await dialog.getByText("With the country code, or as dialled in United Kingdom.").waitFor();
    await dialog.getByLabel("Phone number").fill("07700 900123");
    await dialog.getByLabel("Template", { exact: true }).selectOption({ label: "Appointment reminder (utility)" });
    await dialog.getByLabel("Name", { exact: true }).fill("Lucy");
    await dialog.getByLabel("your appointment on …").fill("Monday 10:00");
    await dialog.getByRole("button", { name: "Start chat" }).click();
    await dialog.waitFor({ state: "detached" });
    const chats = page.getByRole("list", { name: "Chats" });
    await chats.getByRole("button", { name: /\+44 7700 900123/ }).waitFor();
    await page.getByRole("heading", { name: "+44 7700 900123" }).waitFor();

    // A chat with someone else, so the search has something to leave out.
    await suite.server.api("POST", `/whatsapp-accounts/${connected.body.account.id}/sandbox/inbound`, {
      token: admin.token,
      body: { from: "+49 151 2345678", text: "Hallo", name: "Dora Dietrich" },
    });
    await chats.getByRole("button", { name: /Dora Dietrich/ }).waitFor();
    await page
      .getByRole("searchbox", { name: "Search chats" })
      .or(page.getByRole("textbox", { name: "Search chats" }))
      .fill("07700900123");
    await chats.getByRole("button", { name: /Dora Dietrich/ }).waitFor({ state: "detached" });
    await expect.poll(() => chats.getByRole("button").allTextContents()).toEqual([expect.stringContaining("+44 7700 900123")]);

    await page.getByRole("button", { name: "New chat" }).click();
    await dialog.getByLabel("Phone number").fill("07700 900123 ext. 5");
    await dialog.getByLabel("Template", { exact: true }).selectOption({ label: "Appointment reminder (utility)" });
    await dialog.getByLabel("Name", { exact: true }).fill("Lucy");
    await dialog.getByLabel("your appointment on …").fill("Monday 10:00");
    await dialog.getByRole("button", { name: "Start chat" }).click();
    const alert = dialog.getByRole("alert");
    await alert.filter({ hasText: "WhatsApp can't message an extension (“5”)" }).waitFor();
    expect(await alert.textContent()).not.toMatch(/body\.|phone number:/i);
  });

  it("a campaign's CSV preview says which rows were read with the default country, and explains an extension", async () => {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olive Owner" });
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Adam Admin" });
    const connected = await suite.server.api("POST", "/whatsapp-accounts", {
      token: admin.token,
      body: { provider: "sandbox", phoneNumber: "+1 555 010 8100", displayName: "Promo line" },
    });
    expect((await suite.server.api("POST", "/templates/sync", { token: admin.token, body: { accountId: connected.body.account.id } })).status).toBe(200);
    // The default country as the first test's Admin set it in Settings.
    expect((await suite.server.api("PATCH", "/workspace", { token: admin.token, body: { defaultCountry: "GB" } })).status).toBe(200);

    const page = await logInToSection(await suite.newPage(), suite.server.url, admin, "Campaigns");
    await page.getByRole("button", { name: "New campaign" }).click();
    const builder = page.getByRole("form", { name: "New campaign" });
    const templatePicker = builder.getByLabel("Template");
    await templatePicker.locator("option", { hasText: "order_update" }).waitFor({ state: "attached" });
    await templatePicker.selectOption({ label: "order_update (en_US) — approved" });
    const csv = ["phone,name,order", "07700 900001,Ana,A-1", "+1 555 011 1002,Bo,A-2", "07700 900003 ext. 5,Cy,A-3"].join("\n");
    await builder.getByLabel("CSV file").setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await builder.getByLabel("Column for {{1}}").selectOption("name");
    await builder.getByLabel("Column for {{2}}").selectOption("order");
    await builder.getByRole("button", { name: "Check recipients" }).click();
    const preview = builder.getByRole("region", { name: "Preview" });
    await preview.getByRole("heading", { name: "2 recipients get the message" }).waitFor();
    expect(await preview.getByRole("note").textContent()).toBe("Row 1 had no country code: read as a number of United Kingdom (GB).");
    const rejected = await preview.getByRole("table", { name: "Rejected rows" }).locator("tbody tr").allTextContents();
    expect(rejected).toEqual(["307700 900003 ext. 5an extension (5) can't be messaged on WhatsApp"]);
  });
});
