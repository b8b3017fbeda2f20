import { logInToConsole, logInToSection } from "../support/console";
import { insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The ownership lock (issue 15 §3) in Debian's Chromium: the Admin turns it on in Settings; a
// second Teammate who opens the chat the first one holds finds the composer disabled with who
// holds it and why, asks to take it over, and the holder sees the request and hands the chat over.

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));

describe("the ownership lock", () => {
  it("stops a second agent replying; they ask to take over and the holder hands the chat over", async () => {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    const owner = await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olivia Owner" });
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Adam Admin" });
    const ana = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Ana Lima" });
    const ben = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Ben Baker" });
    const line = await suite.server.api("POST", "/whatsapp-accounts", {
      token: owner.token,
      body: { provider: "sandbox", phoneNumber: `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`, displayName: "Front desk" },
    });
    const arrived = await suite.server.api("POST", `/whatsapp-accounts/${line.body.account.id}/sandbox/inbound`, {
      token: owner.token,
      body: { from: "+44 7700 900123", text: "Where is my order?", name: "Sam Shopper" },
    });
    const taken = await suite.server.api("PUT", `/chats/${arrived.body.chatId}/responsible`, { token: ana.token, body: { memberId: ana.id } });
    expect(taken.status).toBe(200);

    // The Admin turns the lock on in Settings.
    const adminPage = await logInToSection(await suite.newPage(), suite.server.url, admin, "Settings");
    await adminPage.getByRole("checkbox", { name: "Lock chats to their responsible" }).click();
    await adminPage.getByRole("status").getByText("The ownership lock is on.").waitFor();

    // Ana, who holds the chat, is in the console (her live updates open).
    const anaPage = await logInToConsole(await suite.newPage(), suite.server.url, ana);
    await anaPage
      .getByRole("list", { name: "Chats" })
      .getByRole("button", { name: /Sam Shopper/ })
      .waitFor();

    // Ben opens Ana's chat: it says who holds it, and the composer is disabled with the server's sentence.
    const benPage = await logInToConsole(await suite.newPage(), suite.server.url, ben);
    await benPage
      .getByRole("list", { name: "Chats" })
      .getByRole("button", { name: /Sam Shopper/ })
      .click();
    await benPage.getByRole("list", { name: "Messages" }).getByText("Where is my order?").waitFor();
    await benPage.getByText("Held by Ana Lima").waitFor();
    await benPage.getByText("Ana Lima holds this chat; the ownership lock lets only members with chats.take_over reply in it.").waitFor();
    expect(await benPage.getByRole("textbox", { name: "Message" }).isDisabled()).toBe(true);
    expect(await benPage.getByRole("button", { name: "Send", exact: true }).count()).toBe(0);

    await benPage.getByRole("button", { name: "Ask to take over" }).click();
    await benPage.getByText("Asked. Ana Lima and the team's managers have been told.").waitFor();

    // Ana sees the request and hands the chat to Ben; his composer opens.
    const request = anaPage.getByRole("region", { name: "Take-over requests" });
    await request.getByText("Ben Baker asks to take over the chat with Sam Shopper.").waitFor();
    // The Admin, a team manager, hears it too.
    await adminPage.getByRole("region", { name: "Take-over requests" }).getByText("Ben Baker asks to take over the chat with Sam Shopper.").waitFor();
    // The Owner, who was away when Ben asked, finds the request waiting when she opens the console.
    const ownerPage = await logInToConsole(await suite.newPage(), suite.server.url, owner);
    await ownerPage.getByRole("region", { name: "Take-over requests" }).getByText("Ben Baker asks to take over the chat with Sam Shopper.").waitFor();
    await request.getByRole("button", { name: "Assign to Ben Baker" }).click();
    await benPage.getByText("Held by you").waitFor();
    await benPage.getByRole("textbox", { name: "Message" }).fill("I have it from here.");
    await benPage.getByRole("button", { name: "Send", exact: true }).click();
    await benPage.getByRole("list", { name: "Messages" }).getByText("I have it from here.").waitFor();
  });
});
