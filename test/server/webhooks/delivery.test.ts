import { eq } from "drizzle-orm";
import { openDatabase } from "../../../server/db/client";
import { webhooks } from "../../../server/db/schema";
import type { InboxEventType } from "../../../server/events/bus";
import type { Services } from "../../../server/services";
import { emitInboxEvent } from "../../../server/webhooks/outbox";
import { verifySwitchboardSignature } from "../../../server/webhooks/signing";
import { startWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from "../../../server/webhooks/worker";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { closeTestServer, eventually, type Receiver, type Responder, sleep, startReceiver } from "./receiver";

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
  // Nothing left for a later test's worker to pick up.
  await server.database.db.delete(webhooks);
});
afterAll(() => closeTestServer(server));

const fast: WebhookWorkerOptions = { pollIntervalMs: 20, retryDelaysMs: [30, 30, 30], jitterRatio: 0, timeoutMs: 2_000 };

function startWorker(options: WebhookWorkerOptions = {}, services: Services = server.services) {
  const worker = startWebhookWorker(services, { ...fast, ...options });
  workers.push(worker);
  return worker;
}

async function receiver(respond?: Responder) {
  const started = await startReceiver(respond);
  receivers.push(started);
  return started;
}

async function subscribe(token: string, url: string, events: InboxEventType[] = ["message.created"]) {
  const created = await server.api("POST", "/webhooks", { token, body: { url, events } });
  expect(created.status).toBe(201);
  return { id: created.body.webhook.id as string, secret: created.body.secret as string };
}

function emit(workspaceId: string, type: InboxEventType, payload: Record<string, unknown>) {
  return server.database.db.transaction((tx) => emitInboxEvent(tx, { type, workspaceId, chatId: "chat_test", messageId: "msg_test" }, payload));
}

async function deliveryLog(webhookId: string, token = team.admin.token) {
  const response = await server.api("GET", `/webhooks/${webhookId}/deliveries`, { token });
  expect(response.status).toBe(200);
  return response.body.data as Record<string, any>[];
}

const settled = (log: Record<string, any>[]) => log.length > 0 && log.every((delivery) => delivery.status !== "pending");

