import { and, eq } from "drizzle-orm";
import { chats } from "../../server/db/schema";
import { seedDemoTemplates } from "../../server/demo/templates";
import { windowClosesAt } from "../../server/whatsapp/customer-service-window";
import { chatList, fromOptions, graceMobile, type Persona, simulatorSuite } from "../support/pipedrive-simulator";
import { eventually } from "../support/sse";

// The real Pipedrive panel inside the CRM simulator, against a fake Pipedrive (test/support/pipedrive-simulator.ts).

const suite = simulatorSuite();
beforeAll(async () => {
  // The server signs panel tokens only as the demo CRM; with a Pipedrive app of its own (the fake's)
  // it has no signer, and the test signs for the simulator as Pipedrive would.
  const probe = await suite.stack.server.api("POST", "/dev/simulator/token", { body: { userId: 101, companyId: 67890 } });
  expect(probe.status).toBe(404);
});

const openDealAs = (persona: Persona, companyId?: number) => suite.stack.openSimulator(persona, { companyId });

describe("Pipedrive panel in the CRM simulator", () => {
  it("lets an Agent send only from their own number, and the message appears in the history", async () => {
    const { page, panel } = await openDealAs("agent");
    await panel.getByRole("list", { name: "People" }).getByText("Grace Hopper").waitFor();
    expect(await panel.getByRole("list", { name: "People" }).locator("code").allTextContents()).toEqual([graceMobile, "+15550100999"]);
    expect(await page.locator('iframe[name="panel"]').getAttribute("data-initialized")).toBe("true");
    // The Agent has no Pipedrive connection of their own: the workspace's reads only this deal.
    await panel.getByText("Connect your own Pipedrive account to see more").waitFor();

    await chatList(panel).first().waitFor();
    expect(await chatList(panel).count()).toBe(1);
    expect(await fromOptions(panel)).toEqual([expect.stringContaining(suite.stack.lines.agent.phoneNumber)]);

    await chatList(panel).first().click();
    await panel.getByLabel("Message", { exact: true }).fill("Hello Grace, here is your quote.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    const history = panel.getByRole("list", { name: "Messages" });
    await history.getByText("Hello Grace, here is your quote.").waitFor();
    await page.getByRole("status").filter({ hasText: "WhatsApp message sent" }).waitFor();

    // Logged to Pipedrive as a note on the deal (the workspace logs notes by default): the panel links
    // the chat to the deal it was used from, and the note moves (or is written) there.
    const note = await eventually(() => {
      const found = suite.stack.fake.notes.find((candidate) => candidate.content.includes("Hello Grace, here is your quote."));
      if (!found) throw new Error("no note yet");
      if (found.deal_id !== suite.stack.deal.id) throw new Error("the note is not on the deal yet");
      return found;
    }, 20_000);
    expect(note).toMatchObject({ deal_id: suite.stack.deal.id, person_id: suite.stack.deal.person_id, pinned_to_deal_flag: true });
    // PANEL_SCREENSHOT=/tmp/panel.png keeps a picture of the simulator with the Agent's panel.
    if (process.env.PANEL_SCREENSHOT) await page.screenshot({ path: process.env.PANEL_SCREENSHOT, fullPage: true });
  });

  it("shows a Collaborator only the chat they are responsible for, replying from its line", async () => {
    const { panel } = await openDealAs("collaborator");
    await chatList(panel).first().waitFor();
    expect(await chatList(panel).count()).toBe(1);
    expect(await fromOptions(panel)).toEqual([expect.stringContaining(suite.stack.lines.owner.phoneNumber)]);
    await chatList(panel).first().click();
    expect(await panel.getByTestId("responsible").textContent()).toContain("The collaborator");
  });

  it("takes a chat out of a Collaborator's panel as soon as it is unassigned", async () => {
    const { panel } = await openDealAs("collaborator");
    await chatList(panel).first().click();
    await panel.getByTestId("responsible").waitFor();
    const owner = suite.stack.team.owner.token;
    const chats = (await suite.stack.server.api("GET", "/chats", { token: owner })).body.data as { id: string; responsibleId: string | null }[];
    const theirs = chats.find((chat) => chat.responsibleId === suite.stack.team.collaborator.id);
    if (!theirs) throw new Error("the stack assigns the Collaborator a chat");
    try {
      expect((await suite.stack.server.api("PUT", `/chats/${theirs.id}/responsible`, { token: owner, body: { memberId: null } })).status).toBe(200);
      await eventually(async () => expect(await chatList(panel).count()).toBe(0));
      expect(await panel.getByTestId("responsible").count()).toBe(0);
    } finally {
      await suite.stack.server.api("PUT", `/chats/${theirs.id}/responsible`, { token: owner, body: { memberId: suite.stack.team.collaborator.id } });
    }
  });

  it("lets a Teammate pick any account and change the responsible", async () => {
    const { panel } = await openDealAs("teammate");
    await chatList(panel).nth(1).waitFor();
    expect(await chatList(panel).count()).toBe(2);
    const options = await fromOptions(panel);
    expect(options).toHaveLength(2);
    expect(options.join(" ")).toContain(suite.stack.lines.agent.phoneNumber);
    expect(options.join(" ")).toContain(suite.stack.lines.owner.phoneNumber);

    // The responsible is shown and, with abilities.assign, changeable.
    await chatList(panel).first().click();
    await panel.getByLabel("Responsible").selectOption({ label: "The agent" });
    await eventually(async () => {
      const chats = (await suite.stack.server.api("GET", "/chats", { token: suite.stack.team.owner.token })).body.data as { responsibleId: string | null }[];
      expect(chats.map((chat) => chat.responsibleId)).toContain(suite.stack.team.agent.id);
    });
  });

  it("offers an Agent only a template once Grace's 24-hour window has closed, picked from the approved ones with her name filled in and a preview, and sends it", async () => {
    const { server, team, lines } = suite.stack;
    const agentChats = (await server.api("GET", "/chats", { token: team.agent.token })).body.data as { id: string; accountId: string }[];
    const graceOnAgentLine = agentChats.find((chat) => chat.accountId === lines.agent.id);
    if (!graceOnAgentLine) throw new Error("the stack gives the Agent's line a chat with Grace");
    const setWindow = (openUntil: Date) =>
      server.database.db
        .update(chats)
        .set({ windowOpenUntil: openUntil })
        .where(and(eq(chats.workspaceId, team.workspace.id), eq(chats.id, graceOnAgentLine.id)));
    await seedDemoTemplates(server.database.db, team.workspace.id, team.agent.id);
    // Grace last wrote more than 24 hours ago.
    await setWindow(new Date(Date.now() - 60_000));
    try {
      const { panel } = await openDealAs("agent");
      await chatList(panel).first().click();
      await panel.getByText("The 24-hour window is closed: send an approved template").waitFor();
      expect(await panel.getByLabel("Message", { exact: true }).count()).toBe(0);
      // The sandbox's templates, synced for the Agent's line: only the approved ones are offered, by name in words.
      const picker = panel.getByLabel("Template", { exact: true });
      await picker.locator("option", { hasText: "Follow up" }).waitFor({ state: "attached" });
      expect(await picker.locator("option").allTextContents()).toEqual([
        "Choose a template…",
        "Appointment reminder (utility)",
        "Follow up (marketing)",
        "Order update (utility)",
      ]);
      await picker.selectOption({ label: "Follow up (marketing)" });
      // Grace's name comes from the chat's contact; nothing is typed, and the preview is what she will read.
      expect(await panel.getByLabel("Name", { exact: true }).inputValue()).toBe("Grace");
      expect(await panel.getByRole("region", { name: "Preview" }).textContent()).toBe(
        "Hi Grace, following up on our conversation: is there anything else we can help with?",
      );
      expect(await panel.getByLabel("Template name").count()).toBe(0);
      await panel.getByRole("button", { name: "Send template", exact: true }).click();
      await panel.getByRole("list", { name: "Messages" }).getByText("[template follow_up] Grace").waitFor();
      const history = await server.api("GET", `/chats/${graceOnAgentLine.id}/messages`, { token: team.agent.token });
      expect(history.body.data[0]).toMatchObject({ templateName: "follow_up", status: expect.stringMatching(/^(sent|delivered|read)$/) });
    } finally {
      // Grace writes again (as far as the other tests are concerned): the window is open.
      await setWindow(windowClosesAt(new Date()));
    }
  });

  it("shows a suspended member a locked screen", async () => {
    const { panel } = await openDealAs("suspended");
    const locked = panel.getByRole("alert", { name: "Access locked" });
    await locked.waitFor();
    expect(await locked.textContent()).toContain("Your Switchboard access is suspended");
    expect(await panel.getByRole("list", { name: "Chats" }).count()).toBe(0);
  });

  it("tells an unlinked user which connection is missing and who can make it", async () => {
    const { panel } = await openDealAs("unlinked");
    const screen = panel.getByRole("alert", { name: "Missing connection" });
    await screen.waitFor();
    expect(await screen.getAttribute("data-missing")).toBe("member_link");
    expect(await screen.textContent()).toContain("Your Pipedrive user is not linked to Switchboard");

    const { panel: otherCompany } = await openDealAs("owner", 424242);
    const notConnected = otherCompany.getByRole("alert", { name: "Missing connection" });
    await notConnected.waitFor();
    expect(await notConnected.getAttribute("data-missing")).toBe("workspace_connection");
    expect(await notConnected.textContent()).toContain("An Owner or Admin");
  });

  it("keeps the To and From pickers inside the narrow panel, however long a line's name", async () => {
    const { server, team } = suite.stack;
    const longName = "Customer success for Europe, the Middle East and Africa — weekday mornings only, escalations desk";
    const connected = await server.api("POST", "/whatsapp-accounts", {
      token: team.owner.token,
      body: { provider: "sandbox", phoneNumber: "+447700900123", displayName: longName },
    });
    expect(connected.status).toBe(201);
    try {
      const { panel } = await openDealAs("owner");
      await chatList(panel).first().waitFor();
      await chatList(panel).first().click();
      expect(await fromOptions(panel)).toContainEqual(expect.stringContaining(longName));
      await panel.getByLabel("From").selectOption({ label: `${longName} (+447700900123)` });
      // Nothing sticks out of the panel's iframe (about 330 px wide in the simulator) or out of a picker's own box.
      const fits = (selector: string) =>
        panel.locator(selector).evaluate((element) => {
          const box = element.getBoundingClientRect();
          const root = document.documentElement;
          return {
            inside: box.left >= 0 && box.right <= root.clientWidth,
            ownWidth: element.scrollWidth <= element.clientWidth,
            page: root.scrollWidth <= root.clientWidth,
          };
        });
      for (const selector of ["#composer-to", "#composer-from", "#composer-from-full", ".composer"])
        expect(await fits(selector)).toEqual({ inside: true, ownWidth: true, page: true });
      // The whole name is there to read: as the picker's title (its tooltip) and in the choice just below it.
      expect(await panel.getByLabel("From").getAttribute("title")).toBe(`${longName} (+447700900123)`);
      expect(await panel.locator("#composer-from-full").textContent()).toBe(`From ${longName} (+447700900123)`);
    } finally {
      await server.api("DELETE", `/whatsapp-accounts/${connected.body.account.id}`, { token: team.owner.token });
    }
  });

  it("loads older history as the member scrolls to the top, keeping their place", async () => {
    const { server, team, lines } = suite.stack;
    // More than a page (50) of Grace's messages on the Agent's line, as the sandbox receives them.
    for (let index = 1; index <= 60; index += 1) {
      const inbound = await server.api("POST", `/whatsapp-accounts/${lines.agent.id}/sandbox/inbound`, {
        token: team.owner.token,
        body: { from: graceMobile, text: `Older history ${index}` },
      });
      expect(inbound.status).toBe(201);
    }
    const { panel } = await openDealAs("agent");
    await chatList(panel).first().click();
    const history = panel.getByRole("list", { name: "Messages" });
    await history.getByText("Older history 60", { exact: true }).waitFor();
    expect(await history.getByText("Older history 5", { exact: true }).count()).toBe(0);
    // Opened at the newest message.
    expect(await history.evaluate((list) => list.scrollHeight - list.scrollTop - list.clientHeight)).toBeLessThan(5);

    // The oldest message shown so far, and where it will sit in the list's view once scrolled to the top.
    const firstShown = (await history.locator(".bubble-text").first().textContent()) as string;
    const offsetOf = (text: string) =>
      history.evaluate((list, wanted) => {
        const item = [...list.querySelectorAll(".bubble")].find((bubble) => bubble.querySelector(".bubble-text")?.textContent === wanted);
        return item ? Math.round(item.getBoundingClientRect().top - list.getBoundingClientRect().top) : null;
      }, text);
    const atTop = ((await offsetOf(firstShown)) as number) + (await history.evaluate((list) => list.scrollTop));
    await history.evaluate((list) => {
      list.scrollTop = 0;
    });
    await history.getByText("Older history 5", { exact: true }).waitFor();
    // The page arrived above: what the member was looking at stays where it was, it did not jump to the oldest.
    await expect.poll(() => offsetOf(firstShown)).toBeGreaterThanOrEqual(atTop - 2);
    expect(await offsetOf(firstShown)).toBeLessThanOrEqual(atTop + 2);
    expect(await history.evaluate((list) => list.scrollTop)).toBeGreaterThan(100);
    expect(await history.getByText("Older history 1", { exact: true }).count()).toBe(1);
  }, 120_000);

  it("follows the simulator's light and dark theme, in the panel's own document", async () => {
    const { page, panel } = await openDealAs("teammate");
    await chatList(panel).first().waitFor();
    const panelTheme = () => panel.locator("html").getAttribute("data-theme");
    const panelBackground = () => panel.locator("body").evaluate((body) => getComputedStyle(body).backgroundColor);
    expect(await panelTheme()).toBe("light");
    expect(await panelBackground()).toBe("rgb(255, 255, 255)");

    await page.getByRole("button", { name: "Dark theme" }).click();
    await eventually(async () => expect(await panelTheme()).toBe("dark"));
    expect(await panelBackground()).toBe("rgb(33, 39, 46)");
    // Pushed by the host as USER_SETTINGS_CHANGE, to which the panel had subscribed.
    const log = (await page.evaluate(() => (window as unknown as { simulatorLog: { type: string; event?: string }[] }).simulatorLog)) ?? [];
    expect(log).toContainEqual(expect.objectContaining({ type: "listener", event: "user_settings_change" }));

    // A panel opened while dark (another user) starts dark; switching back reaches it too.
    await page.locator("#persona").selectOption("owner");
    await panel.getByText("The owner").first().waitFor();
    expect(await panelTheme()).toBe("dark");
    await page.getByRole("button", { name: "Light theme" }).click();
    await eventually(async () => expect(await panelBackground()).toBe("rgb(255, 255, 255)"));
  });
});
