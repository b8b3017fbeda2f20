import { parse } from "csv-parse/sync";
import { and, eq, sql } from "drizzle-orm";
import { campaignRecipients, messages } from "../../../server/db/schema";
import { insertMemberDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";
import { campaignOf, connectSandbox, createTemplate, launch, recipientRows, recipients, waitForCampaign } from "./support";

// Campaigns on the sandbox, sent by the test server's own dispatcher at 5 messages a second.
let server: TestServer;
let team: Team;
let agentLine: string;
let agentTemplate: string;
beforeAll(async () => {
  server = await startTestServer({ WHATSAPP_SEND_RATE: "5" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  agentLine = await connectSandbox(server, team.agent.token, "+15550106000");
  agentTemplate = await createTemplate(server, team.agent.token);
});
afterAll(() => server.close());

const sentCount = async (campaignId: string) => {
  const counts = (await campaignOf(server, team.agent.token, campaignId)).counts;
  return counts.sent + counts.delivered + counts.read + counts.failed;
};

describe("a campaign on the sandbox", () => {
  it("goes out only as a WhatsApp-approved template, as on the Cloud API: an unmapped template is refused (422) and nothing is queued", async () => {
    const unmapped = await createTemplate(server, team.agent.token, "Hi {{name}}, your order {{order}} is ready.", {
      metaTemplateName: undefined,
      metaLanguage: undefined,
    });
    const refused = await launch(server, team.agent.token, { accountId: agentLine, templateId: unmapped, recipients: recipients(2) });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain("WhatsApp-approved template");
    const queued = await server.database.db
      .select({ seq: campaignRecipients.seq })
      .from(campaignRecipients)
      .where(eq(campaignRecipients.workspaceId, team.workspace.id));
    expect(queued).toEqual([]);
    // Mapped to the sandbox's approved order_update, the same recipients go out as that template.
    const launched = await launch(server, team.agent.token, { accountId: agentLine, templateId: agentTemplate, recipients: recipients(2) });
    expect(launched.status).toBe(202);
    await waitForCampaign(server, team.agent.token, launched.body.campaign.id);
    const sent = await server.database.db.select({ templateName: messages.templateName }).from(messages).where(eq(messages.workspaceId, team.workspace.id));
    expect(sent.map((message) => message.templateName)).toEqual(["order_update", "order_update"]);
  });

  it("sends each recipient its filled template into their chat, authored by the creator; receipts reach the report", async () => {
    const stream = await openEventStream(`${server.url}/api/v1/events`, team.agent.token);
    const outsider = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent" });
    const outsiderStream = await openEventStream(`${server.url}/api/v1/events`, outsider.token);
    const launched = await launch(server, team.agent.token, { accountId: agentLine, templateId: agentTemplate, recipients: recipients(3) });
    expect(launched.body.campaign).toMatchObject({ status: "running", counts: { queued: 3 } });
    const id = launched.body.campaign.id;
    await waitForCampaign(server, team.agent.token, id);
    const done = await eventually(async () => {
      const campaign = await campaignOf(server, team.agent.token, id);
      expect(campaign.counts).toEqual({ queued: 0, sent: 0, delivered: 0, read: 3, failed: 0, skipped: 0 });
      return campaign;
    });
    expect(done).toMatchObject({ status: "completed", finishedAt: expect.any(String) });

    const chats = (await server.api("GET", "/chats", { token: team.agent.token })).body.data;
    expect(
      chats
        .map((chat: { contact: { phone: string; name: string } }) => chat.contact)
        .sort((a: { phone: string }, b: { phone: string }) => a.phone.localeCompare(b.phone)),
    ).toEqual([
      { id: expect.any(String), phone: "+15552000000", name: "Customer 0" },
      { id: expect.any(String), phone: "+15552000001", name: "Customer 1" },
      { id: expect.any(String), phone: "+15552000002", name: "Customer 2" },
    ]);
    const chat = chats.find((row: { contact: { phone: string } }) => row.contact.phone === "+15552000001");
    const history = (await server.api("GET", `/chats/${chat.id}/messages`, { token: team.agent.token })).body.data;
    expect(history).toEqual([
      expect.objectContaining({ direction: "out", text: "Hi Customer 1, your order #1001 is ready.", status: "read", authorId: team.agent.id }),
    ]);
    // The customer's reply lands in the same conversation.
    const reply = await server.api("POST", `/whatsapp-accounts/${agentLine}/sandbox/inbound`, {
      token: team.agent.token,
      body: { from: "+15552000001", text: "Thanks!" },
    });
    expect(reply.body.chatId).toBe(chat.id);

    // Progress was pushed live to the creator, and to nobody who may not see the report.
    await eventually(() => {
      const progress = stream.events.filter((event) => event.type === "campaign.progress");
      expect(progress.at(-1)?.data.campaign).toMatchObject({ id, status: "completed", counts: { read: 3 } });
    });
    expect(stream.events.filter((event) => event.type === "message.created").length).toBeGreaterThanOrEqual(3);
    // A message on the outsider's own line reaches their stream after every progress event (a stream
    // renders in bus order): the progress was dropped for them, not merely late.
    const outsiderLine = await connectSandbox(server, outsider.token, "+15550106009");
    await server.api("POST", `/whatsapp-accounts/${outsiderLine}/sandbox/inbound`, {
      token: outsider.token,
      body: { from: "+15552000009", text: "For the outsider" },
    });
    await eventually(() => expect(outsiderStream.events.map((event) => event.data.message?.text)).toContain("For the outsider"));
    expect(outsiderStream.events.filter((event) => event.type === "campaign.progress")).toEqual([]);
    await stream.close();
    await outsiderStream.close();
  });

  it("the report is one CSV row per recipient, and every download is in the activity log", async () => {
    const launched = await launch(server, team.agent.token, {
      accountId: agentLine,
      templateId: agentTemplate,
      recipients: [...recipients(2), { phone: "+15559990000", name: "No order" }],
    });
    const id = launched.body.campaign.id;
    await waitForCampaign(server, team.agent.token, id);
    await eventually(async () => expect((await campaignOf(server, team.agent.token, id)).counts.read).toBe(2));
    const report = await server.api("GET", `/campaigns/${id}/report`, { token: team.teammate.token });
    expect(report.status).toBe(200);
    expect(report.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(report.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="?campaign-${id}\\.csv"?$`));
    const rows = parse(report.text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(["phone", "name", "status", "error", "sentAt", "deliveredAt", "readAt"]);
    expect(rows).toEqual([
      {
        phone: "+15552000000",
        name: "Customer 0",
        status: "read",
        error: "",
        sentAt: expect.stringMatching(/^20\d\d-/),
        deliveredAt: expect.stringMatching(/^20\d\d-/),
        readAt: expect.stringMatching(/^20\d\d-/),
      },
      {
        phone: "+15552000001",
        name: "Customer 1",
        status: "read",
        error: "",
        sentAt: expect.any(String),
        deliveredAt: expect.any(String),
        readAt: expect.any(String),
      },
    ]);
    const log = await server.api("GET", `/audit-log?action=export.campaign_report&targetId=${id}`, { token: team.owner.token });
    expect(log.body.data).toEqual([expect.objectContaining({ actorId: team.teammate.id, targetType: "campaign", details: { rows: 2 } })]);
    expect((await server.api("GET", `/campaigns/${id}/report`, { token: team.collaborator.token })).status).toBe(403);
  });

  it("pause stops claiming, resume goes on, cancel skips the rest; each step is logged", async () => {
    const launched = await launch(server, team.agent.token, { accountId: agentLine, templateId: agentTemplate, recipients: recipients(40) });
    const id = launched.body.campaign.id;
    await eventually(async () => expect(await sentCount(id)).toBeGreaterThanOrEqual(2), 15_000);
    const paused = await server.api("POST", `/campaigns/${id}/pause`, { token: team.agent.token });
    expect(paused.body.campaign).toMatchObject({
      status: "paused",
      statusReason: "Paused by The agent",
      abilities: { pause: false, resume: true, cancel: true },
    });
    // Sends already in flight finish; then nothing moves.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const whilePaused = await sentCount(id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await sentCount(id)).toBe(whilePaused);
    expect((await server.api("POST", `/campaigns/${id}/pause`, { token: team.agent.token })).status).toBe(409);

    // The Teammate's campaigns.send covers every account: they may resume it.
    expect((await server.api("POST", `/campaigns/${id}/resume`, { token: team.teammate.token })).body.campaign.status).toBe("running");
    await eventually(async () => expect(await sentCount(id)).toBeGreaterThan(whilePaused + 1), 15_000);
    const cancelled = await server.api("POST", `/campaigns/${id}/cancel`, { token: team.agent.token });
    expect(cancelled.body.campaign).toMatchObject({ status: "cancelled", statusReason: "Cancelled by The agent" });
    const rows = await eventually(async () => {
      const all = await recipientRows(server, team.workspace.id, id);
      expect(all.filter((row) => row.status === "sending" || row.status === "queued")).toEqual([]);
      return all;
    });
    const skipped = rows.filter((row) => row.status === "skipped");
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.length + rows.filter((row) => row.sentAt !== null).length).toBe(40);
    // Skipped recipients got no message.
    const sentMessages = await server.database.db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.workspaceId, team.workspace.id), eq(messages.direction, "out")));
    expect(sentMessages.length).toBe(40 - skipped.length);
    expect((await server.api("POST", `/campaigns/${id}/resume`, { token: team.agent.token })).status).toBe(409);
    const log = await server.api("GET", `/audit-log?targetId=${id}`, { token: team.owner.token });
    expect(log.body.data.map((entry: { action: string; actorId: string }) => [entry.action, entry.actorId])).toEqual([
      ["campaign.cancel", team.agent.id],
      ["campaign.resume", team.teammate.id],
      ["campaign.pause", team.agent.id],
      ["campaign.launch", team.agent.id],
    ]);
  });

  it("a scheduled campaign starts at its time, not before", async () => {
    const scheduledAt = new Date(Date.now() + 2500);
    const launched = await launch(server, team.agent.token, {
      accountId: agentLine,
      templateId: agentTemplate,
      recipients: recipients(2),
      scheduledAt: scheduledAt.toISOString(),
    });
    expect(launched.body.campaign).toMatchObject({ status: "scheduled", startedAt: null });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await campaignOf(server, team.agent.token, launched.body.campaign.id)).status).toBe("scheduled");
    const done = await waitForCampaign(server, team.agent.token, launched.body.campaign.id);
    expect(new Date(done.startedAt).getTime()).toBeGreaterThanOrEqual(scheduledAt.getTime());
    const rows = await recipientRows(server, team.workspace.id, launched.body.campaign.id);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.sentAt?.getTime()).toBeGreaterThanOrEqual(scheduledAt.getTime());
  });

  it("a large launch refreshes the planner's statistics: one recipient is updated through its primary key, not by walking the campaign", async () => {
    const launched = await launch(server, team.agent.token, {
      accountId: agentLine,
      templateId: agentTemplate,
      recipients: recipients(1000),
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(launched.status).toBe(202);
    const plan = await server.database.db.execute(sql`
      explain (format json) update ${campaignRecipients} set error = error
      where workspace_id = ${team.workspace.id} and campaign_id = ${launched.body.campaign.id} and seq = 500`);
    const indexes = JSON.stringify((plan as unknown as { rows: unknown[] }).rows).match(/"Index Name":"[^"]+"/g);
    expect(indexes).toEqual(['"Index Name":"campaign_recipients_workspace_id_campaign_id_seq_pk"']);
    expect((await server.api("POST", `/campaigns/${launched.body.campaign.id}/cancel`, { token: team.agent.token })).status).toBe(200);
  });

  it("the same Idempotency-Key and body launch one campaign; another body under the key is a 422", async () => {
    const body = { accountId: agentLine, templateId: agentTemplate, recipients: recipients(1) };
    const first = await launch(server, team.agent.token, body, { "idempotency-key": "launch-1" });
    const again = await launch(server, team.agent.token, body, { "idempotency-key": "launch-1" });
    expect([first.status, again.status, again.body.campaign.id]).toEqual([202, 202, first.body.campaign.id]);
    expect((await launch(server, team.agent.token, { ...body, name: "Other" }, { "idempotency-key": "launch-1" })).status).toBe(422);
    const list = await server.api("GET", "/campaigns", { token: team.agent.token });
    expect(list.body.data).toHaveLength(1);
  });
});
