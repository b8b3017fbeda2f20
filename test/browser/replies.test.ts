import type { Locator, Page } from "playwright-core";
import { inboundTextWebhook, newWamid } from "../fakes/whatsapp-webhooks";
import { cloudLineSuite } from "../support/cloud-line";
import { type BuiltMember, insertMemberDirectly, insertRoleDirectly, testPassword } from "../support/factories";

// Replying to a message from the console (issue 17): a message's Reply puts a quote strip above
// the composer, the next text or file quotes it, the history shows the quote, and Meta gets the
// reply's context (the fake Graph API checks its shape). A Cloud API number, Meta's signed webhooks.

const customer = { waId: "447700900888", name: "Grace Hopper" };
const line = cloudLineSuite({ name: "replies", wabaId: "2055501070002", phoneNumberIdBase: 1055502070000, displayBase: 7200 });
const { suite } = line;

/** A workspace with a Cloud number, and the customer's two messages on it (their wamids). */
async function customerAsksTwice() {
  const { workspace, teammate, phoneNumberId } = await line.teamWithCloudLine();
  const questions = { colour: newWamid(), receipt: newWamid() };
  for (const [wamid, body] of [
    [questions.colour, "Do you have it in blue?"],
    [questions.receipt, "And could I have the receipt?"],
  ] as const) {
    const payload = inboundTextWebhook({
      phoneNumberId,
      from: { phone: customer.waId },
      name: customer.name,
      wamid,
      body,
      timestamp: Math.floor(Date.now() / 1000),
    });
    await line.metaDelivers(payload);
  }
  const chats = (await suite.server.api("GET", "/chats", { token: teammate.token })).body.data as { id: string }[];
  return { workspace, teammate, questions, chatId: chats[0]?.id as string };
}

type ListedMessage = { id: string; text: string; direction: string; replyTo?: { id: string } | null };
async function messagesOf(member: BuiltMember, chatId: string) {
  const page = (await suite.server.api("GET", `/chats/${chatId}/messages`, { token: member.token })).body.data as ListedMessage[];
  return { page, idOf: (text: string) => page.find((message) => message.text.includes(text))?.id as string };
}

async function openChat(member: { email: string }): Promise<Page> {
  const page = await suite.newPage();
  await page.goto(`${suite.server.url}/#/login`);
  await page.getByLabel("Email", { exact: true }).fill(member.email);
  await page.getByLabel("Password", { exact: true }).fill(testPassword);
  await page.getByRole("button", { name: "Log in" }).click();
  await page
    .getByRole("list", { name: "Chats" })
    .getByRole("button", { name: /Grace Hopper/ })
    .click();
  await page.getByRole("list", { name: "Messages" }).getByText("And could I have the receipt?").waitFor();
  return page;
}

const itemOf = (page: Page, messageId: string) => page.getByRole("list", { name: "Messages" }).locator(`li[data-message-id="${messageId}"]`);
const opacityOf = (element: Locator) => element.evaluate((node) => getComputedStyle(node).opacity);
const replyStrip = (page: Page) => page.locator(".composer-reply");

