import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { connectSandbox, createTemplate } from "../campaigns/support";

// Phones people type: the workspace's default country reads national numbers (new chat, search,
// campaign CSV); an extension or odd input is a 400 with a sentence, never dropped silently.
let server: TestServer;
let team: Team;
let line: string;
beforeAll(async () => {
  server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  line = await connectSandbox(server, team.admin.token, "+15550107000");
});
afterAll(() => server.close());

const orderUpdate = { name: "order_update", languageCode: "en_US", bodyParameters: ["Grace", "A-1"] };
const setCountry = (token: string, defaultCountry: unknown) => server.api("PATCH", "/workspace", { token, body: { defaultCountry } });
const startChat = (phone: string) => server.api("POST", "/chats", { token: team.admin.token, body: { accountId: line, phone, template: orderUpdate } });
const search = async (q: string) =>
  ((await server.api("GET", `/chats?q=${encodeURIComponent(q)}`, { token: team.admin.token })).body.data as { contact: { phone: string } }[]).map(
    (chat) => chat.contact.phone,
  );

describe("the workspace's default country", () => {
  it("is set by team.manage, shown to every member, logged with before and after; not a country is a 400", async () => {
    expect((await server.api("GET", "/workspace", { token: team.agent.token })).body.defaultCountry).toBeNull();
    const denied = await setCountry(team.agent.token, "GB");
    expect(denied.status).toBe(403);
    expect(denied.body.permission).toBe("team.manage");
    expect((await setCountry(team.admin.token, "XX")).status).toBe(400);
    const set = await setCountry(team.admin.token, "gb");
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ id: team.workspace.id, defaultCountry: "GB" });
    expect((await server.api("GET", "/me", { token: team.agent.token })).body.workspace.defaultCountry).toBe("GB");
    const logged = await server.api("GET", "/audit-log?action=workspace.update", { token: team.owner.token });
    expect(logged.body.data).toEqual([
      expect.objectContaining({
        action: "workspace.update",
        actorId: team.admin.id,
        details: { before: { defaultCountry: null }, after: { defaultCountry: "GB" } },
      }),
    ]);
    expect((await setCountry(team.admin.token, null)).body.defaultCountry).toBeNull();
  });
});

describe("a new chat to a number typed in national format", () => {
  it("without a default country is a 400 saying to add the country code or set one", async () => {
    const refused = await startChat("07700 900123");
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/no country code.*default country in Settings/s);
  });

  it("with GB is read as +44, and is found by search typed either way", async () => {
    await setCountry(team.admin.token, "GB");
    const started = await startChat("07700 900123");
    expect(started.status, started.text).toBe(201);
    expect(started.body.chat.contact.phone).toBe("+447700900123");
    expect((await startChat("020 7946 0958")).body.chat.contact.phone).toBe("+442079460958");
    for (const q of ["020 7946 0958", "+44 20 7946 0958", "02079460958", "(020) 7946-0958"]) expect(await search(q)).toEqual(["+442079460958"]);
    expect(await search("07700900123")).toEqual(["+447700900123"]);
  });

  it("with an extension is a 400 explaining that WhatsApp can't message one, and starts nothing", async () => {
    await setCountry(team.admin.token, "GB");
    for (const phone of ["07700 900123 ext. 5", "+44 7700 900123 x12"]) {
      const refused = await startChat(phone);
      expect(refused.status).toBe(400);
      expect(refused.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect(refused.body.detail).toMatch(/WhatsApp can't message an extension/);
    }
    expect((await startChat("123")).body.detail).toMatch(/too short/);
    expect((await server.api("GET", "/chats", { token: team.admin.token })).body.data).toEqual([]);
  });
});

describe("a campaign CSV's phone column", () => {
  it("is read with the workspace's default country, and the preview says which rows were", async () => {
    await setCountry(team.admin.token, "GB");
    const templateId = await createTemplate(server, team.admin.token, "Hi {{name}}, your order {{order}} is ready.");
    const recipientsCsv = ["phone,name,order", "07700 900001,Ana,#1", "+1 555 010 7001,Bo,#2", "020 7946 0001 ext. 9,Cy,#3", "020 7946 0002,Di,#4"].join("\n");
    const answer = await server.api("POST", "/campaigns/preview", { token: team.admin.token, body: { accountId: line, templateId, recipientsCsv } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.recipientCount).toBe(3);
    expect(answer.body.sample.map((row: { phone: string }) => row.phone)).toEqual(["+447700900001", "+15550107001", "+442079460002"]);
    expect(answer.body.readWithDefaultCountry).toEqual({ country: "GB", count: 2, rows: [1, 4] });
    expect(answer.body.rejected.invalid).toEqual([{ row: 3, phone: "020 7946 0001 ext. 9", reason: "an extension (9) can't be messaged on WhatsApp" }]);
  });
});
