import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { inboundTextWebhook } from "../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "./server";
import type { Team } from "./team";

/**
 * A server whose teams connect one Cloud API number (registered on the fake Graph API) through the
 * API, and a customer who writes on it with Meta's signed webhooks: the setting of the security
 * tests about a number's route. Registers its beforeAll/afterAll; read `server` inside tests.
 */
export function oneCloudNumberSuite(options: {
  accessToken: string;
  number: { wabaId: string; phoneNumberId: string; displayPhoneNumber: string };
  /** The number as typed when connecting it (E.164). */
  phoneNumber: string;
  /** The customer's number, as Meta sends it (digits). */
  customer: string;
}) {
  const appSecret = "the-servers-meta-app-secret";
  const { number } = options;
  let fake: FakeGraphApi | undefined;
  let started: TestServer | undefined;

  beforeAll(async () => {
    fake = await startFakeGraphApi({ accessToken: options.accessToken });
    fake.registerPhoneNumber(number);
    started = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: appSecret });
  });
  afterAll(async () => {
    await started?.close();
    await fake?.close();
  });

  const server = (): TestServer => {
    if (!started) throw new Error("The suite has not started");
    return started;
  };
  return {
    get server() {
      return server();
    },
    connect: (team: Team) =>
      server().api("POST", "/whatsapp-accounts", {
        token: team.agent.token,
        body: {
          provider: "cloud",
          phoneNumber: options.phoneNumber,
          cloud: { phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, accessToken: options.accessToken },
        },
      }),
    chatTexts: async (team: Team) =>
      ((await server().api("GET", "/chats", { token: team.owner.token })).body.data as { lastMessagePreview: string }[]).map((chat) => chat.lastMessagePreview),
    customerWrites: (text: string) => {
      if (!fake) throw new Error("The suite has not started");
      return fake.deliverWebhook(
        `${server().url}/api/v1/inbound/whatsapp`,
        appSecret,
        inboundTextWebhook({ phoneNumberId: number.phoneNumberId, from: { phone: options.customer }, body: text }),
      );
    },
  };
}
