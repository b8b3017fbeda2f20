import { eq } from "drizzle-orm";
import { whatsappRoutes } from "../../server/db/schema";
import { publish } from "../../server/events/bus";
import { webhookRouteCache } from "../../server/whatsapp/route-cache";
import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { inboundTextWebhook } from "../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";

// Webhook routes (phone_number_id → workspace, account) are cached for a few seconds
// (server/whatsapp/route-cache.ts). Disconnecting an account must still stop its webhooks at
// once: a customer's message is never stored in the workspace of an account that is gone.
const appSecret = "the-servers-meta-app-secret";
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-route-cache";
const number = { wabaId: "602290129340477", phoneNumberId: "606540352240077", displayPhoneNumber: "+1 555-079-0677" };
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
    body: { provider: "cloud", phoneNumber: "+15550790677", cloud: { phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, accessToken } },
  });
const chatTexts = async (team: Team) =>
  ((await server.api("GET", "/chats", { token: team.owner.token })).body.data as { lastMessagePreview: string }[]).map((chat) => chat.lastMessagePreview);
const customerWrites = (text: string) =>
  fake.deliverWebhook(
    `${server.url}/api/v1/inbound/whatsapp`,
    appSecret,
    inboundTextWebhook({ phoneNumberId: number.phoneNumberId, from: { phone: "16505550077" }, body: text }),
  );

describe("a disconnected account's cached webhook route", () => {
  it("is forgotten when the account is disconnected: the next webhook is not stored in its workspace", async () => {
    const team = await insertTeamDirectly(server.database.db);
    const account = await connect(team);
    expect(account.status).toBe(201);
    expect(await customerWrites("Hello while connected")).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });
    expect(await chatTexts(team)).toEqual(["Hello while connected"]);

    expect((await server.api("DELETE", `/whatsapp-accounts/${account.body.account.id}`, { token: team.agent.token })).status).toBe(204);
    expect(await customerWrites("Hello after the disconnect")).toEqual({ status: 200, text: JSON.stringify({ received: 0 }) });
    expect(await chatTexts(team)).toEqual(["Hello while connected"]);
  });

  it("is forgotten on access.changed from the bus (another process disconnected the account)", async () => {
    const team = await insertTeamDirectly(server.database.db);
    const cache = webhookRouteCache(server.services);
    const [route] = await cache.routesFor(["606540352240099"]);
    expect(route).toBeUndefined();
    expect((await connect(team)).status).toBe(201);
    expect((await cache.routesFor([number.phoneNumberId])).map((known) => known.workspaceId)).toEqual([team.workspace.id]);
    // Another process's disconnect: the route row goes, and only the NOTIFY tells this process.
    await server.database.db.delete(whatsappRoutes).where(eq(whatsappRoutes.phoneNumberId, number.phoneNumberId));
    expect((await cache.routesFor([number.phoneNumberId])).map((known) => known.workspaceId)).toEqual([team.workspace.id]);
    await publish(server.database.db, { type: "access.changed", workspaceId: team.workspace.id });
    await vi.waitFor(async () => expect(await cache.routesFor([number.phoneNumberId])).toEqual([]));
  });
});