describe("webhook delivery", () => {
  it("POSTs the exact event body, signed, with the event and delivery headers; the log shows delivered", async () => {
    const target = await receiver();
    const webhook = await subscribe(team.admin.token, target.url);
    startWorker();
    const payload = { message: { id: "msg_test", text: "Olá 👋", direction: "in" } };
    const before = Math.floor(Date.now() / 1000);
    await emit(team.workspace.id, "message.created", payload);
    const [request] = await target.waitFor(1);
    if (!request) throw new Error("no request");

    expect(request.method).toBe("POST");
    expect(request.path).toBe("/hook");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["switchboard-event"]).toBe("message.created");
    const body = JSON.parse(request.rawBody);
    expect(body).toEqual({ id: expect.stringMatching(/^evt_/), type: "message.created", occurredAt: expect.any(String), data: payload });
    expect(Math.abs(Date.parse(body.occurredAt) - Date.now())).toBeLessThan(10_000);

    const signature = request.headers["switchboard-signature"] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Number(signature.match(/^t=(\d+)/)?.[1])).toBeGreaterThanOrEqual(before);
    expect(verifySwitchboardSignature(webhook.secret, signature, request.rawBody)).toBe(true);
    expect(verifySwitchboardSignature(webhook.secret, signature, request.rawBody.replace("Olá", "Ola"))).toBe(false);
    expect(verifySwitchboardSignature("whsec_wrong", signature, request.rawBody)).toBe(false);

    const [delivered] = await eventually(() => deliveryLog(webhook.id), settled);
    expect(delivered).toEqual({
      id: request.headers["switchboard-delivery"],
      event: "message.created",
      eventId: body.id,
      status: "delivered",
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
      createdAt: expect.any(String),
      deliveredAt: expect.any(String),
    });
    expect(target.requests).toHaveLength(1);
  });

  it("retries with backoff: 500, 500, then 200 → delivered on the 3rd attempt, same delivery id and body", async () => {
    const target = await receiver((index) => (index < 2 ? 500 : 200));
    const webhook = await subscribe(team.admin.token, target.url);
    startWorker({ retryDelaysMs: [100, 100, 100] });
    await emit(team.workspace.id, "message.created", { attempt: "me" });
    const requests = await target.waitFor(3);
    const [delivered] = await eventually(() => deliveryLog(webhook.id), settled);
    expect(delivered).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200, lastError: null });
    expect(new Set(requests.map((request) => request.headers["switchboard-delivery"]))).toEqual(new Set([delivered?.id]));
    expect(new Set(requests.map((request) => request.rawBody)).size).toBe(1);
    for (const request of requests)
      expect(verifySwitchboardSignature(webhook.secret, request.headers["switchboard-signature"] as string, request.rawBody)).toBe(true);
    await sleep(200);
    expect(target.requests).toHaveLength(3);
  });

  it("waits the backoff between attempts", async () => {
    const arrivals: number[] = [];
    const target = await receiver((index) => {
      arrivals.push(Date.now());
      return index < 1 ? 503 : 204;
    });
    const webhook = await subscribe(team.admin.token, target.url);
    startWorker({ retryDelaysMs: [400] });
    await emit(team.workspace.id, "message.created", {});
    await target.waitFor(2);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(350);
    expect((await eventually(() => deliveryLog(webhook.id), settled))[0]).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 204 });
  });

  it("a receiver that always fails → failed after the maximum attempts, with the last status and error", async () => {
    const target = await receiver(() => 503);
    const webhook = await subscribe(team.admin.token, target.url);
    startWorker({ retryDelaysMs: [10, 10, 10] });
    await emit(team.workspace.id, "message.created", {});
    const [failed] = await eventually(() => deliveryLog(webhook.id), settled);
    expect(failed).toEqual(
      expect.objectContaining({
        status: "failed",
        attempts: 4,
        lastStatusCode: 503,
        lastError: "HTTP 503: answer 503",
        nextAttemptAt: null,
        deliveredAt: null,
      }),
    );
    await sleep(200);
    expect(target.requests).toHaveLength(4);
  });

  it("records unreachable receivers, timeouts and redirects (not followed) as failed attempts", async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver((_index, _request, response) => {
      response.writeHead(307, { location: elsewhere.url }).end();
      return "handled";
    });
    const silent = await receiver(() => new Promise<"handled">(() => undefined));
    const closed = await startReceiver();
    await closed.close();
    const hooks = {
      redirect: await subscribe(team.admin.token, redirecting.url),
      timeout: await subscribe(team.admin.token, silent.url),
      refused: await subscribe(team.admin.token, closed.url),
    };
    startWorker({ retryDelaysMs: [], timeoutMs: 300 });
    await emit(team.workspace.id, "message.created", {});
    const outcome = async (id: string) => (await eventually(() => deliveryLog(id), settled))[0];
    expect(await outcome(hooks.redirect.id)).toMatchObject({
      status: "failed",
      attempts: 1,
      lastStatusCode: 307,
      lastError: "HTTP 307: redirects are not followed",
    });
    expect(await outcome(hooks.timeout.id)).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: null, lastError: "Timed out after 300 ms" });
    expect(await outcome(hooks.refused.id)).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: null, lastError: "Request failed: ECONNREFUSED" });
    expect(elsewhere.requests).toHaveLength(0);
    expect(redirecting.requests).toHaveLength(1);
  });

  it("only webhooks subscribed to the event receive it", async () => {
    const messagesTarget = await receiver();
    const assignmentsTarget = await receiver();
    const messagesHook = await subscribe(team.admin.token, messagesTarget.url, ["message.created", "message.status"]);
    const assignmentsHook = await subscribe(team.admin.token, assignmentsTarget.url, ["chat.assigned"]);
    startWorker();
    await emit(team.workspace.id, "message.created", { n: 1 });
    await emit(team.workspace.id, "chat.unassigned", { n: 2 });
    await emit(team.workspace.id, "chat.assigned", { n: 3 });
    await emit(team.workspace.id, "message.status", { n: 4 });
    await messagesTarget.waitFor(2);
    await assignmentsTarget.waitFor(1);
    await eventually(
      () => deliveryLog(messagesHook.id),
      (log) => log.length === 2 && settled(log),
    );
    await sleep(150);
    const received = (target: Receiver) => target.requests.map((request) => [request.headers["switchboard-event"], JSON.parse(request.rawBody).data.n]);
    expect(received(messagesTarget).sort()).toEqual([
      ["message.created", 1],
      ["message.status", 4],
    ]);
    expect(received(assignmentsTarget)).toEqual([["chat.assigned", 3]]);
    expect((await deliveryLog(assignmentsHook.id)).map((delivery) => delivery.event)).toEqual(["chat.assigned"]);
  });

  it("a webhook of another workspace receives nothing", async () => {
    const other = await insertTeamDirectly(server.database.db);
    const ours = await receiver();
    const theirs = await receiver();
    await subscribe(team.admin.token, ours.url, ["message.created"]);
    const theirHook = await subscribe(other.admin.token, theirs.url, ["message.created"]);
    startWorker();
    await emit(team.workspace.id, "message.created", { workspace: "ours" });
    await ours.waitFor(1);
    // Their own event proves their webhook works, and arrives after ours was processed.
    await emit(other.workspace.id, "message.created", { workspace: "theirs" });
    await theirs.waitFor(1);
    await sleep(150);
    expect(theirs.requests.map((request) => JSON.parse(request.rawBody).data)).toEqual([{ workspace: "theirs" }]);
    expect(ours.requests.map((request) => JSON.parse(request.rawBody).data)).toEqual([{ workspace: "ours" }]);
    expect(await deliveryLog(theirHook.id, other.admin.token)).toHaveLength(1);
  });

  it("two workers polling the same database deliver each event exactly once", async () => {
    const target = await receiver(async () => {
      await sleep(15);
      return 200;
    });
    const webhook = await subscribe(team.admin.token, target.url);
    const events = 40;
    for (let n = 0; n < events; n++) await emit(team.workspace.id, "message.created", { n });
    // A second process: its own connection pool on PostgreSQL (PGlite is one process by nature).
    const second = server.database.engine === "postgres" ? await openDatabase({ databaseUrl: server.database.databaseUrl as string, poolSize: 3 }) : null;
    try {
      const secondServices: Services = second ? { ...server.services, database: second, background: new Set() } : server.services;
      startWorker({ concurrency: 3, pollIntervalMs: 5 });
      startWorker({ concurrency: 3, pollIntervalMs: 5 }, secondServices);
      await target.waitFor(events);
      const log = await eventually(
        async () => (await server.api("GET", `/webhooks/${webhook.id}/deliveries?limit=200`, { token: team.admin.token })).body.data as Record<string, any>[],
        (rows) => rows.length === events && settled(rows),
      );
      await sleep(200);
      expect(target.requests).toHaveLength(events);
      const ids = target.requests.map((request) => request.headers["switchboard-delivery"]);
      expect(new Set(ids).size).toBe(events);
      expect(new Set(target.requests.map((request) => JSON.parse(request.rawBody).data.n)).size).toBe(events);
      expect(log.every((delivery) => delivery.status === "delivered" && delivery.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(workers.splice(0).map((worker) => worker.stop()));
      await second?.close();
    }
  });

  it("in production, refuses a receiver whose host resolves to a private address (DNS rebinding), sending nothing", async () => {
    const target = await receiver();
    const loopbackHook = await subscribe(team.admin.token, target.url);
    // Created when the name was public; now it resolves to an internal address.
    const rebound = await subscribe(team.admin.token, "http://rebound.example.test/hook");
    await server.database.db.update(webhooks).set({ url: "https://rebound.example.test/hook" }).where(eq(webhooks.id, rebound.id));
    const production: Services = { ...server.services, config: { ...server.services.config, nodeEnv: "production" } };
    const lookups: string[] = [];
    startWorker(
      {
        retryDelaysMs: [],
        lookup: async (hostname) => {
          lookups.push(hostname);
          return ["93.184.216.34", "10.0.0.7"];
        },
      },
      production,
    );
    await emit(team.workspace.id, "message.created", {});
    expect((await eventually(() => deliveryLog(rebound.id), settled))[0]).toMatchObject({
      status: "failed",
      attempts: 1,
      lastStatusCode: null,
      lastError: "Refused: rebound.example.test resolves to 10.0.0.7, a private address",
    });
    expect((await eventually(() => deliveryLog(loopbackHook.id), settled))[0]).toMatchObject({ status: "failed", lastError: "Refused: URL must use https" });
    expect(lookups).toEqual(["rebound.example.test"]);
    expect(target.requests).toHaveLength(0);
  });

  it("connects to the address it checked, never resolving the host a second time (no DNS-rebinding window)", async () => {
    const target = await receiver();
    const port = new URL(target.url).port;
    // A name no resolver knows: the delivery can only arrive if it goes to the checked address.
    const webhook = await subscribe(team.admin.token, `http://pinned.example.test:${port}/hook`);
    const lookups: string[] = [];
    startWorker({
      lookup: async (hostname) => {
        lookups.push(hostname);
        return ["127.0.0.1"];
      },
    });
    await emit(team.workspace.id, "message.created", {});
    const [request] = await target.waitFor(1);
    expect(request?.headers.host).toBe(`pinned.example.test:${port}`);
    expect((await eventually(() => deliveryLog(webhook.id), settled))[0]).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 200 });
    expect(lookups).toEqual(["pinned.example.test"]);
  });

  it("stopping the worker mid-attempt gives the delivery back uncounted; the next worker delivers it", async () => {
    let answer: (() => void) | undefined;
    const target = await receiver(async (index) => {
      if (index === 0) await new Promise<void>((resolve) => (answer = resolve));
      return 200;
    });
    const webhook = await subscribe(team.admin.token, target.url);
    const first = startWorker();
    await emit(team.workspace.id, "message.created", {});
    await target.waitFor(1);
    await first.stop();
    answer?.();
    const [released] = await deliveryLog(webhook.id);
    expect(released).toMatchObject({ status: "pending", attempts: 0 });
    expect(server.services.background.has(first)).toBe(false);
    startWorker();
    await target.waitFor(2);
    expect((await eventually(() => deliveryLog(webhook.id), settled))[0]).toMatchObject({ status: "delivered", attempts: 1 });
  });
});
