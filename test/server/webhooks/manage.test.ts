import { eq } from "drizzle-orm";
import { webhookDeliveries, webhooks } from "../../../server/db/schema";
import type { InboxEventType } from "../../../server/events/bus";
import type { BuiltinRoleId } from "../../../server/permissions";
import { emitInboxEvent } from "../../../server/webhooks/outbox";
import { startWebhookWorker, type WebhookWorker } from "../../../server/webhooks/worker";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { closeTestServer, eventually, type Receiver, type Responder, startReceiver } from "./receiver";

// Turning a webhook off and on, and retrying a delivery that failed: what the console's
// Integrations page does with a webhook after creating it.

let server: TestServer;
let team: Team;
const receivers: Receiver[] = [];
const workers: WebhookWorker[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  await server.database.db.delete(webhooks);
});
afterAll(() => closeTestServer(server));

/** One attempt per delivery: the first failure is final, so the delivery shows as failed. */
function startWorker() {
  const worker = startWebhookWorker(server.services, { pollIntervalMs: 20, retryDelaysMs: [], jitterRatio: 0, timeoutMs: 2_000 });
  workers.push(worker);
}

async function receiver(respond?: Responder) {
  const started = await startReceiver(respond);
  receivers.push(started);
  return started;
}

async function createWebhook(url = "http://127.0.0.1:9/hook", token = team.admin.token) {
  const created = await server.api("POST", "/webhooks", { token, body: { url, events: ["message.created"] } });
  expect(created.status).toBe(201);
  return created.body.webhook as { id: string; enabled: boolean };
}

function emit(type: InboxEventType = "message.created", workspaceId = team.workspace.id) {
  return server.database.db.transaction((tx) => emitInboxEvent(tx, { type, workspaceId, chatId: "chat_test", messageId: "msg_test" }, { n: 1 }));
}

async function deliveryLog(webhookId: string) {
  const response = await server.api("GET", `/webhooks/${webhookId}/deliveries`, { token: team.admin.token });
  expect(response.status).toBe(200);
  return response.body.data as Record<string, any>[];
}

const setEnabled = (webhookId: string, enabled: boolean, token = team.admin.token) =>
  server.api("PATCH", `/webhooks/${webhookId}`, { token, body: { enabled } });
const retry = (webhookId: string, deliveryId: string, token = team.admin.token) =>
  server.api("POST", `/webhooks/${webhookId}/deliveries/${deliveryId}/retry`, { token });

