import { secondsUntilUtcMidnight } from "../../../server/campaigns/guard-rails";
import { insertMemberDirectly, insertRoleDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { connectSandbox, createTemplate, launch, recipients } from "./support";

let server: TestServer;
let team: Team;
let agentLine: string;
let agentTemplate: string;
beforeAll(async () => {
  // No dispatcher: these campaigns only need to exist.
  server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  agentLine = await connectSandbox(server, team.agent.token, "+15550105000");
  agentTemplate = await createTemplate(server, team.agent.token);
});
afterAll(() => server.close());

const settings = (token: string, body: Record<string, unknown>) => server.api("PUT", "/campaign-settings", { token, body });
const agentLaunches = (count: number, prefix?: string) =>
  launch(server, team.agent.token, { accountId: agentLine, templateId: agentTemplate, recipients: recipients(count, prefix) });

describe("campaign settings", () => {
  it("only team.manage sets them (logged with before and after); every member reads them with today's use", async () => {
    expect((await settings(team.teammate.token, { dailyRecipientCap: 10 })).body).toMatchObject({ status: 403, permission: "team.manage" });
    const set = await settings(team.admin.token, { dailyRecipientCap: 1000, roleDailyCaps: { agent: 5 }, approvalThreshold: 100 });
    expect(set.body).toEqual({ dailyRecipientCap: 1000, roleDailyCaps: { agent: 5 }, approvalThreshold: 100 });
    // Fields left out keep their value; null removes a cap.
    expect((await settings(team.admin.token, { dailyRecipientCap: null })).body).toEqual({
      dailyRecipientCap: null,
      roleDailyCaps: { agent: 5 },
      approvalThreshold: 100,
    });
    await agentLaunches(3);
    const read = await server.api("GET", "/campaign-settings", { token: team.agent.token });
    expect(read.body).toEqual({
      dailyRecipientCap: null,
      roleDailyCaps: { agent: 5 },
      approvalThreshold: 100,
      today: { workspaceRecipients: 3, yourRecipients: 3, yourCap: 5 },
    });
    const log = await server.api("GET", "/audit-log?action=campaign_settings.update", { token: team.owner.token });
    expect(log.body.data[1].details).toEqual({
      before: { dailyRecipientCap: null, roleDailyCaps: {}, approvalThreshold: null },
      after: { dailyRecipientCap: 1000, roleDailyCaps: { agent: 5 }, approvalThreshold: 100 },
    });
  });

  it("refuses caps for roles the workspace does not have (400), accepts its custom roles", async () => {
    expect((await settings(team.admin.token, { roleDailyCaps: { nobody: 5 } })).body).toMatchObject({
      status: 400,
      errors: [{ path: "body.roleDailyCaps.nobody" }],
    });
    const role = await insertRoleDirectly(server.database.db, team.workspace, { "campaigns.send": "own" });
    expect((await settings(team.admin.token, { roleDailyCaps: { [role.id]: 5, teammate: 50 } })).status).toBe(200);
    expect((await settings(team.admin.token, { approvalThreshold: -1 })).status).toBe(400);
  });
});

describe("daily caps (UTC day of launch)", () => {
  it("the workspace cap is shared by everyone: over it is a 429 with Retry-After until midnight UTC", async () => {
    await settings(team.admin.token, { dailyRecipientCap: 10 });
    expect((await agentLaunches(6)).status).toBe(202);
    const teammateLine = await connectSandbox(server, team.teammate.token, "+15550105001");
    const teammateTemplate = await createTemplate(server, team.teammate.token);
    const over = await launch(server, team.teammate.token, { accountId: teammateLine, templateId: teammateTemplate, recipients: recipients(5, "+1555201") });
    expect(over.body).toMatchObject({
      status: 429,
      code: "rate_limited",
      detail: "The workspace may send campaigns to 10 recipients a day (UTC); 6 are used today and this campaign has 5.",
    });
    const retryAfter = Number(over.headers.get("retry-after"));
    expect(Math.abs(retryAfter - secondsUntilUtcMidnight())).toBeLessThan(5);
    expect(
      (await launch(server, team.teammate.token, { accountId: teammateLine, templateId: teammateTemplate, recipients: recipients(4, "+1555201") })).status,
    ).toBe(202);
  });

  it("a role's cap is per member holding it; a cancelled campaign gives back what it had not sent", async () => {
    await settings(team.admin.token, { roleDailyCaps: { agent: 8 } });
    const first = await agentLaunches(5);
    expect(first.status).toBe(202);
    const over = await agentLaunches(4, "+1555202");
    expect(over.body).toMatchObject({
      status: 429,
      detail: "Your role (Agent) may send campaigns to 8 recipients a day (UTC); you used 5 today and this campaign has 4.",
    });
    // Another Agent has their own allowance; the Teammate's role has no cap.
    const otherAgent = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent" });
    const otherLine = await connectSandbox(server, otherAgent.token, "+15550105002");
    const otherTemplate = await createTemplate(server, otherAgent.token);
    expect((await launch(server, otherAgent.token, { accountId: otherLine, templateId: otherTemplate, recipients: recipients(8, "+1555203") })).status).toBe(
      202,
    );
    expect((await server.api("POST", `/campaigns/${first.body.campaign.id}/cancel`, { token: team.agent.token })).body.campaign.counts.skipped).toBe(5);
    expect((await agentLaunches(8, "+1555204")).status).toBe(202);
  });

  it("concurrent launches cannot both squeeze under the cap", async () => {
    await settings(team.admin.token, { dailyRecipientCap: 5 });
    const answers = await Promise.all([agentLaunches(3, "+1555205"), agentLaunches(3, "+1555206")]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 429]);
  });
});

