import { sql } from "drizzle-orm";
import { securityEvents } from "../../server/db/schema";
import { signWebhookBody } from "../../server/whatsapp/webhook-signature";
import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { inboundTextWebhook } from "../fakes/whatsapp-webhooks";
import { insertMemberDirectly } from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";
import { eventually } from "../support/sse";
import { insertTeamDirectly, type Team } from "../support/team";

// An attacker guesses passwords, forges WhatsApp webhooks or Pipedrive panel tokens. Each refusal
// must leave a trace with the address and user agent it came from: in the activity log of the
// workspace it targets when that is known, otherwise in the operator's security log.

const appSecret = "our-meta-app-secret";
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-0123456789";
const attacker = { "user-agent": "attack-tool/1.0" };

let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let numberSequence = 0;
beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  server = await startTestServer({
    GRAPH_API_BASE_URL: fake.url,
    WHATSAPP_APP_SECRET: appSecret,
    PIPEDRIVE_JWT_SECRET: "the-panel-jwt-secret",
    LOGIN_LIMIT_PER_ACCOUNT: "3",
  });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const activity = async (action: string) => (await server.api("GET", `/audit-log?action=${action}`, { token: team.owner.token })).body.data;
const operatorLog = (kind: string, field: string, value: string) =>
  server.database.db.select().from(securityEvents).where(sql`${securityEvents.kind} = ${kind} and ${securityEvents.details}->>${field} = ${value}`);
const login = (email: string, password: string) => server.api("POST", "/sessions", { body: { email, password }, headers: attacker });

