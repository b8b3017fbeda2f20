import type { Page } from "playwright-core";
import { verifySwitchboardSignature } from "../../server/webhooks/signing";
import { startWebhookWorker } from "../../server/webhooks/worker";
import { connectSandbox } from "../server/campaigns/support";
import { type Receiver, startReceiver } from "../server/webhooks/receiver";
import { logInToSection } from "../support/console";
import { type BuiltMember, insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The Integrations page's outgoing webhooks and workspace API key, as an Admin sets them up: a
// receiver started here gets the events, signed with the secret the page showed once; the key the
// page showed once works against the API until it is revoked there.

const suite = webUiSuite(async (webRoot) => {
  const server = await startWebTestServer(webRoot);
  // The app's delivery worker, with one attempt per delivery so a refused one shows as failed at once.
  const worker = startWebhookWorker(server.services, { pollIntervalMs: 100, retryDelaysMs: [], jitterRatio: 0, timeoutMs: 5_000 });
  return {
    ...server,
    async close() {
      await worker.stop();
      await server.close();
    },
  };
});

let receiver: Receiver;
/** What the receiver answers next. */
let receiverAnswer = 200;
beforeAll(async () => {
  receiver = await startReceiver(() => receiverAnswer);
});
afterAll(() => receiver.close());

let team: { admin: BuiltMember; teammate: BuiltMember; lineId: string } | undefined;
async function theTeam() {
  if (!team) {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olive Owner" });
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Ada Admin" });
    const teammate = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Tess Teammate" });
    team = { admin, teammate, lineId: await connectSandbox(suite.server, admin.token, "+15550102030") };
  }
  return team;
}

const openIntegrations = async (member: { email: string }): Promise<Page> => logInToSection(await suite.newPage(), suite.server.url, member, "Integrations");

/** A customer writes to the sandbox line: a message.created event. */
async function customerWrites(text: string) {
  const { admin, lineId } = await theTeam();
  const inbound = await suite.server.api("POST", `/whatsapp-accounts/${lineId}/sandbox/inbound`, { token: admin.token, body: { from: "+447700900123", text } });
  expect(inbound.status).toBe(201);
}

describe("Integrations page: outgoing webhooks", () => {
  it("an Admin adds a webhook, sees its secret once, watches a message event delivered, and retries a delivery that failed", async () => {
    const { admin } = await theTeam();
    const page = await openIntegrations(admin);
    const card = page.getByRole("region", { name: "Outgoing webhooks" });
    await card.getByText("No webhooks yet.").waitFor();

    await card.getByLabel("Receiver URL").fill(receiver.url);
    // Events are chosen from the server's list; new messages are preselected.
    expect(await card.getByRole("checkbox").count()).toBe(6);
    expect(await card.getByRole("checkbox", { name: /A message is sent or received/ }).isChecked()).toBe(true);
    await card.getByRole("checkbox", { name: /A chat is given to someone/ }).check();
    await card.getByRole("button", { name: "Add webhook" }).click();

    const shown = card.getByRole("status", { name: "New webhook's signing secret" });
    const secret = await shown.getByRole("textbox", { name: "Signing secret" }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(await shown.getByRole("button", { name: "Copy Signing secret" }).count()).toBe(1);
    const row = card.getByTestId("webhook-row").filter({ hasText: receiver.url });
    await row.getByText("A message is sent or received; A chat is given to someone").waitFor();
    expect(await row.getByTestId("webhook-state").textContent()).toBe("On");
    expect(await row.getByText("Ada Admin").count()).toBe(1);
    await shown.getByRole("button", { name: "I have copied it" }).click();
    await page.reload();
    await card.getByTestId("webhook-row").first().waitFor();
    expect(await page.content()).not.toContain(secret);

    // A customer writes: the event reaches the receiver, signed with the secret shown once.
    receiverAnswer = 200;
    await customerWrites("Hello, is my order ready?");
    const [request] = await receiver.waitFor(1);
    expect(request?.headers["switchboard-event"]).toBe("message.created");
    expect(verifySwitchboardSignature(secret, request?.headers["switchboard-signature"] as string, request?.rawBody ?? "")).toBe(true);
    await row.getByRole("button", { name: `Delivery log of ${receiver.url}` }).click();
    const deliveries = card.getByTestId("webhook-delivery");
    await deliveries.first().getByTestId("delivery-status").getByText("Delivered").waitFor();
    expect(await deliveries.first().getByTestId("delivery-response").textContent()).toBe("200");
    expect(await deliveries.first().getByTestId("delivery-attempts").textContent()).toBe("1");
    expect(await deliveries.first().getByRole("button", { name: "Retry" }).count()).toBe(0);

    // The receiver is down: the next delivery fails, said in words, and is retried from the log.
    receiverAnswer = 500;
    await customerWrites("Hello again?");
    await expect.poll(() => deliveries.count(), { timeout: 10_000 }).toBe(2);
    const failed = deliveries.first();
    await failed.getByTestId("delivery-status").getByText("Failed").waitFor();
    await failed.getByText("The receiver answered 500 instead of a 2xx success.").waitFor();
    expect(await failed.getByTestId("delivery-response").textContent()).toBe("500");
    receiverAnswer = 200;
    await failed.getByRole("button", { name: "Retry" }).click();
    await failed.getByTestId("delivery-status").getByText("Delivered").waitFor();
    expect(await failed.getByTestId("delivery-attempts").textContent()).toBe("2");
    expect(await failed.getByTestId("delivery-response").textContent()).toBe("200");
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests[2]?.rawBody).toBe(receiver.requests[1]?.rawBody);
  });

  it("turning a webhook off and deleting it ask first", async () => {
    const { admin } = await theTeam();
    const page = await openIntegrations(admin);
    const card = page.getByRole("region", { name: "Outgoing webhooks" });
    const row = card.getByTestId("webhook-row").filter({ hasText: receiver.url });

    await row.getByRole("button", { name: `Turn off ${receiver.url}` }).click();
    const askOff = card.getByRole("group", { name: `Turn off the webhook to ${receiver.url}?` });
    await askOff.getByRole("button", { name: "Cancel" }).click();
    expect(await row.getByTestId("webhook-state").textContent()).toBe("On");
    await row.getByRole("button", { name: `Turn off ${receiver.url}` }).click();
    await askOff.getByRole("button", { name: "Yes, turn off" }).click();
    await row.getByTestId("webhook-state").getByText("Off").waitFor();

    // Off: a customer's message is not sent.
    const before = receiver.requests.length;
    await customerWrites("Anyone there?");
    await row.getByRole("button", { name: `Delivery log of ${receiver.url}` }).click();
    await expect.poll(() => card.getByTestId("webhook-delivery").count(), { timeout: 10_000 }).toBe(2);
    expect(receiver.requests).toHaveLength(before);

    await row.getByRole("button", { name: `Turn on ${receiver.url}` }).click();
    await row.getByTestId("webhook-state").getByText("On").waitFor();

    await row.getByRole("button", { name: `Delete ${receiver.url}` }).click();
    await card
      .getByRole("group", { name: `Delete the webhook to ${receiver.url}?` })
      .getByRole("button", { name: "Yes, delete" })
      .click();
    await card.getByText("No webhooks yet.").waitFor();
  });

  it("says in words why an address is refused", async () => {
    const { admin } = await theTeam();
    const page = await openIntegrations(admin);
    const card = page.getByRole("region", { name: "Outgoing webhooks" });
    await card.getByLabel("Receiver URL").fill("http://10.0.0.7/hook");
    await card.getByRole("button", { name: "Add webhook" }).click();
    const alert = card.getByRole("alert");
    await alert.getByText("The webhook URL is not allowed.").waitFor();
    expect(await alert.textContent()).not.toMatch(/body\.url|invalid_request/);
  });
});

describe("Integrations page: the workspace API key", () => {
  it("an Admin creates the key, sees it once, it works against the API, and once revoked it is refused", async () => {
    const { admin } = await theTeam();
    const page = await openIntegrations(admin);
    const card = page.getByRole("region", { name: "Workspace API key" });
    await card.getByText("This workspace has no API key.").waitFor();

    await card.getByRole("button", { name: "Create API key" }).click();
    const shown = card.getByRole("status", { name: "New workspace API key" });
    const key = await shown.getByRole("textbox", { name: "Workspace API key" }).inputValue();
    expect(key).toMatch(/^sbt\./);
    expect(await shown.getByRole("button", { name: "Copy Workspace API key" }).count()).toBe(1);
    await card.getByTestId("api-key-created-by").getByText("Ada Admin").waitFor();

    const withKey = await suite.server.api("GET", "/me", { token: key });
    expect(withKey.status).toBe(200);
    expect(withKey.body.member.id).toBe(admin.id);

    await shown.getByRole("button", { name: "I have copied it" }).click();
    await page.reload();
    await card.getByTestId("api-key-created-by").waitFor();
    expect(await page.content()).not.toContain(key);

    await card.getByRole("button", { name: "Revoke API key" }).click();
    await card.getByRole("group", { name: "Revoke the workspace API key?" }).getByRole("button", { name: "Yes, revoke" }).click();
    await card.getByText("This workspace has no API key.").waitFor();
    expect((await suite.server.api("GET", "/me", { token: key })).status).toBe(401);
  });
});

describe("Integrations page: a Teammate", () => {
  it("sees no webhook or API key controls", async () => {
    const { teammate } = await theTeam();
    const page = await openIntegrations(teammate);
    await page.getByText("An Owner or Admin sets up outgoing webhooks and the workspace API key here.").waitFor();
    expect(await page.getByRole("region", { name: "Outgoing webhooks" }).count()).toBe(0);
    expect(await page.getByRole("region", { name: "Workspace API key" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Add webhook" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Create API key" }).count()).toBe(0);
    expect(await page.getByLabel("Receiver URL").count()).toBe(0);
  });
});