describe("approval above the Admin's threshold", () => {
  it("a large campaign waits; an Agent cannot approve (403); an Admin approves and it runs", async () => {
    await settings(team.admin.token, { approvalThreshold: 3 });
    expect((await agentLaunches(3)).body.campaign.status).toBe("running");
    const large = await agentLaunches(4, "+1555207");
    expect(large.body.campaign).toMatchObject({ status: "awaiting_approval", approvedBy: null, abilities: { approve: false, cancel: true, pause: false } });
    const id = large.body.campaign.id;
    expect((await server.api("POST", `/campaigns/${id}/approve`, { token: team.agent.token })).body).toMatchObject({ status: 403, permission: "team.manage" });
    const listed = await server.api("GET", "/campaigns?status=awaiting_approval", { token: team.admin.token });
    expect(listed.body.data.map((campaign: { id: string }) => campaign.id)).toEqual([id]);
    expect(listed.body.data[0].abilities.approve).toBe(true);
    const approved = await server.api("POST", `/campaigns/${id}/approve`, { token: team.admin.token });
    expect(approved.body.campaign).toMatchObject({ status: "running", approvedBy: team.admin.id, startedAt: expect.any(String) });
    expect((await server.api("POST", `/campaigns/${id}/approve`, { token: team.admin.token })).status).toBe(409);
    const entry = (await server.api("GET", `/audit-log?action=campaign.approve&targetId=${id}`, { token: team.owner.token })).body.data[0];
    expect(entry).toMatchObject({ actorId: team.admin.id, details: { from: "awaiting_approval", to: "running" } });
  });

  it("a rejected campaign is cancelled and sends nothing; an Admin's own large campaign needs no second approver", async () => {
    await settings(team.admin.token, { approvalThreshold: 2 });
    const large = await agentLaunches(3);
    const rejected = await server.api("POST", `/campaigns/${large.body.campaign.id}/reject`, { token: team.owner.token });
    expect(rejected.body.campaign).toMatchObject({ status: "cancelled", statusReason: "Rejected by The owner", counts: { queued: 0, skipped: 3 } });
    const adminLine = await connectSandbox(server, team.admin.token, "+15550105003");
    const adminTemplate = await createTemplate(server, team.admin.token);
    const own = await launch(server, team.admin.token, { accountId: adminLine, templateId: adminTemplate, recipients: recipients(3, "+1555208") });
    expect(own.body.campaign).toMatchObject({ status: "running", approvedBy: team.admin.id });
  });

  it("a scheduled campaign that needed approval keeps its schedule once approved", async () => {
    await settings(team.admin.token, { approvalThreshold: 1 });
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const large = await launch(server, team.agent.token, { accountId: agentLine, templateId: agentTemplate, recipients: recipients(2), scheduledAt });
    expect(large.body.campaign).toMatchObject({ status: "awaiting_approval", scheduledAt });
    const approved = await server.api("POST", `/campaigns/${large.body.campaign.id}/approve`, { token: team.admin.token });
    expect(approved.body.campaign).toMatchObject({ status: "scheduled", scheduledAt, startedAt: null });
  });
});
