import type { FrameLocator, Page } from "playwright-core";
import { pipedriveUserIds, simulatorSuite } from "../support/pipedrive-simulator";
import { eventually } from "../support/sse";

// The app settings page ("Custom UI for app settings") in the CRM simulator: an Admin manages
// logging and the user mapping; everyone else sees the state read-only.

const suite = simulatorSuite();

const loggingSelect = (settings: FrameLocator) => settings.getByLabel("Log WhatsApp conversations as");
const memberFor = (settings: FrameLocator, persona: keyof typeof pipedriveUserIds) => settings.getByLabel(`Member for Pipedrive ${persona}`);
const snackbar = (page: Page, text: string) => page.getByRole("status").filter({ hasText: text }).waitFor();

describe("App settings page", () => {
  it("lets an Admin change the logging and the user mapping, and the changes persist", async () => {
    const { page, settings } = await suite.stack.openSimulator("admin", { view: "settings" });
    await settings.getByRole("region", { name: "Workspace connection" }).getByText("connected").waitFor();
    expect(await page.locator('iframe[name="settings"]').getAttribute("data-initialized")).toBe("true");
    expect(await loggingSelect(settings).inputValue()).toBe("note");

    await loggingSelect(settings).selectOption({ label: "An activity per conversation" });
    await snackbar(page, "Logging saved");
    // Pipedrive user 105 is no longer the Collaborator; the formerly unlinked user 107 is.
    await memberFor(settings, "collaborator").selectOption({ label: "Not linked" });
    await snackbar(page, "Mapping saved");
    await memberFor(settings, "unlinked").selectOption({ label: "The collaborator" });
    const owner = suite.stack.team.owner.token;
    const mapping = async () =>
      (await suite.stack.server.api("GET", "/integrations/pipedrive/users", { token: owner })).body.data as {
        pipedriveUserId: number;
        memberId: string | null;
      }[];
    await eventually(async () => expect((await mapping()).find((user) => user.pipedriveUserId === pipedriveUserIds.unlinked)?.memberId).toBeTruthy());

    await page.reload();
    await settings.getByRole("region", { name: "Users" }).waitFor();
    await memberFor(settings, "unlinked").waitFor();
    expect(await loggingSelect(settings).inputValue()).toBe("activity");
    expect(await memberFor(settings, "unlinked").inputValue()).toBe(suite.stack.team.collaborator.id);
    expect(await memberFor(settings, "collaborator").inputValue()).toBe("");
    // The iframe is resized to the whole page, padding included: nothing is cut off or scrolls.
    const frame = page.frame({ name: "settings" });
    await eventually(async () => expect(await frame?.evaluate(() => document.documentElement.scrollHeight - window.innerHeight)).toBeLessThanOrEqual(0));

    expect((await suite.stack.server.api("GET", "/integrations/pipedrive/settings", { token: owner })).body.logging).toBe("activity");
    const users = await mapping();
    expect(users.find((user) => user.pipedriveUserId === pipedriveUserIds.unlinked)?.memberId).toBe(suite.stack.team.collaborator.id);
    expect(users.find((user) => user.pipedriveUserId === pipedriveUserIds.collaborator)?.memberId).toBeNull();
  });

  it("shows a Teammate the state read-only: no logging choice, no mapping, no connect button", async () => {
    const changed = await suite.stack.server.api("PUT", "/integrations/pipedrive/settings", { token: suite.stack.team.owner.token, body: { logging: "off" } });
    expect(changed.status).toBe(200);
    const { settings } = await suite.stack.openSimulator("teammate", { view: "settings" });
    await settings.getByTestId("logging-readonly").waitFor();
    expect(await settings.getByTestId("logging-readonly").textContent()).toBe("Don't log");
    expect(await settings.getByRole("region", { name: "Workspace connection" }).textContent()).toContain("Only an Owner or Admin can change the connection");
    expect(await loggingSelect(settings).count()).toBe(0);
    expect(await settings.getByRole("region", { name: "Users" }).count()).toBe(0);
    expect(await settings.getByRole("button").count()).toBe(0);
  });
});
