import { recipientsFromCsv, requireVariables, screenRecipients } from "../../../server/campaigns/recipients";
import { fillTemplate, missingVariables, positionalParameters, variablesOf } from "../../../server/campaigns/variables";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { connectSandbox, createTemplate, launch, recipientRows } from "./support";

describe("variables", () => {
  it("finds each variable once, in order; fills and orders them for Meta's positional parameters", () => {
    const body = "Hi {{name}}, order {{ order_id }} for {{phone}}; thanks {{name}}. {{1}}";
    expect(variablesOf(body)).toEqual(["name", "order_id", "phone", "1"]);
    const values = { name: "Ana", order_id: "#12", phone: "+15550001111", 1: "x" };
    expect(fillTemplate(body, values)).toBe("Hi Ana, order #12 for +15550001111; thanks Ana. x");
    expect(positionalParameters(body, values)).toEqual(["Ana", "#12", "+15550001111", "x"]);
    expect(missingVariables(body, { name: "Ana", phone: "+1", 1: " " })).toEqual(["order_id", "1"]);
    expect(fillTemplate("{{unknown}} and {not} {{ }}", {})).toBe(" and {not} {{ }}");
  });
});

describe("screening recipients", () => {
  it("normalizes phones to E.164, keeps the first row of each number, reports duplicates and invalid rows", () => {
    const screened = screenRecipients(
      [
        { phone: "+44 20 7946 0958", name: " Grace " },
        { phone: "0044 20 7946 0958" },
        { phone: "not a number" },
        { phone: "020 7946 0959", variables: { order: "7" } },
        { phone: "+1 (555) 010-2000" },
        { phone: "12" },
      ],
      { defaultCountry: "GB" },
    );
    expect(screened).toEqual({
      accepted: [
        { row: 1, phone: "+442079460958", name: "Grace", variables: {} },
        { row: 4, phone: "+442079460959", name: null, variables: { order: "7" }, national: true },
        { row: 5, phone: "+15550102000", name: null, variables: {} },
      ],
      duplicates: [{ row: 2, phone: "+442079460958", firstRow: 1 }],
      invalid: [
        { row: 3, phone: "not a number", reason: "not a phone number" },
        { row: 6, phone: "12", reason: "not a phone number" },
      ],
    });
  });

  it("reads CSV with a header: phone, optional name, every other column a variable", () => {
    const csv = '\uFEFFName,Phone,order,note\n"Lovelace, Ada",+44 20 7946 0958,#1,\n\nGrace,+1 555 010 2000,#2,"says ""hi"""\n';
    expect(recipientsFromCsv(csv)).toEqual([
      { phone: "+44 20 7946 0958", name: "Lovelace, Ada", variables: { order: "#1" } },
      { phone: "+1 555 010 2000", name: "Grace", variables: { order: "#2", note: 'says "hi"' } },
    ]);
  });

  it("moves recipients who leave a template variable empty to invalid", () => {
    const screened = screenRecipients([
      { phone: "+15550102000", name: "Ana", variables: { order: "#1" } },
      { phone: "+15550102001", variables: { order: "#2" } },
      { phone: "+15550102002", name: "Bo" },
    ]);
    expect(requireVariables(screened, "Hi {{name}}, {{order}}")).toEqual({
      accepted: [{ row: 1, phone: "+15550102000", name: "Ana", variables: { order: "#1" } }],
      duplicates: [],
      invalid: [
        { row: 2, phone: "+15550102001", reason: "no value for {{name}}" },
        { row: 3, phone: "+15550102002", reason: "no value for {{order}}" },
      ],
    });
  });
});