describe("guessing a member's password", () => {
  it("each wrong password is in the member's workspace activity log, with address and user agent", async () => {
    const victim = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent" });
    expect((await login(victim.email, "wrong guess")).status).toBe(401);
    await eventually(async () =>
      expect(await activity("login.failed")).toEqual([
        expect.objectContaining({
          actorId: null,
          targetType: "member",
          targetId: victim.id,
          ip: expect.stringMatching(/127\.0\.0\.1/),
          userAgent: "attack-tool/1.0",
          details: { email: victim.email },
        }),
      ]),
    );
  });

  it("guessing until rate-limited: the refused attempts are recorded too", async () => {
    const victim = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent" });
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++) statuses.push((await login(victim.email, `guess ${attempt}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    await eventually(async () =>
      expect(await activity("login.rate_limited")).toEqual([
        expect.objectContaining({ targetId: victim.id, userAgent: "attack-tool/1.0", details: { email: victim.email } }),
      ]),
    );
  });
});

describe("guessing a member's password through the side doors (a join request, an invitation accept)", () => {
  it("each wrong password is in the member's workspace activity log, naming the door", async () => {
    const victim = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent" });
    const elsewhere = await insertTeamDirectly(server.database.db);
    const asked = await server.api("POST", "/join-requests", {
      body: { joinCode: elsewhere.workspace.joinCode, name: "Guess", email: victim.email, password: "wrong guess" },
      headers: attacker,
    });
    expect(asked.status).toBe(401);
    const invite = await server.api("POST", "/invitations", { token: elsewhere.owner.token, body: { email: victim.email, roleId: "agent" } });
    const accepted = await server.api("POST", `/invitations/${invite.body.acceptToken}/accept`, {
      body: { name: "Guess", password: "another wrong guess" },
      headers: attacker,
    });
    expect(accepted.status).toBe(401);
    await eventually(async () =>
      expect((await activity("login.failed")).map((entry: { targetId: string; details: unknown }) => [entry.targetId, entry.details])).toEqual([
        [victim.id, { email: victim.email, reason: "invitation_accept" }],
        [victim.id, { email: victim.email, reason: "join_request" }],
      ]),
    );
  });
});

describe("guessing passwords of an email nobody registered", () => {
  it("goes to the operator's security log, in no workspace", async () => {
    const email = `nobody-${Math.random().toString(36).slice(2)}@example.test`;
    expect((await login(email, "a guess")).status).toBe(401);
    await eventually(async () =>
      expect(await operatorLog("login.failed", "email", email)).toEqual([expect.objectContaining({ userAgent: "attack-tool/1.0", ip: expect.any(String) })]),
    );
  });
});

describe("forging a WhatsApp webhook", () => {
  async function connectCloudNumber(options: { appSecret?: string } = {}) {
    numberSequence++;
    const phoneNumberId = String(106540399990000 + numberSequence);
    fake.registerPhoneNumber({ wabaId: "102290129349999", phoneNumberId, displayPhoneNumber: `+1 555-079-${String(3800 + numberSequence)}` });
    const connected = await server.api("POST", "/whatsapp-accounts", {
      token: team.owner.token,
      body: {
        provider: "cloud",
        phoneNumber: `+1 555 079 ${String(3800 + numberSequence)}`,
        cloud: { phoneNumberId, wabaId: "102290129349999", accessToken, ...options },
      },
    });
    expect(connected.status).toBe(201);
    return { phoneNumberId, accountId: connected.body.account.id as string };
  }
  const forge = (phoneNumberId: string) => {
    const body = JSON.stringify(inboundTextWebhook({ phoneNumberId, from: { phone: "+16505551234" }, body: "forged" }));
    return fetch(`${server.url}/api/v1/inbound/whatsapp`, {
      method: "POST",
      headers: { ...attacker, "content-type": "application/json", "x-hub-signature-256": signWebhookBody("not-the-app-secret", body) },
      body,
    });
  };

  it("for a tenant's number: the refused signature is in that workspace's activity log", async () => {
    const { phoneNumberId } = await connectCloudNumber();
    expect((await forge(phoneNumberId)).status).toBe(401);
    await eventually(async () =>
      expect(await activity("webhook.signature_refused")).toEqual([
        expect.objectContaining({ actorId: null, userAgent: "attack-tool/1.0", details: expect.objectContaining({ phoneNumberIds: [phoneNumberId] }) }),
      ]),
    );
  });

  it("a change for an own-app number smuggled into a body signed with our app's secret: dropped, and in that workspace's activity log", async () => {
    const ours = await connectCloudNumber();
    const ownApp = await connectCloudNumber({ appSecret: "the-account-own-app-secret" });
    const [first, second] = [ours, ownApp].map((number) =>
      inboundTextWebhook({ phoneNumberId: number.phoneNumberId, from: { phone: "+16505551234" }, body: "hi" }),
    );
    const body = JSON.stringify({ ...first, entry: [...(first?.entry ?? []), ...(second?.entry ?? [])] });
    const delivered = await fetch(`${server.url}/api/v1/inbound/whatsapp`, {
      method: "POST",
      headers: { ...attacker, "content-type": "application/json", "x-hub-signature-256": signWebhookBody(appSecret, body) },
      body,
    });
    expect(delivered.status).toBe(200);
    await eventually(async () =>
      expect(await activity("webhook.signature_refused")).toEqual([
        expect.objectContaining({
          targetId: ownApp.accountId,
          details: { reason: "not_its_accounts_secret", phoneNumberIds: [ownApp.phoneNumberId] },
        }),
      ]),
    );
  });

  it("for a number nobody connected: the refused signature is in the operator's security log", async () => {
    const phoneNumberId = `9${Date.now()}`;
    expect((await forge(phoneNumberId)).status).toBe(401);
    await eventually(async () => {
      const found = await server.database.db
        .select()
        .from(securityEvents)
        .where(sql`${securityEvents.kind} = 'webhook.signature_refused' and ${securityEvents.details}->'phoneNumberIds' ? ${phoneNumberId}`);
      expect(found).toEqual([expect.objectContaining({ userAgent: "attack-tool/1.0" })]);
    });
  });
});

describe("forging a Pipedrive panel token", () => {
  it("the refusal is in the operator's security log, with its reason", async () => {
    const marker = `attack-tool/${Math.random().toString(36).slice(2)}`;
    const refused = await server.api("POST", "/panel/pipedrive/session", { body: { token: "not.a.jwt" }, headers: { "user-agent": marker } });
    expect(refused.status).toBe(401);
    await eventually(async () => {
      const found = await server.database.db
        .select()
        .from(securityEvents)
        .where(sql`${securityEvents.kind} = 'panel_token.refused' and ${securityEvents.userAgent} = ${marker}`);
      expect(found).toEqual([expect.objectContaining({ details: expect.objectContaining({ reason: "malformed" }) })]);
    });
  });
});
