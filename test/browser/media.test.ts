import type { Locator, Page } from "playwright-core";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// Media and reactions in the console's Inbox (issue 17): a simulated customer on a sandbox number
// sends a photo, a PDF and a voice note (the sandbox's sample files, POST …/sandbox/inbound with
// `media`); a Teammate sees the photo really loaded and full size, the voice note ready to play,
// downloads the PDF as an attachment, and reacts. Real server, real GET /events, Debian's Chromium.

const suite = webUiSuite((webRoot) => startWebTestServer(webRoot));

async function logIn(member: { email: string }, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await suite.newPage();
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(`${suite.server.url}/#/login`);
  await page.getByLabel("Email", { exact: true }).fill(member.email);
  await page.getByLabel("Password", { exact: true }).fill(testPassword);
  await page.getByRole("button", { name: "Log in" }).click();
  return page;
}

async function teamWithLine() {
  const db = suite.server.database.db;
  const workspace = await insertWorkspaceDirectly(db);
  const owner = await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olivia Owner" });
  const teammate = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Tom Teammate" });
  const connected = await suite.server.api("POST", "/whatsapp-accounts", {
    token: owner.token,
    body: { provider: "sandbox", phoneNumber: "+1 555 010 7000", displayName: "Support line" },
  });
  expect(connected.status).toBe(201);
  return { owner, teammate, lineId: connected.body.account.id as string };
}

type Sample = "photo" | "pdf" | "voice";

/** The simulated customer writes, or sends one of the sandbox's sample files (with `text` as its caption). */
async function customerSends(member: BuiltMember, lineId: string, message: { text?: string; media?: Sample }) {
  const sent = await suite.server.api("POST", `/whatsapp-accounts/${lineId}/sandbox/inbound`, {
    token: member.token,
    body: { from: "+44 7700 900555", name: "Grace Hopper", ...message },
  });
  expect(sent.status).toBe(201);
  return sent.body as { chatId: string; messageId: string };
}

const history = (page: Page) => page.getByRole("list", { name: "Messages" });
const messageItem = (page: Page, messageId: string) => history(page).locator(`li[data-message-id="${messageId}"]`);
const naturalWidth = (image: Locator) => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth);

