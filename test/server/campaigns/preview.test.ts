import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { connectSandbox, createTemplate } from "./support";

// POST /campaigns/preview: what a launch would queue and refuse, checked as a launch is, stored nowhere.
let server: TestServer;
let team: Team;
let agentLine: string;
let agentTemplate: string;
beforeAll(async () => {
  server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  agentLine = await connectSandbox(server, team.agent.token, "+15550106000");
  agentTemplate = await createTemplate(server, team.agent.token, "Hi {{name}}, your order {{order}} is ready.", sandboxTemplate);
});
afterAll(() => server.close());

/** Mapped to one of the sandbox's registered approved templates (two body parameters), as campaigns need. */
const sandboxTemplate = { metaTemplateName: "order_update", metaLanguage: "en_US" };

const csv = [
  "phone,name,order",
  "+1 555 010 6101,Ana,#1",
  "+1 555 010 6102,Bo,",
  "not a phone,Cy,#3",
  "+15550106101,Ana again,#4",
  "+1 555 010 6105,Di,#5",
].join("\n");
const preview = (token: string, body: Record<string, unknown>) => server.api("POST", "/campaigns/preview", { token, body });

describe("campaign preview", () => {
  it("shows the first messages as sent and every rejected row, says whether approval is needed, and stores nothing", async () => {
    expect((await server.api("PUT", "/campaign-settings", { token: team.admin.token, body: { approvalThreshold: 1 } })).status).toBe(200);
    const answer = await preview(team.agent.token, { accountId: agentLine, templateId: agentTemplate, recipientsCsv: csv });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({
      recipientCount: 2,
      sample: [
        { row: 1, phone: "+15550106101", name: "Ana", text: "Hi Ana, your order #1 is ready." },
        { row: 5, phone: "+15550106105", name: "Di", text: "Hi Di, your order #5 is ready." },
      ],
      rejected: {
        duplicates: [{ row: 4, phone: "+15550106101", firstRow: 1 }],
        invalid: [
          { row: 2, phone: "+15550106102", reason: "no value for {{order}}" },
          { row: 3, phone: "not a phone", reason: "not a phone number" },
        ],
      },
      readWithDefaultCountry: null,
      needsApproval: true,
      overCap: null,
    });
    // An approver's launch of the same size would not wait.
    const adminTemplate = await createTemplate(server, team.admin.token, "Hi {{name}}, your order {{order}} is ready.", sandboxTemplate);
    const byAdmin = await preview(team.admin.token, { accountId: agentLine, templateId: adminTemplate, recipientsCsv: csv });
    expect(byAdmin.body).toMatchObject({ recipientCount: 2, needsApproval: false });
    expect((await server.api("GET", "/campaigns", { token: team.owner.token })).body.data).toEqual([]);
    expect((await server.api("GET", "/audit-log?action=campaign.launch", { token: team.owner.token })).body.data).toEqual([]);
  });

  it("names the cap a launch would break today", async () => {
    await server.api("PUT", "/campaign-settings", { token: team.admin.token, body: { roleDailyCaps: { agent: 1 } } });
    const answer = await preview(team.agent.token, { accountId: agentLine, templateId: agentTemplate, recipientsCsv: csv });
    expect(answer.body.overCap).toBe("Your role (Agent) may send campaigns to 1 recipients a day (UTC); you used 0 today and this campaign has 2.");
  });

  it("is refused as a launch is: no campaigns.send (403 naming it), another's number (404), another's template (404)", async () => {
    const adminLine = await connectSandbox(server, team.admin.token, "+15550106900");
    const refused = await preview(team.collaborator.token, { accountId: agentLine, templateId: agentTemplate, recipientsCsv: csv });
    expect(refused.body).toMatchObject({ status: 403, permission: "campaigns.send" });
    expect((await preview(team.agent.token, { accountId: adminLine, templateId: agentTemplate, recipientsCsv: csv })).status).toBe(404);
    const teammateTemplate = await createTemplate(server, team.teammate.token, undefined, sandboxTemplate);
    expect((await preview(team.agent.token, { accountId: agentLine, templateId: teammateTemplate, recipientsCsv: csv })).status).toBe(404);
    expect((await preview(team.agent.token, { accountId: agentLine, templateId: agentTemplate, recipientsCsv: "name\nAna" })).status).toBe(400);
  });
});
