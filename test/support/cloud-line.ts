import type { FakeGraphApi } from "../fakes/graph-api";
import { startFakeGraphApi } from "../fakes/graph-api";
import { type BuiltMember, type BuiltWorkspace, insertMemberDirectly, insertWorkspaceDirectly } from "./factories";
import type { TestServer } from "./server";
import { startWebTestServer, webUiSuite } from "./web-server";

/**
 * A browser suite whose customers write on a Cloud API number: the app against the fake Graph
 * API, Meta's webhooks signed with the app secret. Each team connects a number of its own through
 * the API, as an Owner would.
 */
export function cloudLineSuite(options: {
  name: string;
  wabaId: string;
  phoneNumberIdBase: number;
  displayBase: number;
  afterStart?: (server: TestServer) => Promise<void>;
}) {
  const appSecret = `${options.name}-app-secret`;
  const accessToken = `EAAG-${options.name}-token-0123456789`;
  let graph: FakeGraphApi | undefined;
  let lineSequence = 0;

  const suite = webUiSuite(async (webRoot) => {
    const fake = await startFakeGraphApi({ accessToken });
    graph = fake;
    const server = await startWebTestServer(webRoot, { GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: appSecret });
    await options.afterStart?.(server);
    return {
      ...server,
      async close() {
        await server.close();
        await fake.close();
      },
    };
  });

  const started = (): FakeGraphApi => {
    if (!graph) throw new Error("The suite has not started");
    return graph;
  };

  return {
    suite,
    get graph(): FakeGraphApi {
      return started();
    },
    /** A workspace with an Owner and a Teammate, and a Cloud number the Owner connected. */
    async teamWithCloudLine(): Promise<{ workspace: BuiltWorkspace; owner: BuiltMember; teammate: BuiltMember; phoneNumberId: string }> {
      const db = suite.server.database.db;
      const workspace = await insertWorkspaceDirectly(db);
      const owner = await insertMemberDirectly(db, workspace, { roleId: "owner", name: "Olivia Owner" });
      const teammate = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Tom Teammate" });
      lineSequence++;
      const phoneNumberId = String(options.phoneNumberIdBase + lineSequence);
      const local = String(options.displayBase + lineSequence);
      started().registerPhoneNumber({ wabaId: options.wabaId, phoneNumberId, displayPhoneNumber: `+1 555-010-${local}` });
      const connected = await suite.server.api("POST", "/whatsapp-accounts", {
        token: owner.token,
        body: {
          provider: "cloud",
          phoneNumber: `+1 555 010 ${local}`,
          displayName: "Cloud line",
          cloud: { phoneNumberId, wabaId: options.wabaId, accessToken },
        },
      });
      expect(connected.status).toBe(201);
      return { workspace, owner, teammate, phoneNumberId };
    },
    /** Meta delivers a webhook (signed), answered 200. */
    async metaDelivers(payload: unknown): Promise<void> {
      const delivery = await started().deliverWebhook(`${suite.server.url}/api/v1/inbound/whatsapp`, appSecret, payload);
      expect(delivery.status).toBe(200);
    },
  };
}
