import { graceMobile, simulatorSuite } from "../support/pipedrive-simulator";

// The ownership lock in the Pipedrive panel (the HubSpot card shares its composer), inside the CRM
// simulator: Grace Hopper's chat on the Owner's line is held by the Collaborator, so a Teammate
// (chats.take_over only on lines they connected) finds the message box disabled with the server's
// sentence there, and usable for her unassigned chat on the Agent's line.
const suite = simulatorSuite();

describe("Pipedrive panel: the ownership lock", () => {
  it("disables the message box with who holds the chat and why, only where the lock stops the member", async () => {
    const { server, team, lines } = suite.stack;
    const locked = await server.api("PATCH", "/workspace", { token: team.admin.token, body: { ownershipLock: true } });
    expect(locked.status).toBe(200);
    const { panel } = await suite.stack.openSimulator("teammate");
    await panel.getByLabel("To").selectOption(graceMobile);
    await panel.getByLabel("From").selectOption(lines.owner.id);
    const sentence = "The collaborator holds this chat; the ownership lock lets only members with chats.take_over reply in it.";
    await panel.getByText(sentence).waitFor();
    const box = panel.getByRole("textbox", { name: "Message" });
    expect(await box.isDisabled()).toBe(true);
    expect(await box.getAttribute("aria-describedby")).toBe("composer-locked");
    expect(await panel.getByRole("button", { name: "Send", exact: true }).count()).toBe(0);

    await panel.getByLabel("From").selectOption(lines.agent.id);
    await panel.getByRole("button", { name: "Send", exact: true }).waitFor();
    expect(await panel.getByRole("textbox", { name: "Message" }).isDisabled()).toBe(false);
    expect(await panel.getByText(sentence).count()).toBe(0);
  });
});
