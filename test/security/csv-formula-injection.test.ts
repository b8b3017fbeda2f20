import { parse } from "csv-parse/sync";
import { startTestServer, type TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";

// A customer (or anyone who can send a header) plants a spreadsheet formula in a name, a message
// or a user agent; a member later opens an export in Excel and the formula runs. Every export
// must hand such a cell over as text (a leading `'`), while the E.164 phones we normalized
// ourselves stay as they are.

const hyperlink = '=HYPERLINK("http://x","y")';
const dde = "+cmd|' /C calc'!A0";
const sum = "@SUM(1)";

let server: TestServer;
let team: Team;
let accountId: string;
beforeAll(async () => {
  server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.owner.token,
    body: { provider: "sandbox", phoneNumber: "+15550107000", displayName: "Shop" },
  });
  accountId = connected.body.account.id;
});
afterAll(() => server.close());

const customerWrites = async (from: string, text: string, name?: string, userAgent = "test") => {
  const sent = await server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, {
    token: team.owner.token,
    body: { from, text, ...(name ? { name } : {}) },
    headers: { "user-agent": userAgent },
  });
  expect(sent.status).toBe(201);
};

const rowsOf = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

describe("CSV formula injection through a customer's name and message (GET /exports/chats)", () => {
  it("exports the planted formulas as text, and the E.164 phone as it is", async () => {
    await customerWrites("+4915112345601", dde, hyperlink);
    await customerWrites("+4915112345602", "\t=1+1 after a tab", "-2+3");
    await customerWrites("+4915112345603", "\r=1+1 after a carriage return", sum);
    const csv = await server.api("GET", "/exports/chats", { token: team.owner.token });
    expect(csv.status).toBe(200);
    const byPhone = Object.fromEntries(rowsOf(csv.text).map((row) => [row.contactPhone, row]));
    expect(byPhone["+4915112345601"]).toMatchObject({ contactName: `'${hyperlink}`, lastMessagePreview: `'${dde}` });
    expect(byPhone["+4915112345602"]).toMatchObject({ contactName: "'-2+3", lastMessagePreview: "'\t=1+1 after a tab" });
    expect(byPhone["+4915112345603"]).toMatchObject({ contactName: `'${sum}`, lastMessagePreview: "'\r=1+1 after a carriage return" });
  });
});

describe("CSV formula injection through a user agent (GET /audit-log/export)", () => {
  it("exports the planted user agent as text", async () => {
    await customerWrites("+4915112345604", "hello", undefined, sum);
    const csv = await server.api("GET", "/audit-log/export", { token: team.owner.token });
    const inbound = rowsOf(csv.text).find((row) => row.action === "sandbox.inbound");
    expect(inbound?.userAgent).toBe(`'${sum}`);
  });
});

describe("CSV formula injection through recipient names (GET /campaigns/:id/report)", () => {
  it("reports the planted names as text, and the E.164 phones as they are", async () => {
    const template = await server.api("POST", "/templates", {
      token: team.owner.token,
      body: { name: "Plain", body: "Hi {{name}}, following up.", metaTemplateName: "follow_up", metaLanguage: "en_US" },
    });
    const names = [hyperlink, dde, sum, "-2+3"];
    const launched = await server.api("POST", "/campaigns", {
      token: team.owner.token,
      body: {
        accountId,
        templateId: template.body.template.id,
        recipients: names.map((name, index) => ({ phone: `+4915112345${610 + index}`, name })),
      },
    });
    expect(launched.status).toBe(202);
    const report = await server.api("GET", `/campaigns/${launched.body.campaign.id}/report`, { token: team.owner.token });
    expect(rowsOf(report.text).map((row) => [row.phone, row.name])).toEqual(names.map((name, index) => [`+4915112345${610 + index}`, `'${name}`]));
  });
});
