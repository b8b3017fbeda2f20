import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { messageMedia } from "../../server/db/schema";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// A member sends a file from the console's composer: the paperclip's file picker, a preview with
// a caption, Send; the message is in the history at once. A file WhatsApp would refuse is named
// with the limit before anything is sent.
const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));

async function agentWithChat() {
  const workspace = await insertWorkspaceDirectly(suite.server.database.db);
  const agent = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: "agent", name: "Alex Agent" });
  const connected = await suite.server.api("POST", "/whatsapp-accounts", {
    token: agent.token,
    body: { provider: "sandbox", phoneNumber: "+1 555 010 7000", displayName: "Files line" },
  });
  expect(connected.status).toBe(201);
  const arrived = await suite.server.api("POST", `/whatsapp-accounts/${connected.body.account.id}/sandbox/inbound`, {
    token: agent.token,
    body: { from: "+44 7700 900555", text: "Could you send me the price list?", name: "Nora Quinn" },
  });
  expect(arrived.status).toBe(201);
  return { workspace, agent, chatId: arrived.body.chatId as string };
}

async function openChat(agent: BuiltMember): Promise<Page> {
  const page = await suite.newPage();
  await page.goto(`${suite.server.url}/#/login`);
  await page.getByLabel("Email", { exact: true }).fill(agent.email);
  await page.getByLabel("Password", { exact: true }).fill(testPassword);
  await page.getByRole("button", { name: "Log in" }).click();
  await page
    .getByRole("list", { name: "Chats" })
    .getByRole("button", { name: /Nora Quinn/ })
    .click();
  await page.getByRole("list", { name: "Messages" }).getByText("Could you send me the price list?").waitFor();
  return page;
}

async function pickFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Attach a file" }).click();
  await (await chooser).setFiles(file);
}

describe("sending a file from the console", () => {
  it("attaches a document with the paperclip, previews it with a caption, and sends it", async () => {
    const { workspace, agent, chatId } = await agentWithChat();
    const page = await openChat(agent);
    const pdf = Buffer.from("%PDF-1.4\n% price list\n%%EOF\n");
    await pickFile(page, { name: "Price list 2027.pdf", mimeType: "application/pdf", buffer: pdf });

    const preview = page.getByRole("group", { name: "Attachment Price list 2027.pdf" });
    await preview.getByText("Price list 2027.pdf").waitFor();
    expect(await preview.textContent()).toContain(`${pdf.length} bytes`);
    await preview.getByLabel("Caption").fill("Here it is");
    // Remove takes it away; attaching again brings it back (keyboard: the paperclip is a button).
    await preview.getByRole("button", { name: "Remove Price list 2027.pdf" }).click();
    expect(await preview.count()).toBe(0);
    await pickFile(page, { name: "Price list 2027.pdf", mimeType: "application/pdf", buffer: pdf });
    await preview.getByLabel("Caption").fill("Here it is");
    await page.getByRole("button", { name: "Send", exact: true }).click();

    await page
      .getByRole("list", { name: "Messages" })
      .getByText(/Here it is/)
      .waitFor();
    expect(await preview.count()).toBe(0);
    const rows = await suite.server.database.db
      .select()
      .from(messageMedia)
      .where(and(eq(messageMedia.workspaceId, workspace.id), eq(messageMedia.kind, "document")));
    expect(rows).toEqual([expect.objectContaining({ fileName: "Price list 2027.pdf", caption: "Here it is", sizeBytes: pdf.length, status: "ready" })]);
    const history = await suite.server.api("GET", `/chats/${chatId}/messages`, { token: agent.token });
    expect(history.body.data[0]).toMatchObject({ direction: "out", text: "[document] Here it is", authorId: agent.id });
  });

  it("attaches a file dropped on the composer, and an image pasted into the message (a thumbnail)", async () => {
    const { agent } = await agentWithChat();
    const page = await openChat(agent);
    const dropped = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["%PDF-1.4 dropped"], "dropped.pdf", { type: "application/pdf" }));
      return transfer;
    });
    const composerArea = page.locator(".composer");
    await composerArea.dispatchEvent("dragover", { dataTransfer: dropped });
    await composerArea.dispatchEvent("drop", { dataTransfer: dropped });
    const droppedPreview = page.getByRole("group", { name: "Attachment dropped.pdf" });
    await droppedPreview.getByText("16 bytes").waitFor();
    await droppedPreview.getByRole("button", { name: "Remove dropped.pdf" }).click();

    await page.getByRole("textbox", { name: "Message" }).evaluate((field) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "screenshot.png", { type: "image/png" }));
      field.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
    });
    const pasted = page.getByRole("group", { name: "Attachment screenshot.png" });
    await pasted.getByRole("img", { name: "Preview of screenshot.png" }).waitFor();
    await pasted.getByLabel("Caption").fill("This one");
    await page.keyboard.press("Tab");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page
      .getByRole("list", { name: "Messages" })
      .getByText(/This one/)
      .waitFor();
  });

  it("names WhatsApp's limit for a file it would refuse, and sends nothing", async () => {
    const { agent, chatId } = await agentWithChat();
    const page = await openChat(agent);
    await pickFile(page, { name: "animation.gif", mimeType: "image/gif", buffer: Buffer.from("GIF89a") });
    await page
      .getByRole("alert")
      .getByText(/WhatsApp can't send animation\.gif \(image\/gif\)/)
      .waitFor();
    await pickFile(page, { name: "holiday.png", mimeType: "image/png", buffer: Buffer.alloc(6 * 1024 * 1024, 1) });
    await page.getByRole("alert").getByText("holiday.png is 6 MB: WhatsApp takes image files of at most 5 MB.").waitFor();
    expect(await page.getByRole("group", { name: /Attachment/ }).count()).toBe(0);
    const history = await suite.server.api("GET", `/chats/${chatId}/messages`, { token: agent.token });
    expect(history.body.data).toHaveLength(1);
  });
});
