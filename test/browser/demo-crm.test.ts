import { startDemoServer } from "../support/demo";
import { chatList, fromOptions } from "../support/pipedrive-simulator";
import { eventually } from "../support/sse";
import { webUiSuite } from "../support/web-server";

// What `npm start` offers in development, with no fake servers: the demo workspace connected to
// the demo CRM, and the simulator showing the demo CRM's deal with the real panel inside.

const suite = webUiSuite((webRoot) => startDemoServer({ webRoot }));

describe("the CRM simulator on the demo CRM", () => {
  it("shows the demo CRM's deal; an Agent sends from their own number and the note appears in the demo CRM", async () => {
    const page = await suite.newPage();
    await page.goto(`${suite.server.url}/simulator/`);

    // The deal, its person and the users to switch between all come from the demo CRM.
    await page.getByRole("heading", { name: "Enterprise plan — 25 seats" }).waitFor();
    const person = page.getByRole("region", { name: "Person" });
    expect(await person.locator(".pd-phone").allTextContents()).toEqual(["+44 20 7946 0958 (mobile)", "+1 (555) 010-0999 (work)"]);
    expect(await page.locator("#persona option").allTextContents()).toEqual([
      "Demo Owner (user 101)",
      "Demo Admin (user 102)",
      "Demo Teammate (user 103)",
      "Demo Agent (user 104)",
      "Demo Collaborator (user 105)",
    ]);

    await page.locator("#persona").selectOption("agent");
    const panel = page.frameLocator('iframe[name="panel"]');
    await panel.getByText("Demo Agent").first().waitFor();
    // The panel read the same person from the demo CRM's API, numbers normalized.
    await panel.getByRole("list", { name: "People" }).getByText("Grace Hopper").waitFor();
    expect(await panel.getByRole("list", { name: "People" }).locator("code").allTextContents()).toEqual(["+442079460958", "+15550100999"]);
    await chatList(panel).first().waitFor();
    expect(await chatList(panel).count()).toBe(1);
    expect(await fromOptions(panel)).toEqual(["Agent's line (+15550100200)"]);

    await chatList(panel).first().click();
    const history = panel.getByRole("list", { name: "Messages" });
    await history.getByText("That's me! I'll send you a few time slots.").waitFor();
    await panel.getByLabel("Message", { exact: true }).fill("Here are three onboarding slots: Mon 10:00, Tue 14:00, Thu 09:00.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await history.getByText("Here are three onboarding slots").waitFor();
    await page.getByRole("status").filter({ hasText: "WhatsApp message sent" }).waitFor();

    // Logged to the demo CRM under the Agent's own Pipedrive user, shown in the deal's history.
    const note = page.getByRole("list", { name: "History" }).getByRole("listitem").filter({ hasText: "Here are three onboarding slots" });
    await note.waitFor({ timeout: 20_000 });
    expect(await note.textContent()).toContain("Demo Agent");
    await eventually(() => {
      const stored = suite.server.services.demoCrm?.notes.find((candidate) => candidate.content.includes("Here are three onboarding slots"));
      expect(stored).toMatchObject({ userId: 104, dealId: 1 });
    }, 20_000);
  });

  it("an Admin presses Reconnect in the app settings: the consent page opens in a new window, which finishes the connection", async () => {
    const page = await suite.newPage();
    await page.goto(`${suite.server.url}/simulator/`);
    await page.locator("#persona").selectOption("admin");
    await page.getByRole("button", { name: "App settings" }).click();
    const settings = page.frameLocator('iframe[name="settings"]');

    // The link passes through Switchboard, which ties the flow to this browser with a cookie.
    const [consent] = await Promise.all([page.waitForEvent("popup"), settings.getByRole("button", { name: "Reconnect Pipedrive" }).click()]);
    await consent.getByRole("button", { name: "Demo Admin" }).click();

    await consent.waitForURL(/#\/integrations\?pipedrive=connected/);
    const owner = await suite.server.login("owner");
    const log = await suite.server.api("GET", "/audit-log?action=pipedrive.connect", { token: owner });
    expect(log.body.data[0]).toMatchObject({ action: "pipedrive.connect", details: { pipedriveUserId: 102 } });
  });
});
