import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { startTestServer, type TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";

// Routes are global: whoever connects a phone_number_id receives its customers' messages. So a
// workspace must prove, with the token it gives, that it controls the number at Meta.
const victimToken = "EAAGm0PX4ZCpsBAvictims-system-user-token";
const attackerToken = "EAAGm0PX4ZCpsBAattackers-own-valid-token";
const victim = { wabaId: "702290129340398", phoneNumberId: "706540352240001", displayPhoneNumber: "+1 555-079-0701" };
const attackers = { wabaId: "712290129340398", phoneNumberId: "716540352240001", displayPhoneNumber: "+1 555-079-0711" };
const otherOfTheirs = { wabaId: "722290129340398", phoneNumberId: "726540352240001", displayPhoneNumber: "+1 555-079-0721" };
let fake: FakeGraphApi;
let server: TestServer;
let attacker: Team;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken: victimToken });
  fake.registerPhoneNumber(victim);
  fake.registerPhoneNumber({ ...attackers, accessTokens: [attackerToken] });
  fake.registerPhoneNumber({ ...otherOfTheirs, accessTokens: [attackerToken] });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url });
  attacker = await insertTeamDirectly(server.database.db);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const connect = (team: Team, { phoneNumberId, wabaId, accessToken }: { phoneNumberId: string; wabaId: string; accessToken: string }) =>
  server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: { provider: "cloud", phoneNumber: "+15550790701", cloud: { phoneNumberId, wabaId, accessToken } },
  });

describe.each([
  { attempt: "another business's number and WABA, with the attacker's own valid token", cloud: { ...victim, accessToken: attackerToken } },
  {
    attempt: "another business's number under the attacker's own WABA",
    cloud: { phoneNumberId: victim.phoneNumberId, wabaId: attackers.wabaId, accessToken: attackerToken },
  },
  {
    attempt: "the attacker's number under another business's WABA",
    cloud: { phoneNumberId: attackers.phoneNumberId, wabaId: victim.wabaId, accessToken: attackerToken },
  },
  {
    attempt: "a number from one of the token's WABAs claimed under another of them",
    cloud: { phoneNumberId: attackers.phoneNumberId, wabaId: otherOfTheirs.wabaId, accessToken: attackerToken },
  },
  { attempt: "a token Meta never issued", cloud: { ...victim, accessToken: "EAAGm0PX4ZCpsBAmade-up-token-0123456789" } },
])("connecting a number with a token that cannot reach it: $attempt", ({ cloud }) => {
  it("is refused with 422 problem+json and stores nothing", async () => {
    const refused = await connect(attacker, cloud);
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 422, code: "unprocessable", detail: expect.stringMatching(/\S/) });
    expect(refused.text).not.toContain(cloud.accessToken);
    expect((await server.api("GET", "/whatsapp-accounts", { token: attacker.owner.token })).body.data).toEqual([]);
    expect((await server.api("GET", "/audit-log?action=whatsapp_account.connect", { token: attacker.owner.token })).body.data).toEqual([]);
  });
});

describe("the number's real owner", () => {
  it("connects it with a token that reaches the number in its WABA (nobody claimed its route first)", async () => {
    const owner = await insertTeamDirectly(server.database.db);
    const connected = await connect(owner, { ...victim, accessToken: victimToken });
    expect(connected.status).toBe(201);
    // It asked Meta about the number and the WABA with the token it was given.
    const asked = fake.requests.filter((request) => request.authorization === `Bearer ${victimToken}`).map((request) => request.path);
    expect(asked).toEqual(
      expect.arrayContaining([`/v25.0/${victim.phoneNumberId}`, `/v25.0/${victim.wabaId}/subscribed_apps`, `/v25.0/${victim.wabaId}/phone_numbers`]),
    );
  });
});