describe("media in the inbox", () => {
  it("shows a Teammate the customer's photo (full size in a lightbox), a playable voice note and a PDF that downloads as an attachment", async () => {
    const { owner, teammate, lineId } = await teamWithLine();
    const photo = await customerSends(owner, lineId, { media: "photo", text: "The parcel on my doorstep" });
    const pdf = await customerSends(owner, lineId, { media: "pdf" });
    const voice = await customerSends(owner, lineId, { media: "voice" });

    const page = await logIn(teammate);
    await page
      .getByRole("list", { name: "Chats" })
      .getByRole("button", { name: /Grace Hopper/ })
      .click();

    // The photo: really loaded (a decoded image has a natural width), its caption as alt and text.
    const image = messageItem(page, photo.messageId).locator('img[alt="The parcel on my doorstep"]');
    await image.scrollIntoViewIfNeeded();
    await expect.poll(() => naturalWidth(image)).toBe(64);
    expect(await messageItem(page, photo.messageId).locator(".message-text").textContent()).toBe("The parcel on my doorstep");
    // Opened full size in a dialog; Escape closes it and the focus is back on the photo.
    const opener = messageItem(page, photo.messageId).getByRole("button", { name: "The parcel on my doorstep: open full size" });
    await opener.click();
    const lightbox = page.getByRole("dialog", { name: "The parcel on my doorstep" });
    await lightbox.waitFor();
    await expect.poll(() => naturalWidth(lightbox.locator("img"))).toBe(64);
    await page.keyboard.press("Escape");
    await lightbox.waitFor({ state: "detached" });
    expect(await opener.evaluate((element) => element === document.activeElement)).toBe(true);

    // The voice note: a native player whose file the browser could read (metadata: two seconds), its length shown.
    const audio = messageItem(page, voice.messageId).locator("audio");
    await expect.poll(() => audio.evaluate((element: HTMLAudioElement) => element.readyState)).toBeGreaterThanOrEqual(1);
    expect(await audio.evaluate((element: HTMLAudioElement) => Math.round(element.duration))).toBe(2);
    expect(await audio.getAttribute("aria-label")).toBe("Audio message from Grace Hopper");
    await messageItem(page, voice.messageId).getByText("Audio message · 0:02").waitFor();

    // The PDF: a named link with its size; following it downloads the file as an attachment.
    const link = messageItem(page, pdf.messageId).getByRole("link", { name: /^Invoice 2026-117\.pdf · \d+ (bytes|KB)$/ });
    await link.waitFor();
    const href = (await link.getAttribute("href")) ?? "";
    expect(href).toMatch(/^\/api\/v1\/media\/[^/]+\/[^/?]+\?expires=\d+&signature=[^&]+&download=1$/);
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe("Invoice 2026-117.pdf");
    const answer = await page.request.get(`${suite.server.url}${href}`);
    expect(answer.status()).toBe(200);
    expect(answer.headers()["content-type"]).toBe("application/pdf");
    expect(answer.headers()["content-disposition"]).toMatch(/^attachment; filename="Invoice 2026-117\.pdf"/);
    expect((await answer.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

    // A photo sent while the chat is open arrives live, loaded.
    const later = await customerSends(owner, lineId, { media: "photo" });
    const laterImage = messageItem(page, later.messageId).locator('img[alt="Photo from Grace Hopper"]');
    await laterImage.waitFor();
    await laterImage.scrollIntoViewIfNeeded();
    await expect.poll(() => naturalWidth(laterImage)).toBe(64);
  });

  it("fetches a fresh link when a photo's link has expired, once", async () => {
    const { owner, teammate, lineId } = await teamWithLine();
    const photo = await customerSends(owner, lineId, { media: "photo" });
    const page = await logIn(teammate);
    // The history's links are made stale (an hour-old page): the server refuses them as expired.
    await page.route(`**/api/v1/chats/${photo.chatId}/messages?*`, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { data: { media?: { url: string | null } }[] };
      for (const message of body.data) if (message.media?.url) message.media.url = message.media.url.replace(/expires=\d+/, "expires=1000000000");
      await route.fulfill({ response, json: body });
    });
    const refreshes: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === `/api/v1/chats/${photo.chatId}/messages/${photo.messageId}/media`) refreshes.push(request.method());
    });
    await page
      .getByRole("list", { name: "Chats" })
      .getByRole("button", { name: /Grace Hopper/ })
      .click();
    const image = messageItem(page, photo.messageId).locator('img[alt="Photo from Grace Hopper"]');
    await image.scrollIntoViewIfNeeded();
    await expect.poll(() => naturalWidth(image)).toBe(64);
    expect(refreshes).toEqual(["GET"]);
    expect(await image.getAttribute("src")).not.toContain("expires=1000000000");
  });

  it("says the file could not be fetched when a fresh link fails too, having asked for one once", async () => {
    const { owner, teammate, lineId } = await teamWithLine();
    const photo = await customerSends(owner, lineId, { media: "photo" });
    const page = await logIn(teammate);
    // Every file request fails (the file is gone from storage, say): the server's 404 problem.
    await page.route("**/api/v1/media/**", (route) =>
      route.fulfill({
        status: 404,
        contentType: "application/problem+json",
        body: JSON.stringify({ title: "Not found", status: 404, code: "not_found", detail: "No such file." }),
      }),
    );
    const refreshes: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === `/api/v1/chats/${photo.chatId}/messages/${photo.messageId}/media`) refreshes.push(request.method());
    });
    await page
      .getByRole("list", { name: "Chats" })
      .getByRole("button", { name: /Grace Hopper/ })
      .click();
    await messageItem(page, photo.messageId).getByText("This file could not be fetched (photo).").waitFor();
    expect(await messageItem(page, photo.messageId).locator("img").count()).toBe(0);
    expect(refreshes).toEqual(["GET"]);
  });

  it("lets a member react to the customer's message and take it back; a refused reaction goes back", async () => {
    const { owner, teammate, lineId } = await teamWithLine();
    const photo = await customerSends(owner, lineId, { media: "photo", text: "Arrived!" });
    const page = await logIn(teammate);
    await page
      .getByRole("list", { name: "Chats" })
      .getByRole("button", { name: /Grace Hopper/ })
      .click();
    const item = messageItem(page, photo.messageId);
    // From the keyboard: the picker opens on its first emoji; Escape closes it, back on React.
    const react = item.getByRole("button", { name: "React", exact: true });
    await react.focus();
    await page.keyboard.press("Enter");
    expect(await item.getByRole("button", { name: "React with 👍" }).evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await react.getAttribute("aria-expanded")).toBe("true");
    await page.keyboard.press("Escape");
    await item.getByRole("group", { name: "Choose a reaction" }).waitFor({ state: "detached" });
    expect(await react.evaluate((element) => element === document.activeElement)).toBe(true);

    await react.click();
    await item.getByRole("button", { name: "React with 👍" }).click();
    const reactions = item.getByRole("list", { name: "Reactions" });
    await reactions.getByText("You reacted 👍").waitFor();
    // Stored for everyone: the Owner's copy of the history names the Teammate.
    await expect
      .poll(async () => (await suite.server.api("GET", `/chats/${photo.chatId}/messages`, { token: owner.token })).body.data[0].reactions)
      .toEqual([{ emoji: "👍", by: { memberId: teammate.id, name: "Tom Teammate" } }]);

    // Pressed again, the same emoji takes the reaction back.
    await item.getByRole("button", { name: "React", exact: true }).click();
    await item.getByRole("button", { name: "Remove your 👍" }).click();
    await reactions.waitFor({ state: "detached" });
    await expect
      .poll(async () => (await suite.server.api("GET", `/chats/${photo.chatId}/messages`, { token: owner.token })).body.data[0].reactions)
      .toEqual([]);

    // The server refuses: the reaction shown at once is taken away again, and the member is told.
    await page.route("**/api/v1/chats/*/messages/*/reaction", (route) =>
      route.fulfill({
        status: 409,
        contentType: "application/problem+json",
        body: JSON.stringify({ title: "Conflict", status: 409, code: "conflict", detail: "The customer's 24-hour window has closed." }),
      }),
    );
    await item.getByRole("button", { name: "React", exact: true }).click();
    await item.getByRole("button", { name: "React with ❤️" }).click();
    await item.getByRole("alert").filter({ hasText: "Your reaction was not saved." }).waitFor();
    expect(await item.getByRole("list", { name: "Reactions" }).count()).toBe(0);
  });

  it("shows another member's reaction live, and keeps a photo inside the bubble at 360 px", async () => {
    const { owner, teammate, lineId } = await teamWithLine();
    for (const line of ["Hello", "I ordered a lamp", "It arrived today", "But the shade is dented", "Here is a picture"])
      await customerSends(owner, lineId, { text: line });
    const photo = await customerSends(owner, lineId, { media: "photo" });
    const page = await logIn(teammate, { width: 360, height: 740 });
    await page
      .getByRole("list", { name: "Chats" })
      .getByRole("button", { name: /Grace Hopper/ })
      .click();
    const item = messageItem(page, photo.messageId);
    const image = item.locator("img");
    await expect.poll(() => naturalWidth(image)).toBe(64);
    const fits = await item.evaluate((element) => {
      const bubble = element.querySelector(".bubble")?.getBoundingClientRect();
      const picture = element.querySelector("img")?.getBoundingClientRect();
      return Boolean(bubble && picture && picture.left >= bubble.left && picture.right <= bubble.right && bubble.right <= window.innerWidth);
    });
    expect(fits).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // The photo got its height only once loaded: the history still ends at the newest message.
    const history = page.locator(".history");
    expect(await history.evaluate((element) => element.scrollHeight > element.clientHeight)).toBe(true);
    await expect.poll(() => history.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight)).toBeLessThan(2);

    // The Owner reacts elsewhere: the Teammate's open chat shows it over GET /events.
    const reacted = await suite.server.api("PUT", `/chats/${photo.chatId}/messages/${photo.messageId}/reaction`, { token: owner.token, body: { emoji: "🙏" } });
    expect(reacted.status).toBeLessThan(300);
    await item.getByRole("list", { name: "Reactions" }).getByText("Olivia Owner reacted 🙏").waitFor();
  });
});
