import { chatList, simulatorSuite } from "../support/pipedrive-simulator";

// The Pipedrive panel's message text (test/support/pipedrive-simulator.ts): right-to-left text runs
// right to left, and the composer counts characters up to WhatsApp's limit.

const suite = simulatorSuite();

describe("Pipedrive panel: message text", () => {
  it("shows a right-to-left message right to left, its punctuation at the right end", async () => {
    const { panel } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().click();
    await panel.getByLabel("Message", { exact: true }).fill("مرحبا غريس، عرضك جاهز.");
    expect(await panel.getByLabel("Message", { exact: true }).evaluate((element) => element.matches(":dir(rtl)"))).toBe(true);
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    const text = panel.getByRole("list", { name: "Messages" }).locator("[dir]").filter({ hasText: "مرحبا غريس" });
    await text.waitFor();
    expect(await text.getAttribute("dir")).toBe("auto");
    expect(await text.evaluate((element) => getComputedStyle(element).direction)).toBe("rtl");
  });

  it("counts a message's characters and says in a sentence when it is longer than WhatsApp takes", async () => {
    const { panel } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().click();
    const message = panel.getByLabel("Message", { exact: true });
    const counter = panel.getByTestId("message-length");
    await message.fill("Hello Grace");
    expect(await counter.textContent()).toBe("11 / 4,096");
    await message.fill("x".repeat(4_097));
    expect(await counter.textContent()).toBe("4,097 / 4,096");
    expect(await panel.getByRole("alert").textContent()).toBe(" Messages can have at most 4,096 characters: remove 1.");
    expect(await panel.getByRole("button", { name: "Send", exact: true }).isDisabled()).toBe(true);
    await message.fill("x".repeat(4_096));
    expect(await panel.getByRole("alert").count()).toBe(0);
    expect(await panel.getByRole("button", { name: "Send", exact: true }).isEnabled()).toBe(true);
  });

  it("sends once when Send is pressed again after a lost answer: the same Idempotency-Key", async () => {
    const { server, team, lines } = suite.stack;
    const agentChats = (await server.api("GET", "/chats", { token: team.agent.token })).body.data as { id: string; accountId: string }[];
    const chat = agentChats.find((candidate) => candidate.accountId === lines.agent.id);
    if (!chat) throw new Error("the stack gives the Agent's line a chat with Grace");
    const { panel, page } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().click();
    const keys: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith(`/api/v1/chats/${chat.id}/messages`)) keys.push(request.headers()["idempotency-key"] ?? "");
    });
    let loseAnswer = true;
    await page.route(`**/api/v1/chats/${chat.id}/messages`, async (route) => {
      if (route.request().method() !== "POST" || !loseAnswer) return route.fallback();
      loseAnswer = false;
      await route.fetch();
      await route.abort("connectionreset");
    });
    await panel.getByLabel("Message", { exact: true }).fill("Your quote is attached, Grace.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await panel.getByRole("alert").filter({ hasText: "could not be reached" }).waitFor();
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await panel.getByRole("list", { name: "Messages" }).getByText("Your quote is attached, Grace.").waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    const stored = (await server.api("GET", `/chats/${chat.id}/messages`, { token: team.agent.token })).body.data as { text: string | null }[];
    expect(stored.filter((message) => message.text === "Your quote is attached, Grace.")).toHaveLength(1);
  });

  it("says a refused send in words: no problem title, field path or wait in seconds", async () => {
    const { panel, page } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().click();
    // The server's answers as server/http/problem.ts shapes them, for cases a browser cannot easily provoke.
    const answers = [
      {
        status: 400,
        body: {
          title: "Invalid request",
          status: 400,
          code: "invalid_request",
          detail: "The body has invalid fields.",
          errors: [{ path: "body.text", message: "Too big: expected string to have <=4096 characters" }],
        },
      },
      { status: 429, body: { title: "Too many attempts", status: 429, code: "rate_limited", detail: "Too many attempts; try again in 892 seconds." } },
    ];
    await page.route("**/api/v1/chats/*/messages", async (route) => {
      const answer = route.request().method() === "POST" ? answers.shift() : undefined;
      if (!answer) return route.fallback();
      await route.fulfill({ status: answer.status, contentType: "application/problem+json", body: JSON.stringify(answer.body) });
    });
    const alert = panel.getByRole("alert");
    await panel.getByLabel("Message", { exact: true }).fill("Hello again");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await alert.filter({ hasText: "Messages can have at most 4,096 characters." }).waitFor();
    expect(await alert.textContent()).toBe("Please check what you entered. Messages can have at most 4,096 characters.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await alert.filter({ hasText: "minutes" }).waitFor();
    expect(await alert.textContent()).toBe("Too many attempts; try again in 15 minutes.");
  });
});
