import { and, eq } from "drizzle-orm";
import { decryptSecret } from "../../../server/crypto/secrets";
import { auditLog, webhookDeliveries, webhooks } from "../../../server/db/schema";
import type { BuiltinRoleId } from "../../../server/permissions";
import { emitInboxEvent } from "../../../server/webhooks/outbox";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { closeTestServer } from "./receiver";

let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(() => closeTestServer(server));

const hookUrl = "http://127.0.0.1:9/hook";

async function createWebhook(token: string, body: unknown = { url: hookUrl, events: ["message.created"] }) {
  return server.api("POST", "/webhooks", { token, body });
}

describe("webhook CRUD", () => {
  it("creates a webhook: 201 with the secret once; the list and the activity log never show it", async () => {
    const created = await createWebhook(team.admin.token, { url: hookUrl, events: ["chat.assigned", "message.created"] });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const { webhook, secret } = created.body;
    expect(webhook).toEqual({
      id: expect.stringMatching(/^wh_/),
      url: hookUrl,
      events: ["message.created", "chat.assigned"],
      enabled: true,
      createdAt: expect.any(String),
      createdBy: team.admin.id,
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const listed = await server.api("GET", "/webhooks", { token: team.admin.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ data: [webhook], nextCursor: null });
    expect(listed.text).not.toContain(secret);
    expect(listed.text).not.toMatch(/secret/i);

    const [stored] = await server.database.db.select().from(webhooks).where(eq(webhooks.id, webhook.id));
    expect(stored?.secretEncrypted).not.toContain(secret);
    expect(decryptSecret(server.services.config.encryptionKey, stored?.secretEncrypted ?? "")).toBe(secret);

    const log = await server.api("GET", "/audit-log?action=webhook.create", { token: team.admin.token });
    expect(log.body.data).toEqual([
      expect.objectContaining({
        action: "webhook.create",
        actorId: team.admin.id,
        targetType: "webhook",
        targetId: webhook.id,
        details: { after: { url: hookUrl, events: webhook.events } },
      }),
    ]);
    const everything = await server.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, team.workspace.id));
    expect(JSON.stringify(everything)).not.toContain(secret);
  });

  it("deletes a webhook with its deliveries, audited; a second delete is a 404", async () => {
    const { webhook } = (await createWebhook(team.owner.token)).body;
    await server.database.db.transaction((tx) => emitInboxEvent(tx, { type: "message.created", workspaceId: team.workspace.id, chatId: "chat_x" }, { n: 1 }));
    const deleted = await server.api("DELETE", `/webhooks/${webhook.id}`, { token: team.admin.token });
    expect(deleted.status).toBe(204);
    expect((await server.api("GET", "/webhooks", { token: team.admin.token })).body.data).toEqual([]);
    const left = await server.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhook.id));
    expect(left).toEqual([]);
    const log = await server.api("GET", "/audit-log?action=webhook.delete", { token: team.admin.token });
    expect(log.body.data).toEqual([
      expect.objectContaining({ actorId: team.admin.id, targetId: webhook.id, details: { before: { url: hookUrl, events: ["message.created"] } } }),
    ]);
    expect((await server.api("DELETE", `/webhooks/${webhook.id}`, { token: team.admin.token })).status).toBe(404);
  });

  it("caps a workspace at 20 webhooks (409)", async () => {
    for (let index = 0; index < 20; index++) expect((await createWebhook(team.admin.token)).status).toBe(201);
    const refused = await createWebhook(team.admin.token);
    expect(refused.status).toBe(409);
    expect((await server.api("GET", "/webhooks", { token: team.admin.token })).body.data).toHaveLength(20);
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

  it.each(cases)("$roleId → allowed: $allowed (list, create, deliveries, delete)", async ({ roleId, allowed }) => {
    const existing = (await createWebhook(team.admin.token)).body.webhook;
    const token = team[roleId].token;
    const answers = [
      await server.api("GET", "/webhooks", { token }),
      await createWebhook(token),
      await server.api("GET", `/webhooks/${existing.id}/deliveries`, { token }),
      await server.api("DELETE", `/webhooks/${existing.id}`, { token }),
    ];
    if (allowed) {
      expect(answers.map((answer) => answer.status)).toEqual([200, 201, 200, 204]);
      return;
    }
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: "permission_denied", permission: "integrations.workspace" });
    }
    expect((await server.api("GET", "/webhooks", { token: team.admin.token })).body.data).toEqual([existing]);
  });

  it("another workspace's webhook is a 404 and is not listed", async () => {
    const other = await insertTeamDirectly(server.database.db);
    const theirs = (await createWebhook(other.admin.token)).body.webhook;
    expect((await server.api("DELETE", `/webhooks/${theirs.id}`, { token: team.owner.token })).status).toBe(404);
    expect((await server.api("GET", `/webhooks/${theirs.id}/deliveries`, { token: team.owner.token })).status).toBe(404);
    expect((await server.api("GET", "/webhooks", { token: team.owner.token })).body.data).toEqual([]);
    const still = await server.database.db
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.workspaceId, other.workspace.id), eq(webhooks.id, theirs.id)));
    expect(still).toHaveLength(1);
  });
});

