import type { FrameLocator } from "playwright-core";
import { chatList, graceMobile, simulatorSuite } from "../support/pipedrive-simulator";

// Replying to a message from the Pipedrive panel (issue 17), inside the CRM simulator: the Agent
// quotes Grace Hopper's messages (sandbox line) with a text and with a file; the panel's history
// shows the quotes and the stored messages carry them (replyTo, as the API presents them).
const suite = simulatorSuite();

async function graceWrites(text: string) {
  const { server, team, lines } = suite.stack;
  const wrote = await server.api("POST", `/whatsapp-accounts/${lines.agent.id}/sandbox/inbound`, {
    token: team.agent.token,
    body: { from: graceMobile, name: "Grace Hopper", text },
  });
  expect(wrote.status).toBe(201);
  return wrote.body as { chatId: string; messageId: string };
}

const messageItem = (panel: FrameLocator, messageId: string) => panel.getByRole("list", { name: "Messages" }).locator(`li[data-message-id="${messageId}"]`);
const strip = (panel: FrameLocator) => panel.locator(".composer-reply");

describe("Pipedrive panel: replies", () => {
  it("the Agent replies to Grace's messages with a text and a file; the history shows the quotes, the messages store them", async () => {
    const price = await graceWrites("What is the price of the blue one?");
    const invoice = await graceWrites("And the invoice, please");
    const { server, team } = suite.stack;
    const { panel } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().click();
    await panel.getByRole("list", { name: "Messages" }).getByText("And the invoice, please").waitFor();

    const replyToPrice = messageItem(panel, price.messageId).getByRole("button", { name: "Reply to Grace Hopper's message" });
    await replyToPrice.click();
    await expect.poll(() => strip(panel).textContent()).toBe("Replying to Grace Hopper: What is the price of the blue one?×");
    // Escape in the message cancels; the × too.
    await panel.getByLabel("Message", { exact: true }).press("Escape");
    expect(await strip(panel).count()).toBe(0);
    await replyToPrice.click();
    await panel.getByRole("button", { name: "Cancel the reply (Esc)" }).click();
    expect(await strip(panel).count()).toBe(0);

    await replyToPrice.click();
    await panel.getByLabel("Message", { exact: true }).fill("It is 42 euros.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await panel
      .getByRole("list", { name: "Messages" })
      .getByRole("button", { name: "Replying to Grace Hopper: What is the price of the blue one? — show that message" })
      .waitFor();
    await expect.poll(() => strip(panel).count()).toBe(0);

    await messageItem(panel, invoice.messageId).getByRole("button", { name: "Reply to Grace Hopper's message" }).click();
    await panel
      .getByLabel("File to attach")
      .setInputFiles({ name: "Invoice 77.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% invoice\n%%EOF\n") });
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await panel
      .getByRole("list", { name: "Messages" })
      .getByRole("button", { name: "Replying to Grace Hopper: And the invoice, please — show that message" })
      .waitFor();

    const history = await server.api("GET", `/chats/${price.chatId}/messages`, { token: team.agent.token });
    const ours = (history.body.data as { direction: string; text: string; replyTo?: { id: string } }[]).filter((message) => message.direction === "out");
    expect(ours.map((message) => [message.text, message.replyTo?.id])).toEqual([
      ["[document] Invoice 77.pdf", invoice.messageId],
      ["It is 42 euros.", price.messageId],
    ]);
  });
});
