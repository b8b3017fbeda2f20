import type { Page } from "playwright-core";
import { logInToConsole } from "../support/console";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// Guarded deletion (issue 15 §4) in Debian's Chromium: an Admin deletes a customer's message from
// the console after a dialog that says WhatsApp keeps it; a Teammate's open console drops it live;
// the activity log keeps what it said.

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));

async function openChat(page: Page, member: BuiltMember, contact: string) {
  await logInToConsole(page, suite.server.url, member);
  await page.getByRole("link", { name: "Inbox" }).click();
  await page.getByRole("heading", { name: "Inbox", exact: true }).waitFor();
  await page
    .getByRole("list", { name: "Chats" })
    .getByRole("button", { name: new RegExp(contact) })
    .click();
}

const messagesOf = (page: Page) => page.getByRole("list", { name: "Messages" });

describe("deleting a message", () => {
  it("an Admin confirms knowing WhatsApp keeps it; it disappears live for a Teammate; the activity log keeps it", async () => {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Ada Admin" });
    const teammate = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Tom Teammate" });
    const line = await suite.server.api("POST", "/whatsapp-accounts", {
      token: admin.token,
      body: { provider: "sandbox", phoneNumber: `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`, displayName: "Ada's line" },
    });
    expect(line.status).toBe(201);
    for (const text of ["My card is 4111 1111 1111 1111", "Sorry, wrong chat"]) {
      const arrived = await suite.server.api("POST", `/whatsapp-accounts/${line.body.account.id}/sandbox/inbound`, {
        token: admin.token,
        body: { from: "+447700900301", text, name: "Maria Lopez" },
      });
      expect(arrived.status).toBe(201);
    }

    const teammatePage = await suite.newPage();
    await openChat(teammatePage, teammate, "Maria Lopez");
    await messagesOf(teammatePage).getByText("My card is 4111 1111 1111 1111").waitFor();
    // The Teammate's role does not delete messages: no Delete is offered.
    expect(
      await messagesOf(teammatePage)
        .getByRole("button", { name: /^Delete/ })
        .count(),
    ).toBe(0);

    const adminPage = await suite.newPage();
    await openChat(adminPage, admin, "Maria Lopez");
    const message = messagesOf(adminPage).getByRole("listitem").filter({ hasText: "My card is 4111 1111 1111 1111" });
    await message.hover();
    await message.getByRole("button", { name: "Delete Maria Lopez's message" }).click();
    const dialog = adminPage.getByRole("dialog", { name: "Delete for everyone here?" });
    // Said before anything is deleted: WhatsApp already has it.
    await dialog.getByText("Deleted here only: the customer sent it on WhatsApp, so they still have it.").waitFor();
    expect(await messagesOf(adminPage).getByText("My card is 4111 1111 1111 1111").count()).toBe(1);
    await dialog.getByRole("button", { name: "Delete for everyone here" }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => messagesOf(adminPage).getByText("My card is 4111 1111 1111 1111").count()).toBe(0);
    await messagesOf(adminPage).getByText("Sorry, wrong chat").waitFor();

    // Live, without a reload, in the Teammate's console.
    await expect.poll(() => messagesOf(teammatePage).getByText("My card is 4111 1111 1111 1111").count()).toBe(0);
    expect(await messagesOf(teammatePage).getByText("Sorry, wrong chat").count()).toBe(1);

    // The activity log keeps who deleted what.
    await adminPage.getByRole("link", { name: "Activity log" }).click();
    const entry = adminPage
      .getByRole("table", { name: "Activity log entries" })
      .getByRole("row")
      .filter({ hasText: "Ada Admin deleted a customer's message: “My card is 4111 1111 1111 1111”" });
    await entry.waitFor();
    await entry.getByText("Details", { exact: true }).click();
    await entry.getByText(/"text":"My card is 4111 1111 1111 1111"/).waitFor();
  }, 150_000);
});
