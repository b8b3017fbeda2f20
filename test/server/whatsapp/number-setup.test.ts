import { count } from "drizzle-orm";
import { whatsappAccounts } from "../../../server/db/schema";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// What the console's WhatsApp numbers page asks before connecting: where Meta must send webhooks,
// and whether a token really controls a number (the connect's own checks, with nothing stored).
const accessToken = "EAAGm0PX4ZCpsBAsetup-access-token-0123456789";
const wabaId = "102290129340511";

let fake: FakeGraphApi;
let server: TestServer;
let team: Team;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_VERIFY_TOKEN: "setup-verify-token-42", PUBLIC_URL: "https://switchboard.example" });
  fake.registerPhoneNumber({ wabaId, phoneNumberId: "106540352299001", displayPhoneNumber: "+1 555-078-9001" });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe("GET /whatsapp-accounts/setup", () => {
  it("gives a member who may connect numbers the webhook URL and verify token to enter at Meta", async () => {
    const response = await server.api("GET", "/whatsapp-accounts/setup", { token: team.agent.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      webhookUrl: "https://switchboard.example/api/v1/inbound/whatsapp",
      verifyToken: "setup-verify-token-42",
      sandboxEnabled: true,
      sendRatePerSecond: 80,
    });
  });

  it("is refused to a Collaborator, naming whatsapp.connect", async () => {
    const response = await server.api("GET", "/whatsapp-accounts/setup", { token: team.collaborator.token });
    expect(response.status).toBe(403);
    expect(response.body.detail ?? response.body.title).toContain("whatsapp.connect");
  });
});

describe("POST /whatsapp-accounts/check", () => {
  const check = (token: string, body: Record<string, unknown>) => server.api("POST", "/whatsapp-accounts/check", { token, body });

  it("answers what Meta says of a number the token controls, and stores nothing", async () => {
    const before = await accountCount();
    const response = await check(team.admin.token, { phoneNumberId: "106540352299001", wabaId, accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ phoneNumberId: "106540352299001", displayPhoneNumber: "+1 555-078-9001", alreadyConnected: null });
    expect(await accountCount()).toBe(before);
    // It asked Meta with the token given, the same three questions a connect asks.
    const asked = fake.requests.filter((request) => request.authorization === `Bearer ${accessToken}`).map((request) => request.path);
    expect(asked).toEqual(expect.arrayContaining([expect.stringContaining("106540352299001"), expect.stringContaining(`${wabaId}/subscribed_apps`)]));
  });

  it("is a 422 naming the number when the token cannot reach it", async () => {
    fake.addAccessToken("EAAGm0PX4ZCpsBAa-token-of-another-business-01");
    const response = await check(team.admin.token, {
      phoneNumberId: "106540352299001",
      wabaId,
      accessToken: "EAAGm0PX4ZCpsBAa-token-of-another-business-01",
    });
    expect(response.status).toBe(422);
    expect(response.body.detail).toContain("106540352299001");
  });

  it("says when the number is already connected in this workspace", async () => {
    const connected = await server.api("POST", "/whatsapp-accounts", {
      token: team.admin.token,
      body: { provider: "cloud", phoneNumber: "+1 555 078 9001", cloud: { phoneNumberId: "106540352299001", wabaId, accessToken } },
    });
    expect(connected.status).toBe(201);
    try {
      const response = await check(team.admin.token, { phoneNumberId: "106540352299001", wabaId, accessToken });
      expect(response.status).toBe(200);
      expect(response.body.alreadyConnected).toBe("this_workspace");
    } finally {
      const removed = await server.api("DELETE", `/whatsapp-accounts/${connected.body.account.id}`, { token: team.admin.token });
      expect(removed.status).toBe(204);
    }
  });

  it("refuses unknown fields and a Collaborator", async () => {
    expect((await check(team.admin.token, { phoneNumberId: "106540352299001", wabaId, accessToken, extra: 1 })).status).toBe(400);
    expect((await check(team.collaborator.token, { phoneNumberId: "106540352299001", wabaId, accessToken })).status).toBe(403);
  });
});

async function accountCount() {
  const [row] = await server.database.db.select({ value: count() }).from(whatsappAccounts);
  return row?.value ?? 0;
}
