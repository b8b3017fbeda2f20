import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { pipedriveChatLinks } from "../../server/db/schema";
import { chatList, fromOptions, graceWork, simulatorSuite } from "../support/pipedrive-simulator";
import { eventually } from "../support/sse";

// The custom modal for starting a chat (OPEN_MODAL from the panel), in the CRM simulator. Developer
// Hub assigns the modal's id; the server is told it in PIPEDRIVE_START_CHAT_MODAL_ID and the
// simulator registers the modal under it, refusing any other id as Pipedrive would.

const modalId = "8d2f61c4-1b7e-4c1a-9f3e-start";
type LogEntry = { frame: string; command?: string; args?: { type?: string; action_id?: string } };
const openModalCommands = (page: Page) =>
  page.evaluate(() => ((window as unknown as { simulatorLog: LogEntry[] }).simulatorLog ?? []).filter((entry) => entry.command === "open_modal"));

describe("Start-chat modal (PIPEDRIVE_START_CHAT_MODAL_ID set)", () => {
  const suite = simulatorSuite({ PIPEDRIVE_START_CHAT_MODAL_ID: modalId });

  it("opens from the panel under the configured id, starts a chat from an account the member may use, and the chat appears in the panel", async () => {
    // The Agent synced their line's templates from Meta (the Templates page's "Sync from Meta").
    const { server, team, lines } = suite.stack;
    expect((await server.api("POST", "/templates/sync", { token: team.agent.token, body: { accountId: lines.agent.id } })).status).toBe(200);
    const { page, panel } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().waitFor();
    expect(await chatList(panel).count()).toBe(1);

    await panel.locator(".phone").filter({ hasText: graceWork }).getByRole("button", { name: "Start chat…" }).click();
    const dialog = page.getByRole("dialog", { name: "Custom modal" });
    await dialog.waitFor();
    const modal = page.frameLocator('iframe[name="modal"]');
    await modal.getByRole("heading", { name: "Start a WhatsApp chat" }).waitFor();
    expect(await openModalCommands(page)).toEqual([
      expect.objectContaining({ frame: "panel", args: expect.objectContaining({ type: "custom_modal", action_id: modalId }) }),
    ]);
    expect(await page.locator('iframe[name="modal"]').getAttribute("data-initialized")).toBe("true");
    // The number chosen in the panel comes first; only the Agent's own line may start chats.
    expect(await modal.getByLabel("To").inputValue()).toBe(graceWork);
    expect(await fromOptions(modal)).toEqual([expect.stringContaining(suite.stack.lines.agent.phoneNumber)]);

    // No chat on this number yet, so no 24-hour window: WhatsApp takes only an approved template.
    await modal.getByText("A new chat starts with an approved template.").waitFor();
    expect(await modal.getByLabel("Message", { exact: true }).count()).toBe(0);
    await modal.getByLabel("Template", { exact: true }).selectOption({ label: "Order update (utility)" });
    // The person's name from the deal; the order number typed into its own field, seen in the preview.
    expect(await modal.getByLabel("Name", { exact: true }).inputValue()).toBe("Grace");
    await modal.getByLabel("your order …").fill("A-1001");
    expect(await modal.getByRole("region", { name: "Preview" }).textContent()).toBe("Hi Grace, your order A-1001 is on its way.");
    await modal.getByRole("button", { name: "Send template", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("status").filter({ hasText: "WhatsApp message sent" }).waitFor();

    // The panel reloads when the modal reports "submitted": the new chat is there.
    // The chat list shows the number the way people read it.
    await chatList(panel).filter({ hasText: "+1 555 010 0999" }).waitFor();
    expect(await chatList(panel).count()).toBe(2);
    await chatList(panel).filter({ hasText: "+1 555 010 0999" }).click();
    await panel.getByRole("list", { name: "Messages" }).getByText("[template order_update] Grace · A-1001").waitFor();

    // Started on the Agent's line and logged under this deal's person and the deal.
    const chats = (await suite.stack.server.api("GET", "/chats", { token: suite.stack.team.agent.token })).body.data as {
      id: string;
      accountId: string;
      contact: { phone: string };
    }[];
    const started = chats.find((chat) => chat.contact.phone === graceWork);
    expect(started?.accountId).toBe(suite.stack.lines.agent.id);
    await eventually(async () => {
      const [link] = await suite.stack.server.database.db
        .select()
        .from(pipedriveChatLinks)
        .where(and(eq(pipedriveChatLinks.workspaceId, suite.stack.team.workspace.id), eq(pipedriveChatLinks.chatId, started?.id as string)));
      expect(link).toMatchObject({ dealId: suite.stack.deal.id, personId: suite.stack.deal.person_id });
    });
  });

  it("an id Pipedrive doesn't know (Developer Hub's differs from the configured one) is refused, and the panel says so", async () => {
    const { page, panel } = await suite.stack.openSimulator("agent", { startChatModalId: "another-modal-id" });
    await panel.locator(".phone").filter({ hasText: graceWork }).getByRole("button", { name: "Start chat…" }).click();
    await page.getByRole("status").filter({ hasText: "The start-chat window could not be opened" }).waitFor();
    expect(await page.getByRole("dialog", { name: "Custom modal" }).count()).toBe(0);
  });
});

describe("Start-chat modal (PIPEDRIVE_START_CHAT_MODAL_ID unset)", () => {
  const suite = simulatorSuite();

  it("the panel offers no Start chat… but works otherwise", async () => {
    const { panel } = await suite.stack.openSimulator("agent", { startChatModalId: modalId });
    await chatList(panel).first().waitFor();
    await panel.locator(".phone").filter({ hasText: graceWork }).waitFor();
    expect(await panel.getByRole("button", { name: "Start chat…" }).count()).toBe(0);
  });
});
