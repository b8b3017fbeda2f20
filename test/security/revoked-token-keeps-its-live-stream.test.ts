import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { startServices, stopServices } from "../../server/boot";
import { openDatabase } from "../../server/db/client";
import { authTokens } from "../../server/db/schema";
import { createApp } from "../../server/http/app";
import { signPanelToken } from "../../server/pipedrive/panel-token";
import { type FakePipedrive, startFakePipedrive } from "../fakes/pipedrive";
import { callbackUrl, connect, panelSecret, publicUrl } from "../server/pipedrive/server-support";
import { type ApiClient, apiClient, startTestServer, type TestServer, testConfig } from "../support/server";
import { eventually, openEventStream } from "../support/sse";

// An open GET /events stream is a standing read of the inbox. Revoking or expiring the token it
// was opened with must end it: otherwise a stolen token outlives logout, deletion and rotation.
const password = "correct horse battery";

type Stream = Awaited<ReturnType<typeof openEventStream>>;

/** A signed-up workspace with a sandbox number, as a new customer starts. */
async function startWorkspace(api: ApiClient, label: string) {
  const email = `owner-${label}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const signup = await api("POST", "/signup", { body: { workspaceName: `Streams ${label}`, name: "Olga Owner", email, password } });
  expect(signup.status).toBe(201);
  const ownerToken = signup.body.token as string;
  const account = await api("POST", "/whatsapp-accounts", { token: ownerToken, body: { provider: "sandbox", phoneNumber: "+15550107000" } });
  expect(account.status).toBe(201);
  const accountId = account.body.account.id as string;
  return {
    email,
    workspaceId: signup.body.workspace.id as string,
    ownerToken,
    /** A customer writes to the number. */
    customerWrites: async (text: string) =>
      expect((await api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token: ownerToken, body: { from: "+15550199999", text } })).status).toBe(
        201,
      ),
  };
}

const texts = (stream: Stream) => stream.events.filter((event) => event.type === "message.created").map((event) => event.data.message?.text);

describe("a revoked or expired token keeps its open live stream", () => {
  let fake: FakePipedrive;
  let server: TestServer;
  let workspace: Awaited<ReturnType<typeof startWorkspace>>;
  let control: Stream;
  const openStreams: Stream[] = [];
  const open = async (token: string) => {
    const stream = await openEventStream(`${server.url}/api/v1/events`, token);
    expect(stream.status).toBe(200);
    openStreams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    fake = await startFakePipedrive({ redirectUri: callbackUrl });
    server = await startTestServer({
      PUBLIC_URL: publicUrl,
      PIPEDRIVE_CLIENT_ID: fake.clientId,
      PIPEDRIVE_CLIENT_SECRET: fake.clientSecret,
      PIPEDRIVE_OAUTH_HOST: fake.url,
      PIPEDRIVE_JWT_SECRET: panelSecret,
      PIPEDRIVE_PANEL_SESSION_SECONDS: "2",
    });
    workspace = await startWorkspace(server.api, "revoke");
    control = await open(workspace.ownerToken);
  });
  afterAll(async () => {
    for (const stream of openStreams) await stream.close();
    await server?.close();
    await fake?.close();
  });

  /** The stream heard `before`, ended within a second of the revocation, and heard nothing after it. */
  async function expectEndedAtOnce(stream: Stream, revoke: () => Promise<void>, label: string) {
    await workspace.customerWrites(`before ${label}`);
    await eventually(() => expect(texts(stream)).toContain(`before ${label}`));
    await revoke();
    await eventually(() => expect(stream.ended).toBe(true), 1000);
    await workspace.customerWrites(`after ${label}`);
    await eventually(() => expect(texts(control)).toContain(`after ${label}`));
    expect(texts(stream)).not.toContain(`after ${label}`);
  }

  it("logging out ends the logged-out session's stream at once", async () => {
    const login = await server.api("POST", "/sessions", { body: { email: workspace.email, password } });
    expect(login.status).toBe(201);
    const stream = await open(login.body.token);
    await expectEndedAtOnce(
      stream,
      async () => expect((await server.api("DELETE", "/sessions/current", { token: login.body.token })).status).toBe(204),
      "logout",
    );
  });

  it("deleting a personal API token ends its stream at once", async () => {
    const created = await server.api("POST", "/api-tokens", { token: workspace.ownerToken, body: { name: "Reporting script" } });
    expect(created.status).toBe(201);
    const stream = await open(created.body.token);
    await expectEndedAtOnce(
      stream,
      async () => expect((await server.api("DELETE", `/api-tokens/${created.body.id}`, { token: workspace.ownerToken })).status).toBe(204),
      "token deletion",
    );
  });

  it("rotating the workspace API key ends the previous key's stream at once", async () => {
    const first = await server.api("POST", "/integrations/api-key", { token: workspace.ownerToken });
    expect(first.status).toBe(201);
    const stream = await open(first.body.key);
    await expectEndedAtOnce(
      stream,
      async () => expect((await server.api("POST", "/integrations/api-key", { token: workspace.ownerToken })).status).toBe(201),
      "key rotation",
    );
  });

  it("a revocation made through another server process ends the stream here too", async () => {
    // A second app over the same database with its own listener, as a second server process has.
    const secondHandle = server.database.databaseUrl ? await openDatabase({ databaseUrl: server.database.databaseUrl, poolSize: 2 }) : server.database;
    const secondServices = await startServices(testConfig(), secondHandle);
    const secondServer = createApp(secondServices).listen(0, "127.0.0.1");
    try {
      await new Promise((resolve) => secondServer.once("listening", resolve));
      const secondApi = apiClient(`http://127.0.0.1:${(secondServer.address() as AddressInfo).port}/api/v1`);
      const created = await server.api("POST", "/api-tokens", { token: workspace.ownerToken, body: { name: "Used on two servers" } });
      const stream = await open(created.body.token);
      await expectEndedAtOnce(
        stream,
        async () => expect((await secondApi("DELETE", `/api-tokens/${created.body.id}`, { token: workspace.ownerToken })).status).toBe(204),
        "revocation elsewhere",
      );
    } finally {
      secondServer.closeAllConnections();
      await new Promise((resolve) => secondServer.close(resolve));
      await stopServices(secondServices);
      if (secondHandle !== server.database) await secondHandle.close();
    }
  });

  it("a Pipedrive panel session's stream ends when the session expires", async () => {
    expect((await connect(server, fake, workspace.ownerToken, "workspace")).outcome.get("pipedrive")).toBe("connected");
    const session = await server.api("POST", "/panel/pipedrive/session", {
      body: { token: await signPanelToken(panelSecret, { userId: 12345, companyId: 67890 }) },
    });
    expect(session.status).toBe(201);
    const expiresAt = new Date(session.body.expiresAt).getTime();
    const stream = await open(session.body.token);
    await workspace.customerWrites("while the panel session lives");
    await eventually(() => expect(texts(stream)).toContain("while the panel session lives"));
    expect(stream.ended).toBe(false);
    await eventually(() => expect(stream.ended).toBe(true), expiresAt - Date.now() + 1000);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 100);
    await workspace.customerWrites("after the panel session expired");
    await eventually(() => expect(texts(control)).toContain("after the panel session expired"));
    expect(texts(stream)).not.toContain("after the panel session expired");
  });
});

describe("a revocation whose notification never reached this process", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ LIVE_UPDATES_RECHECK_MS: "300" });
  });
  afterAll(() => server?.close());

  it("still ends the stream at the next re-check of its token", async () => {
    const workspace = await startWorkspace(server.api, "recheck");
    const created = await server.api("POST", "/api-tokens", { token: workspace.ownerToken, body: { name: "Lost revocation" } });
    const stream = await openEventStream(`${server.url}/api/v1/events`, created.body.token);
    await workspace.customerWrites("before the silent revocation");
    await eventually(() => expect(texts(stream)).toContain("before the silent revocation"));
    // As if another process revoked it while this one's LISTEN connection was down: no event arrives.
    await server.database.db.delete(authTokens).where(and(eq(authTokens.workspaceId, workspace.workspaceId), eq(authTokens.id, created.body.id)));
    await eventually(() => expect(stream.ended).toBe(true), 1500);
    await stream.close();
  });
});
