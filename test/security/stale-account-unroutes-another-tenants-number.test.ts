import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { inboundTextWebhook } from "../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";

// A number moves between workspaces: A connects it, disconnects, and B connects it later. A's
// stale account still names the number, and must not be able to take B's route away (or then
// re-claim the number and read B's customers' messages).
const appSecret = "the-servers-meta-app-secret";
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-stale-route";
const number = { wabaId: "602290129340398", phoneNumberId: "606540352240001", displayPhoneNumber: "+1 555-079-0601" };
let fake: FakeGraphApi;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  fake.registerPhoneNumber(number);
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: appSecret });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const connect = (team: Team) =>
  server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: { provider: "cloud", phoneNumber: "+15550790601", cloud: { phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, accessToken } },
  });
const chatTexts = async (team: Team) =>
  ((await server.api("GET", "/chats", { token: team.owner.token })).body.data as { lastMessagePreview: string }[]).map((chat) => chat.lastMessagePreview);
const customerWrites = (text: string) =>
  fake.deliverWebhook(
    `${server.url}/api/v1/inbound/whatsapp`,
    appSecret,
    inboundTextWebhook({ phoneNumberId: number.phoneNumberId, from: { phone: "16505551234" }, body: text }),
  );

describe("a stale account in one workspace unroutes a number another workspace connected later", () => {
  it("disconnecting the stale account again leaves the other workspace's route alone, and the number cannot be re-claimed", async () => {
    const formerOwner = await insertTeamDirectly(server.database.db);
    const currentOwner = await insertTeamDirectly(server.database.db);
    const stale = await connect(formerOwner);
    expect(stale.status).toBe(201);
    expect((await server.api("DELETE", `/whatsapp-accounts/${stale.body.account.id}`, { token: formerOwner.agent.token })).status).toBe(204);
    expect((await connect(currentOwner)).status).toBe(201);

    // The former owner "disconnects" its stale account once more.
    expect((await server.api("DELETE", `/whatsapp-accounts/${stale.body.account.id}`, { token: formerOwner.agent.token })).status).toBe(204);
    expect(await customerWrites("Still reaching the current owner?")).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });
    expect(await chatTexts(currentOwner)).toEqual(["Still reaching the current owner?"]);

    // Nor can the former owner take the number back while it is connected elsewhere.
    expect((await connect(formerOwner)).status).toBe(409);
    expect(await customerWrites("And now?")).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });
    expect(await chatTexts(formerOwner)).toEqual([]);
  });
});
