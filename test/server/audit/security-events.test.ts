import { sql } from "drizzle-orm";
import { recordSecurityEvent, type SecurityEvent, securityEventBudget } from "../../../server/audit/security-events";
import { securityEvents } from "../../../server/db/schema";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => server.close());

/** A services object of its own, so each test starts with a fresh budget. */
const freshServices = () => ({ database: server.services.database, logger: server.services.logger, config: server.services.config });
const event = (overrides: Partial<SecurityEvent> = {}): SecurityEvent => ({
  kind: "webhook.signature_refused",
  ip: "203.0.113.7",
  userAgent: "curl/8.0",
  detail: { marker: Math.random().toString(36).slice(2) },
  ...overrides,
});
const entries = async (token: string, action: string) => (await server.api("GET", `/audit-log?action=${action}`, { token })).body.data;
const globalEvents = (marker: unknown) =>
  server.database.db
    .select()
    .from(securityEvents)
    .where(sql`${securityEvents.details}->>'marker' = ${String(marker)}`);

describe("recordSecurityEvent", () => {
  it("puts a workspace's event in its activity log, with address and user agent, for audit.view holders only", async () => {
    await recordSecurityEvent(
      freshServices(),
      event({ workspaceId: team.workspace.id, targetType: "whatsapp_account", targetId: "wa_1", detail: { reason: "test" } }),
    );
    expect(await entries(team.admin.token, "webhook.signature_refused")).toEqual([
      {
        id: expect.any(String),
        at: expect.any(String),
        actorId: null,
        action: "webhook.signature_refused",
        targetType: "whatsapp_account",
        targetId: "wa_1",
        ip: "203.0.113.7",
        userAgent: "curl/8.0",
        details: { reason: "test" },
      },
    ]);
    expect((await server.api("GET", "/audit-log", { token: team.teammate.token })).status).toBe(403);
  });

  it("puts an event of no workspace in the global security_events table, and in no activity log", async () => {
    const global = event({ kind: "panel_token.refused" });
    await recordSecurityEvent(freshServices(), global);
    expect(await globalEvents(global.detail.marker)).toEqual([
      {
        id: expect.stringMatching(/^sev_/),
        at: expect.any(Date),
        kind: "panel_token.refused",
        ip: "203.0.113.7",
        userAgent: "curl/8.0",
        details: global.detail,
      },
    ]);
    expect(await entries(team.owner.token, "panel_token.refused")).toEqual([]);
  });

  it("records at most the budget per minute for one kind and workspace; the next one after says how many were left out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const services = freshServices();
    for (let index = 0; index < securityEventBudget.events + 5; index++) {
      await recordSecurityEvent(services, event({ workspaceId: team.workspace.id }));
    }
    expect(await entries(team.owner.token, "webhook.signature_refused")).toHaveLength(securityEventBudget.events);
    // Another kind, or another workspace, has a budget of its own.
    await recordSecurityEvent(services, event({ workspaceId: team.workspace.id, kind: "login.failed" }));
    expect(await entries(team.owner.token, "login.failed")).toHaveLength(1);

    vi.setSystemTime(Date.now() + securityEventBudget.windowMs);
    await recordSecurityEvent(services, event({ workspaceId: team.workspace.id }));
    const [newest] = await entries(team.owner.token, "webhook.signature_refused");
    expect(newest.details.suppressed).toBe(5);
  });

  it("deletes global events older than the retention while recording", async () => {
    const old = event();
    await recordSecurityEvent(freshServices(), old);
    await server.database.db
      .update(securityEvents)
      .set({ at: new Date(Date.now() - 91 * 24 * 60 * 60 * 1000) })
      .where(sql`${securityEvents.details}->>'marker' = ${String(old.detail.marker)}`);
    const recent = event();
    await recordSecurityEvent(freshServices(), recent);
    expect(await globalEvents(old.detail.marker)).toEqual([]);
    expect(await globalEvents(recent.detail.marker)).toHaveLength(1);
  });

  it("never throws: a failure to record is logged", async () => {
    const logged: unknown[] = [];
    const broken = {
      ...freshServices(),
      logger: { error: (...args: unknown[]) => logged.push(args), warn: () => undefined },
      database: { ...server.services.database, db: { transaction: () => Promise.reject(new Error("down")) } },
    };
    await expect(recordSecurityEvent(broken as never, event({ workspaceId: team.workspace.id }))).resolves.toBeUndefined();
    expect(logged).toEqual([[{ err: new Error("down"), securityEvent: "webhook.signature_refused" }, "could not record a security event"]]);
  });
});