describe("validation (400)", () => {
  it.each([
    { name: "not a URL", body: { url: "not a url", events: ["message.created"] }, path: "body.url" },
    { name: "a relative URL", body: { url: "/hook", events: ["message.created"] }, path: "body.url" },
    { name: "an ftp URL", body: { url: "ftp://example.com/hook", events: ["message.created"] }, path: "body.url" },
    { name: "credentials in the URL", body: { url: "http://user:pw@127.0.0.1:9/hook", events: ["message.created"] }, path: "body.url" },
    { name: "a private address", body: { url: "http://10.0.0.1/hook", events: ["message.created"] }, path: "body.url" },
    { name: "the metadata address", body: { url: "http://169.254.169.254/latest", events: ["message.created"] }, path: "body.url" },
    { name: "a URL over 2000 characters", body: { url: `http://127.0.0.1/${"a".repeat(2000)}`, events: ["message.created"] }, path: "body.url" },
    { name: "no URL", body: { events: ["message.created"] }, path: "body.url" },
    { name: "no events", body: { url: hookUrl, events: [] }, path: "body.events" },
    { name: "missing events", body: { url: hookUrl }, path: "body.events" },
    { name: "an unknown event", body: { url: hookUrl, events: ["chat.deleted"] }, path: "body.events.0" },
    { name: "a repeated event", body: { url: hookUrl, events: ["message.created", "message.created"] }, path: "body.events" },
    { name: "an unknown field", body: { url: hookUrl, events: ["message.created"], secret: "mine" }, path: "body" },
  ])("$name", async ({ body, path }) => {
    const response = await createWebhook(team.admin.token, body);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect((await server.api("GET", "/webhooks", { token: team.admin.token })).body.data).toEqual([]);
  });

  it("rejects a bad cursor or status filter on the delivery log", async () => {
    const { webhook } = (await createWebhook(team.admin.token)).body;
    expect((await server.api("GET", `/webhooks/${webhook.id}/deliveries?cursor=nope`, { token: team.admin.token })).status).toBe(400);
    expect((await server.api("GET", `/webhooks/${webhook.id}/deliveries?status=lost`, { token: team.admin.token })).status).toBe(400);
  });
});

describe("in production", () => {
  let production: TestServer;
  beforeAll(async () => {
    production = await startTestServer({ NODE_ENV: "production" });
  });
  afterAll(() => closeTestServer(production));

  it.each([
    { url: "http://hooks.example.com/x", status: 400, message: "must use https" },
    { url: "https://127.0.0.1/x", status: 400, message: "must not point at a loopback address" },
    { url: "https://localhost/x", status: 400, message: "must not point at localhost" },
    { url: "https://[::ffff:127.0.0.1]/x", status: 400, message: "must not point at a loopback address" },
    { url: "https://[::1]/x", status: 400, message: "must not point at a loopback address" },
    { url: "https://[fd00::5]/x", status: 400, message: "must not point at a private address" },
    { url: "https://192.168.1.20/x", status: 400, message: "must not point at a private address" },
    { url: "https://0.0.0.0/x", status: 400, message: "must not point at an unspecified address" },
    { url: "https://hooks.example.com/x", status: 201, message: undefined },
  ])("$url → $status", async ({ url, status, message }) => {
    const admin = (await insertTeamDirectly(production.database.db)).admin;
    const response = await production.api("POST", "/webhooks", { token: admin.token, body: { url, events: ["message.created"] } });
    expect(response.status).toBe(status);
    if (message) expect(response.body.errors).toEqual([{ path: "body.url", message }]);
  });
});

describe("delivery log", () => {
  it("lists deliveries newest first with limit and cursor", async () => {
    const { webhook } = (await createWebhook(team.admin.token)).body;
    for (let n = 1; n <= 5; n++) {
      await server.database.db.transaction((tx) => emitInboxEvent(tx, { type: "message.created", workspaceId: team.workspace.id, chatId: "chat_x" }, { n }));
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const response = await server.api("GET", `/webhooks/${webhook.id}/deliveries${query}`, { token: team.admin.token });
      expect(response.status).toBe(200);
      expect(response.body.data.length).toBeLessThanOrEqual(2);
      for (const delivery of response.body.data) {
        expect(delivery).toEqual({
          id: expect.stringMatching(/^dlv_/),
          event: "message.created",
          eventId: expect.stringMatching(/^evt_/),
          status: "pending",
          attempts: 0,
          lastStatusCode: null,
          lastError: null,
          nextAttemptAt: expect.any(String),
          createdAt: expect.any(String),
          deliveredAt: null,
        });
        const [row] = await server.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery.id));
        seen.push((row?.payload as { data: { n: number } } | undefined)?.data.n ?? -1);
      }
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
    const pending = await server.api("GET", `/webhooks/${webhook.id}/deliveries?status=delivered`, { token: team.admin.token });
    expect(pending.body).toEqual({ data: [], nextCursor: null });
  });
});
