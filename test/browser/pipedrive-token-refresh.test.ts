import { chatList, simulatorSuite } from "../support/pipedrive-simulator";
import { eventually } from "../support/sse";

// The panel's Switchboard bearer is short-lived (here 2 seconds, PIPEDRIVE_PANEL_SESSION_SECONDS);
// the panel renews it by asking the host for a fresh signed token (GET_SIGNED_TOKEN) and trading
// it, without the user noticing.

const suite = simulatorSuite({ PIPEDRIVE_PANEL_SESSION_SECONDS: "2" });

type LogEntry = { frame: string; type: string; command?: string };

describe("Panel session refresh", () => {
  it("renews an expired bearer through GET_SIGNED_TOKEN while the member keeps working", async () => {
    const { page, panel } = await suite.stack.openSimulator("teammate");
    const bearers: string[] = [];
    page.on("request", (request) => {
      const authorization = request.headers().authorization;
      if (request.url().includes("/api/v1/") && authorization && !bearers.includes(authorization)) bearers.push(authorization);
    });
    await chatList(panel).first().waitFor();
    await eventually(() => expect(bearers.length).toBeGreaterThan(0));
    const first = bearers[0]?.replace(/^Bearer /, "") as string;

    // The first bearer expires on the server…
    await eventually(async () => expect((await suite.stack.server.api("GET", "/me", { token: first })).status).toBe(401), 10_000);
    // …and the member sends a message anyway.
    await chatList(panel).first().click();
    await panel.getByLabel("Message", { exact: true }).fill("Still here after the token expired.");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await panel.getByRole("list", { name: "Messages" }).getByText("Still here after the token expired.").waitFor();
    await page.getByRole("status").filter({ hasText: "WhatsApp message sent" }).waitFor();

    // The panel asked the host for a fresh Pipedrive token and works with a new bearer.
    const log = (await page.evaluate(() => (window as unknown as { simulatorLog: LogEntry[] }).simulatorLog)) as LogEntry[];
    expect(log.filter((entry) => entry.frame === "panel" && entry.command === "get_signed_token").length).toBeGreaterThan(0);
    expect(bearers.length).toBeGreaterThan(1);
    expect(bearers.at(-1)).not.toBe(bearers[0]);
    // Nothing told the member: no error screen, no failure snackbar.
    expect(await panel.getByRole("alert").count()).toBe(0);
    expect(await page.getByRole("status").filter({ hasText: "not sent" }).count()).toBe(0);
  });
});

describe("Panel reload", () => {
  it("opens again when the iframe reloads with its already-used token, through a fresh GET_SIGNED_TOKEN", async () => {
    const { page, panel } = await suite.stack.openSimulator("teammate");
    await chatList(panel).first().waitFor();
    const signedTokenRequests = async () =>
      ((await page.evaluate(() => (window as unknown as { simulatorLog: LogEntry[] }).simulatorLog)) as LogEntry[]).filter(
        (entry) => entry.frame === "panel" && entry.command === "get_signed_token",
      ).length;
    const before = await signedTokenRequests();

    // The server accepts each panel token once; the reloaded iframe carries the same URL.
    const sessionAnswer = (status: number) =>
      page.waitForResponse((response) => response.url().endsWith("/api/v1/panel/pipedrive/session") && response.status() === status);
    const refused = sessionAnswer(401);
    const opened = sessionAnswer(201);
    await page.locator('iframe[name="panel"]').evaluate((frame: HTMLIFrameElement) => frame.contentWindow?.location.reload());
    await refused;
    await opened;
    await chatList(panel).first().waitFor();
    expect(await panel.getByRole("alert").count()).toBe(0);
    expect(await signedTokenRequests()).toBeGreaterThan(before);
  });
});
