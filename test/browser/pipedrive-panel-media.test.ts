import type { FrameLocator, Locator } from "playwright-core";
import { chatList, graceMobile, simulatorSuite } from "../support/pipedrive-simulator";

// Media and reactions in the Pipedrive panel (issue 17), inside the CRM simulator
// (test/support/pipedrive-simulator.ts): Grace Hopper, on the Agent's sandbox line, sends the
// sandbox's sample photo, PDF and voice note; the Agent sees them on the deal and reacts.

const suite = simulatorSuite();

type Sample = "photo" | "pdf" | "voice";

/** Grace sends one of the sandbox's sample files to the Agent's line (the customer simulator's API). */
async function graceSends(media: Sample, caption?: string) {
  const { server, team, lines } = suite.stack;
  const sent = await server.api("POST", `/whatsapp-accounts/${lines.agent.id}/sandbox/inbound`, {
    token: team.agent.token,
    body: { from: graceMobile, name: "Grace Hopper", media, ...(caption ? { text: caption } : {}) },
  });
  expect(sent.status).toBe(201);
  return sent.body as { chatId: string; messageId: string };
}

const messageItem = (panel: FrameLocator, messageId: string) => panel.getByRole("list", { name: "Messages" }).locator(`li[data-message-id="${messageId}"]`);
const naturalWidth = (image: Locator) => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth);

describe("Pipedrive panel: media", () => {
  it("shows the Agent Grace's photo loaded, her voice note ready to play and her PDF as a download", async () => {
    const photo = await graceSends("photo", "Signed delivery note");
    const pdf = await graceSends("pdf");
    const voice = await graceSends("voice");
    const { panel, page } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().click();

    const image = messageItem(panel, photo.messageId).locator('img[alt="Signed delivery note"]');
    await image.scrollIntoViewIfNeeded();
    await expect.poll(() => naturalWidth(image)).toBe(64);
    // Never wider than the panel's history, which is narrower than the photo could be.
    const fits = await messageItem(panel, photo.messageId).evaluate((item) => {
      const list = item.closest("ol")?.getBoundingClientRect();
      const picture = item.querySelector("img")?.getBoundingClientRect();
      return Boolean(list && picture && picture.right <= list.right);
    });
    expect(fits).toBe(true);

    const audio = messageItem(panel, voice.messageId).locator("audio");
    await audio.scrollIntoViewIfNeeded();
    await expect.poll(() => audio.evaluate((element: HTMLAudioElement) => element.readyState)).toBeGreaterThanOrEqual(1);
    expect(await audio.evaluate((element: HTMLAudioElement) => Math.round(element.duration))).toBe(2);
    await messageItem(panel, voice.messageId).getByText("Audio message · 0:02").waitFor();

    const link = messageItem(panel, pdf.messageId).getByRole("link", { name: /^Invoice 2026-117\.pdf · \d+ (bytes|KB)$/ });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe("Invoice 2026-117.pdf");
    const answer = await page.request.get(`${suite.stack.server.url}${await link.getAttribute("href")}`);
    expect(answer.headers()["content-disposition"]).toMatch(/^attachment; filename="Invoice 2026-117\.pdf"/);
    // PANEL_MEDIA_SCREENSHOT=/tmp/panel-media.png keeps a picture of the panel with the files.
    if (process.env.PANEL_MEDIA_SCREENSHOT) await page.screenshot({ path: process.env.PANEL_MEDIA_SCREENSHOT, fullPage: true });
  });

  it("lets the Agent react to Grace's photo from the panel, and shows it stored", async () => {
    const photo = await graceSends("photo");
    const { panel } = await suite.stack.openSimulator("agent");
    await chatList(panel).first().click();
    const item = messageItem(panel, photo.messageId);
    await item.getByRole("button", { name: "React", exact: true }).click();
    await item.getByRole("button", { name: "React with 🙏" }).click();
    await item.getByRole("list", { name: "Reactions" }).getByText("You reacted 🙏").waitFor();
    const { server, team } = suite.stack;
    await expect
      .poll(async () => {
        const page = await server.api("GET", `/chats/${photo.chatId}/messages`, { token: team.owner.token });
        return (page.body.data as { id: string; reactions: unknown }[]).find((message) => message.id === photo.messageId)?.reactions;
      })
      .toEqual([{ emoji: "🙏", by: { memberId: team.agent.id, name: "The agent" } }]);
  });
});