describe("replying to a message in the console", () => {
  it("a Teammate replies to the customer's message, with text and then with a file: the history shows the quotes, Meta gets the context", async () => {
    const { teammate, questions, chatId } = await customerAsksTwice();
    const { idOf } = await messagesOf(teammate, chatId);
    const page = await openChat(teammate);
    const colour = itemOf(page, idOf("Do you have it in blue?"));
    const replyToColour = colour.getByRole("button", { name: "Reply to Grace Hopper's message" });

    // Out of the way until the message is pointed at or focused.
    await page.mouse.move(0, 0);
    expect(await opacityOf(replyToColour)).toBe("0");
    await colour.hover();
    await expect.poll(() => opacityOf(replyToColour)).toBe("1");
    await page.mouse.move(0, 0);

    // From the keyboard: focus shows it, Enter quotes the message above the composer and moves to the text; Escape cancels.
    await replyToColour.focus();
    expect(await opacityOf(replyToColour)).toBe("1");
    await page.keyboard.press("Enter");
    await expect.poll(() => replyStrip(page).textContent()).toBe("Replying to Grace Hopper: Do you have it in blue?×");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("TEXTAREA");
    await page.keyboard.press("Escape");
    expect(await replyStrip(page).count()).toBe(0);
    // × cancels too.
    await replyToColour.click();
    await page.getByRole("button", { name: "Cancel the reply (Esc)" }).click();
    expect(await replyStrip(page).count()).toBe(0);

    // The text reply: the quote strip goes, the sent message shows its quote, Meta got context.message_id.
    await replyToColour.click();
    await page.getByLabel("Message", { exact: true }).fill("Yes, in blue and in green.");
    await page.keyboard.press("Enter");
    const history = page.getByRole("list", { name: "Messages" });
    await history.getByText("Yes, in blue and in green.").waitFor();
    // (The live update may bring the message before the send's own answer clears the strip.)
    await expect.poll(() => replyStrip(page).count()).toBe(0);
    const { idOf: idAfterText } = await messagesOf(teammate, chatId);
    const textReply = itemOf(page, idAfterText("Yes, in blue and in green."));
    await textReply.getByRole("button", { name: "Replying to Grace Hopper: Do you have it in blue? — show that message" }).waitFor();
    expect(line.graph.sentMessages.at(-1)?.body).toMatchObject({
      type: "text",
      context: { message_id: questions.colour },
      text: { body: "Yes, in blue and in green." },
    });

    // The file reply: Reply on the other question, attach, Send.
    await itemOf(page, idOf("And could I have the receipt?")).getByRole("button", { name: "Reply to Grace Hopper's message" }).click();
    await expect.poll(() => replyStrip(page).textContent()).toBe("Replying to Grace Hopper: And could I have the receipt?×");
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Attach a file" }).click();
    await (await chooser).setFiles({ name: "Receipt 1042.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% receipt\n%%EOF\n") });
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await history.getByText("Receipt 1042.pdf").first().waitFor();
    await expect.poll(() => replyStrip(page).count()).toBe(0);
    const { page: stored, idOf: idAfterFile } = await messagesOf(teammate, chatId);
    const fileReply = stored[0];
    expect(fileReply).toMatchObject({ direction: "out", text: "[document] Receipt 1042.pdf", replyTo: { id: idOf("And could I have the receipt?") } });
    await itemOf(page, fileReply?.id as string)
      .getByRole("button", { name: "Replying to Grace Hopper: And could I have the receipt? — show that message" })
      .waitFor();
    expect(line.graph.sentMessages.at(-1)?.body).toMatchObject({ type: "document", context: { message_id: questions.receipt } });
    expect(stored.find((message) => message.id === idAfterFile("Yes, in blue"))?.replyTo).toMatchObject({ id: idOf("Do you have it in blue?") });

    // On a narrow screen (a phone: no hover) Reply is always shown.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.mouse.move(0, 0);
    await expect.poll(() => opacityOf(replyToColour)).toBe("1");
  });

  it("a member who may not reply has no Reply on the messages", async () => {
    const { workspace, chatId } = await customerAsksTwice();
    const readOnly = await insertRoleDirectly(suite.server.database.db, workspace, { "chats.view": "all", "chats.reply": "none" }, "Observer");
    const observer = await insertMemberDirectly(suite.server.database.db, workspace, { roleId: readOnly.id, name: "Oscar Observer" });
    const page = await openChat(observer);
    const { idOf } = await messagesOf(observer, chatId);
    await itemOf(page, idOf("Do you have it in blue?")).getByText("Do you have it in blue?").waitFor();
    expect(
      await page
        .getByRole("list", { name: "Messages" })
        .getByRole("button", { name: /^Reply to / })
        .count(),
    ).toBe(0);
  });
});
