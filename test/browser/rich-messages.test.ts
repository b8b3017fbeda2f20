import type { Locator, Page } from "playwright-core";
import type { JobRunner } from "../../server/jobs/runner";
import { startMediaFetchWorker } from "../../server/media/fetch-worker";
import { sampleMedia } from "../../server/media/samples";
import {
  contactsWebhook,
  inboundMessageWebhook,
  inboundTextWebhook,
  interactiveReplyWebhook,
  locationWebhook,
  newWamid,
  reactionWebhook,
} from "../fakes/whatsapp-webhooks";
import { cloudLineSuite } from "../support/cloud-line";
import { type BuiltMember, testPassword } from "../support/factories";

// A customer on a Cloud API number (Meta's signed webhooks from the fake Graph API): a photo shows
// "Loading photo…" until the fetch worker has it, then appears live; a place, a contact card, a
// button reply, a quoted reply and the customer's reaction show as such in the console.

const customer = { waId: "447700900777", name: "Grace Hopper" };
const line = cloudLineSuite({
  name: "rich-messages",
  wabaId: "2055501070001",
  phoneNumberIdBase: 1055501070000,
  displayBase: 7100,
  // The server's own fetch worker waits minutes between attempts; the tests run one when they want the files fetched.
  async afterStart(server) {
    for (const task of [...server.services.background]) if ("metrics" in task && (task as JobRunner).metrics().name === "media-fetch") await task.stop();
  },
});
const { suite, teamWithCloudLine } = line;
const metaDelivers = (payload: unknown) => line.metaDelivers(payload);

/** The chat's messages as the API presents them, oldest first. */
async function messagesOf(member: BuiltMember) {
  const chats = (await suite.server.api("GET", "/chats", { token: member.token })).body.data as { id: string }[];
  const chatId = chats[0]?.id as string;
  const page = (await suite.server.api("GET", `/chats/${chatId}/messages`, { token: member.token })).body.data as { id: string; text: string | null }[];
  return { chatId, messages: page, idOf: (text: string) => page.find((message) => message.text?.includes(text))?.id as string };
}

async function openChat(member: { email: string }): Promise<Page> {
  const page = await suite.newPage();
  await page.goto(`${suite.server.url}/#/login`);
  await page.getByLabel("Email", { exact: true }).fill(member.email);
  await page.getByLabel("Password", { exact: true }).fill(testPassword);
  await page.getByRole("button", { name: "Log in" }).click();
  await page
    .getByRole("list", { name: "Chats" })
    .getByRole("button", { name: /Grace Hopper/ })
    .click();
  return page;
}

const history = (page: Page) => page.getByRole("list", { name: "Messages" });
const naturalWidth = (image: Locator) => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth);

describe("rich messages from a Cloud API number", () => {
  it("shows 'Loading photo…' while the customer's photo is fetched from Meta, then the photo, live", async () => {
    const { teammate, phoneNumberId } = await teamWithCloudLine();
    const from = { phone: customer.waId };
    await metaDelivers(inboundTextWebhook({ phoneNumberId, from, name: customer.name, body: "Here is the scratch", timestamp: Math.floor(Date.now() / 1000) }));
    const page = await openChat(teammate);
    await history(page).getByText("Here is the scratch").waitFor();

    const photo = sampleMedia("photo");
    const mediaId = line.graph.registerMedia({ phoneNumberId, mimeType: photo.mimeType, data: photo.data });
    await metaDelivers(
      inboundMessageWebhook({
        phoneNumberId,
        from,
        name: customer.name,
        timestamp: Math.floor(Date.now() / 1000),
        type: "image",
        content: { image: { id: mediaId, mime_type: photo.mimeType, caption: "The scratched lid" } },
      }),
    );
    // Not fetched yet: the message is there, its photo loading.
    await history(page).getByRole("status").filter({ hasText: "Loading photo…" }).waitFor();

    const worker = startMediaFetchWorker(suite.server.services, { pollIntervalMs: 50, retryDelaysMs: [20, 20] });
    try {
      const image = history(page).locator('img[alt="The scratched lid"]');
      await image.waitFor();
      await expect.poll(() => naturalWidth(image)).toBe(64);
      expect(await history(page).getByRole("status").filter({ hasText: "Loading photo…" }).count()).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it("shows a place with its map link, a contact card, a button reply, a quoted reply and the customer's reaction", async () => {
    const { teammate, phoneNumberId } = await teamWithCloudLine();
    const sender = { phoneNumberId, from: { phone: customer.waId }, name: customer.name };
    const now = () => Math.floor(Date.now() / 1000);
    const question = newWamid();
    await metaDelivers(inboundTextWebhook({ ...sender, wamid: question, body: "Do you have it in blue?", timestamp: now() }));
    const { chatId } = await messagesOf(teammate);
    const replied = await suite.server.api("POST", `/chats/${chatId}/messages`, { token: teammate.token, body: { text: "Yes, in blue and in green." } });
    expect(replied.status).toBe(201);
    const ours = line.graph.sentMessages.at(-1)?.wamid as string;

    await metaDelivers(
      interactiveReplyWebhook({ ...sender, replyTo: ours, timestamp: now(), reply: { kind: "button_reply", id: "blue", title: "Blue, please" } }),
    );
    await metaDelivers(
      locationWebhook({
        ...sender,
        timestamp: now(),
        location: { latitude: 51.5033, longitude: -0.1196, name: "Our shop", address: "1 Example Street, London" },
      }),
    );
    await metaDelivers(contactsWebhook({ ...sender, timestamp: now(), cards: [{ formattedName: "Ada Lovelace", phones: [{ phone: "+44 7700 900123" }] }] }));
    await metaDelivers(inboundTextWebhook({ ...sender, replyTo: question, body: "To be clear: the blue one", timestamp: now() }));
    await metaDelivers(reactionWebhook({ ...sender, timestamp: now(), messageId: ours, emoji: "❤️" }));
    const { idOf } = await messagesOf(teammate);

    const page = await openChat(teammate);
    const list = history(page);
    await list.getByText("To be clear: the blue one").waitFor();

    const map = list.getByRole("link", { name: "Open map" });
    expect(await map.getAttribute("href")).toBe("https://www.openstreetmap.org/?mlat=51.5033&mlon=-0.1196#map=16/51.5033/-0.1196");
    expect(await map.getAttribute("rel")).toBe("noopener noreferrer");
    await list.getByText("Our shop").waitFor();
    await list.getByText("1 Example Street, London").waitFor();

    const card = list.getByRole("list", { name: "Shared contacts" }).getByRole("listitem");
    expect(await card.textContent()).toBe("Ada Lovelace+44 7700 900123");
    expect(await card.getByRole("link").getAttribute("href")).toBe("tel:+447700900123");

    await list.getByText("Chose: Blue, please").waitFor();

    // The customer's reaction to the member's reply, under it.
    const reply = list.locator(`li[data-message-id="${idOf("Yes, in blue and in green.")}"]`);
    await reply.getByRole("list", { name: "Reactions" }).getByText("Grace Hopper reacted ❤️").waitFor();

    // The quote above the reply; a click brings the quoted question into view and gives it the focus.
    const quote = list.getByRole("button", { name: "Replying to Grace Hopper: Do you have it in blue? — show that message" });
    await quote.click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-message-id"))).toBe(idOf("Do you have it in blue?"));
  });
});