describe("POST /campaigns with JSON or CSV recipients", () => {
  let server: TestServer;
  let team: Team;
  let accountId: string;
  let templateId: string;
  beforeAll(async () => {
    server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
    team = await insertTeamDirectly(server.database.db);
    accountId = await connectSandbox(server, team.agent.token, "+15550104000");
    templateId = await createTemplate(server, team.agent.token, "Hi {{name}}, your order {{order}} is ready.");
  });
  afterAll(() => server.close());

  it("JSON: queues the valid recipients once each; duplicates and invalid rows come back, unsent", async () => {
    const launched = await launch(server, team.agent.token, {
      accountId,
      templateId,
      recipients: [
        { phone: "+1 555 010 2000", name: "Ana", variables: { order: "#1" } },
        { phone: "+15550102000", name: "Ana again", variables: { order: "#1" } },
        { phone: "nope", name: "Bad", variables: { order: "#2" } },
        { phone: "+15550102001", name: "Bo" },
        { phone: "+15550102002", name: "Cy", variables: { order: "#3" } },
      ],
    });
    expect(launched.status).toBe(202);
    expect(launched.body.campaign).toMatchObject({ recipientCount: 2, counts: { queued: 2, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0 } });
    expect(launched.body.rejected).toEqual({
      duplicates: [{ row: 2, phone: "+15550102000", firstRow: 1 }],
      invalid: [
        { row: 3, phone: "nope", reason: "not a phone number" },
        { row: 4, phone: "+15550102001", reason: "no value for {{order}}" },
      ],
    });
    const rows = await recipientRows(server, team.workspace.id, launched.body.campaign.id);
    expect(rows.map((row) => [row.seq, row.phone, row.name, row.variables, row.status])).toEqual([
      [1, "+15550102000", "Ana", { order: "#1" }, "queued"],
      [2, "+15550102002", "Cy", { order: "#3" }, "queued"],
    ]);
  });

  it("CSV: the same screening; the launch is logged with its counts", async () => {
    const recipientsCsv = "phone,name,order\n+15550103000,Dee,#4\n+1 555 010 3000,Dee twice,#4\n555,Short,#5\n+15550103001,Eve,#6\n";
    const launched = await launch(server, team.agent.token, { accountId, templateId, recipientsCsv });
    expect(launched.status).toBe(202);
    expect(launched.body.rejected).toEqual({
      duplicates: [{ row: 2, phone: "+15550103000", firstRow: 1 }],
      invalid: [{ row: 3, phone: "555", reason: "not a phone number" }],
    });
    expect(launched.body.campaign.recipientCount).toBe(2);
    const entry = (await server.api("GET", `/audit-log?targetId=${launched.body.campaign.id}`, { token: team.owner.token })).body.data[0];
    expect(entry).toMatchObject({
      action: "campaign.launch",
      actorId: team.agent.id,
      details: { accountId, templateId, recipients: 2, duplicates: 1, invalid: 1, status: "running" },
    });
  });

  it.each([
    ["no valid recipient", { recipients: [{ phone: "x" }] }, "No recipient can be sent to"],
    ["CSV without a phone column", { recipientsCsv: "name,order\nAna,#1\n" }, "phone"],
    ["malformed CSV", { recipientsCsv: 'phone,name\n"+15550100000,Ana\n' }, "could not be read"],
    ["both recipients and CSV", { recipients: [{ phone: "+15550100000" }], recipientsCsv: "phone\n+15550100001\n" }, "invalid fields"],
    ["neither", {}, "invalid fields"],
  ])("refuses %s with 400 and sends nothing", async (_case, recipients, detail) => {
    const refused = await launch(server, team.agent.token, { accountId, templateId, ...recipients });
    expect(refused.body).toMatchObject({ status: 400, code: "invalid_request", detail: expect.stringContaining(detail) });
  });

  it("takes thousands of recipients in one request (a body over the API's default 100 kB)", async () => {
    const recipients = Array.from({ length: 3_000 }, (_, index) => ({
      phone: `+1555${String(2_000_000 + index)}`,
      name: `N${index}`,
      variables: { order: String(index) },
    }));
    const launched = await launch(server, team.agent.token, { accountId, templateId, recipients });
    expect(JSON.stringify({ recipients }).length).toBeGreaterThan(150_000);
    expect([launched.status, launched.body.campaign?.recipientCount]).toEqual([202, 3_000]);
    const cancelled = await server.api("POST", `/campaigns/${launched.body.campaign.id}/cancel`, { token: team.agent.token });
    expect(cancelled.body.campaign.counts.skipped).toBe(3_000);
  });
});