describe("turning a webhook off and on", () => {
  it("a new webhook is on; turned off, its waiting deliveries fail and no new ones are queued; turned on, events flow again; each audited", async () => {
    const webhook = await createWebhook();
    expect(webhook.enabled).toBe(true);
    await emit();

    const off = await setEnabled(webhook.id, false);
    expect(off.status).toBe(200);
    expect(off.body.webhook).toMatchObject({ id: webhook.id, enabled: false });
    const [waiting] = await deliveryLog(webhook.id);
    expect(waiting).toMatchObject({ status: "failed", lastError: "The webhook was turned off before this was delivered.", nextAttemptAt: null });

    await emit();
    expect(await deliveryLog(webhook.id)).toHaveLength(1);
    expect((await server.api("GET", "/webhooks", { token: team.admin.token })).body.data).toEqual([off.body.webhook]);

    const on = await setEnabled(webhook.id, true);
    expect(on.body.webhook.enabled).toBe(true);
    await emit();
    expect((await deliveryLog(webhook.id)).map((delivery) => delivery.status)).toEqual(["pending", "failed"]);

    const log = await server.api("GET", `/audit-log?targetId=${webhook.id}`, { token: team.owner.token });
    expect(log.body.data.map((entry: { action: string; details: unknown }) => [entry.action, entry.details])).toEqual([
      ["webhook.enable", { before: { enabled: false }, after: { enabled: true } }],
      ["webhook.disable", { before: { enabled: true }, after: { enabled: false }, failedDeliveries: 1 }],
      ["webhook.create", expect.anything()],
    ]);
  });

  it("turning on a webhook that is on leaves it on and its deliveries waiting", async () => {
    const webhook = await createWebhook();
    await emit();
    const again = await setEnabled(webhook.id, true);
    expect(again.status).toBe(200);
    expect(again.body.webhook.enabled).toBe(true);
    expect((await deliveryLog(webhook.id)).map((delivery) => delivery.status)).toEqual(["pending"]);
  });

  it.each([
    { name: "no field", body: {} },
    { name: "not a boolean", body: { enabled: "yes" } },
    { name: "an unknown field", body: { enabled: true, url: "http://127.0.0.1:9/other" } },
  ])("refuses $name (400 problem+json)", async ({ body }) => {
    const webhook = await createWebhook();
    const response = await server.api("PATCH", `/webhooks/${webhook.id}`, { token: team.admin.token, body });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("retrying a failed delivery", () => {
  it("a delivery the receiver refused is sent again on request and delivered; the retry is audited", async () => {
    const hook = await receiver((index) => (index === 0 ? 500 : 204));
    const webhook = await createWebhook(hook.url);
    startWorker();
    await emit();
    const [failed] = await eventually(
      () => deliveryLog(webhook.id),
      (log) => log[0]?.status === "failed",
    );
    expect(failed).toMatchObject({ attempts: 1, lastStatusCode: 500, lastError: "HTTP 500: answer 500" });

    const retried = await retry(webhook.id, failed?.id);
    expect(retried.status).toBe(202);
    expect(retried.body.delivery).toMatchObject({ id: failed?.id, status: "pending", attempts: 1 });

    const [delivered] = await eventually(
      () => deliveryLog(webhook.id),
      (log) => log[0]?.status === "delivered",
    );
    expect(delivered).toMatchObject({ id: failed?.id, attempts: 2, lastStatusCode: 204, lastError: null });
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1]?.rawBody).toBe(hook.requests[0]?.rawBody);

    const log = await server.api("GET", "/audit-log?action=webhook.delivery_retry", { token: team.owner.token });
    expect(log.body.data).toEqual([
      expect.objectContaining({
        actorId: team.admin.id,
        targetType: "webhook",
        targetId: webhook.id,
        details: { deliveryId: failed?.id, event: "message.created" },
      }),
    ]);
  });

  it("a retry that fails again is failed again, one attempt more", async () => {
    const hook = await receiver(() => 503);
    const webhook = await createWebhook(hook.url);
    startWorker();
    await emit();
    const [failed] = await eventually(
      () => deliveryLog(webhook.id),
      (log) => log[0]?.status === "failed",
    );
    expect((await retry(webhook.id, failed?.id)).status).toBe(202);
    await eventually(
      () => deliveryLog(webhook.id),
      (log) => log[0]?.status === "failed" && log[0]?.attempts === 2,
    );
  });

  it("only a failed delivery of a webhook that is on can be retried (409); unknown or another webhook's delivery is a 404", async () => {
    const webhook = await createWebhook();
    const other = await createWebhook();
    await emit();
    const [pending] = await deliveryLog(webhook.id);
    const waiting = await retry(webhook.id, pending?.id);
    expect(waiting.status).toBe(409);
    expect(waiting.body.detail).toBe("This delivery is still being attempted; only a failed delivery can be retried.");

    await server.database.db.update(webhookDeliveries).set({ status: "delivered" }).where(eq(webhookDeliveries.id, pending?.id));
    expect((await retry(webhook.id, pending?.id)).body.detail).toBe("This delivery was delivered; only a failed delivery can be retried.");

    await server.database.db.update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.id, pending?.id));
    await setEnabled(webhook.id, false);
    const off = await retry(webhook.id, pending?.id);
    expect(off.status).toBe(409);
    expect(off.body.detail).toBe("This webhook is turned off. Turn it on before retrying its deliveries.");

    expect((await retry(other.id, pending?.id)).status).toBe(404);
    expect((await retry(webhook.id, "dlv_missing")).status).toBe(404);
  });
});

describe("permissions: integrations.workspace", () => {
  const cases: { roleId: BuiltinRoleId; allowed: boolean }[] = [
    { roleId: "owner", allowed: true },
    { roleId: "admin", allowed: true },
    { roleId: "teammate", allowed: false },
    { roleId: "agent", allowed: false },
    { roleId: "collaborator", allowed: false },
  ];

  it.each(cases)("$roleId → allowed: $allowed (turn off, retry)", async ({ roleId, allowed }) => {
    const webhook = await createWebhook();
    await emit();
    const [delivery] = await deliveryLog(webhook.id);
    await server.database.db.update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.id, delivery?.id));
    const token = team[roleId].token;
    const answers = [await retry(webhook.id, delivery?.id, token), await setEnabled(webhook.id, false, token)];
    if (allowed) {
      expect(answers.map((answer) => answer.status)).toEqual([202, 200]);
      return;
    }
    for (const answer of answers) expect(answer.body).toMatchObject({ status: 403, code: "permission_denied", permission: "integrations.workspace" });
    expect((await deliveryLog(webhook.id))[0]?.status).toBe("failed");
  });

  it("another workspace's webhook is a 404", async () => {
    const other = await insertTeamDirectly(server.database.db);
    const theirs = await createWebhook("http://127.0.0.1:9/hook", other.admin.token);
    await emit("message.created", other.workspace.id);
    const [delivery] = await server.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, theirs.id));
    expect((await setEnabled(theirs.id, false)).status).toBe(404);
    expect((await retry(theirs.id, delivery?.id ?? "")).status).toBe(404);
  });
});
