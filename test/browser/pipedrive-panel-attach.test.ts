import { chatList, graceMobile, simulatorSuite } from "../support/pipedrive-simulator";

// Sending a file from the Pipedrive panel's composer, inside the CRM simulator: the Agent attaches
// a PDF to Grace Hopper's chat on the deal, adds a caption, sends; the message is in the history.
const suite = simulatorSuite();

describe("Pipedrive panel: attach", () => {
  it("the Agent attaches a PDF with a caption from the panel's composer and it is sent", async () => {
    const { server, team, lines } = suite.stack;
    const wrote = await server.api("POST", `/whatsapp-accounts/${lines.agent.id}/sandbox/inbound`, {
      token: team.agent.token,
      body: { from: graceMobile, name: "Grace Hopper", text: "Can you send the quote as a PDF?" },
    });
    expect(wrote.status).toBe(201);
    const { panel } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().click();
    await panel.getByRole("list", { name: "Messages" }).getByText("Can you send the quote as a PDF?").waitFor();

    const pdf = Buffer.from("%PDF-1.4\n% quote\n%%EOF\n");
    await panel.getByLabel("File to attach").setInputFiles({ name: "Quote Q-42.pdf", mimeType: "application/pdf", buffer: pdf });
    const preview = panel.getByRole("group", { name: "Attachment Quote Q-42.pdf" });
    await preview.getByText(`${pdf.length} bytes`).waitFor();
    await preview.getByLabel("Caption").fill("Your quote");
    await panel.getByRole("button", { name: "Send", exact: true }).click();

    await panel
      .getByRole("list", { name: "Messages" })
      .getByText(/Your quote/)
      .waitFor();
    const history = await server.api("GET", `/chats/${wrote.body.chatId}/messages`, { token: team.agent.token });
    expect(history.body.data[0]).toMatchObject({
      direction: "out",
      text: "[document] Your quote",
      media: { kind: "document", fileName: "Quote Q-42.pdf", caption: "Your quote", status: "ready" },
    });
  });
});
