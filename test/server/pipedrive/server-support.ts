import { pipedriveAppShares, pipedriveCompanyRoutes } from "../../../server/db/schema";
import { type FakePipedrive, type FakeUser, startFakePipedrive } from "../../fakes/pipedrive";
import { failOnContractRefusals } from "../../support/pipedrive-contract";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

export const publicUrl = "https://switchboard.test";
export const panelSecret = "panel-jwt-secret-for-tests";
export const callbackUrl = `${publicUrl}/api/v1/integrations/pipedrive/callback`;

/** A fake Pipedrive and a Switchboard configured for it (the worker runs as in production); `env` adds configuration. */
export async function startPipedriveStack(env: Record<string, string> = {}): Promise<{ fake: FakePipedrive; server: TestServer }> {
  const fake = await startFakePipedrive({ redirectUri: callbackUrl });
  const server = await startTestServer({
    PUBLIC_URL: publicUrl,
    PIPEDRIVE_CLIENT_ID: fake.clientId,
    PIPEDRIVE_CLIENT_SECRET: fake.clientSecret,
    PIPEDRIVE_OAUTH_HOST: fake.url,
    PIPEDRIVE_JWT_SECRET: panelSecret,
    ...env,
  });
  // Pipedrive's back end reaches the Callback URL at the server itself (PUBLIC_URL isn't served here).
  fake.deliverNoticesTo(`${server.url}/api/v1/integrations/pipedrive/callback`);
  return { fake, server };
}

/**
 * The stack for one test file: a fake Pipedrive and the app, started once; before each test the
 * fake is reset, no company is linked, and a fresh team is built. `expose` receives the stack
 * (once started, and again with each new team), so a file keeps plain `fake`/`server`/`team` bindings.
 */
export function pipedriveSuite(expose: (stack: { fake: FakePipedrive; server: TestServer; team: Team }) => void) {
  let stack: { fake: FakePipedrive; server: TestServer } | undefined;
  beforeAll(async () => {
    stack = await startPipedriveStack();
  });
  failOnContractRefusals(() => stack?.fake);
  afterAll(async () => {
    await stack?.server.close();
    await stack?.fake.close();
  });
  beforeEach(async () => {
    if (!stack) throw new Error("pipedriveSuite: the stack did not start");
    stack.fake.reset();
    await stack.server.database.db.delete(pipedriveCompanyRoutes);
    await stack.server.database.db.delete(pipedriveAppShares);
    expose({ ...stack, team: await insertTeamDirectly(stack.server.database.db) });
  });
}

/** A stack whose workspace (a fresh team's) the Admin has connected: ready for panel sessions. */
export async function startConnectedPipedriveStack(): Promise<{ fake: FakePipedrive; server: TestServer }> {
  const stack = await startPipedriveStack();
  const team = await insertTeamDirectly(stack.server.database.db);
  await connect(stack.server, stack.fake, team.admin.token, "workspace");
  return stack;
}

/** Calls our callback as the browser would after Pipedrive's consent page, with that browser's cookie; answers the redirect. */
export async function callback(
  server: TestServer,
  query: Record<string, string>,
  cookie?: string,
): Promise<{ status: number; location: string; outcome: URLSearchParams; setCookie: string }> {
  const response = await fetch(`${server.url}/api/v1/integrations/pipedrive/callback?${new URLSearchParams(query)}`, {
    redirect: "manual",
    headers: cookie ? { cookie } : {},
  });
  await response.arrayBuffer();
  const location = response.headers.get("location") ?? "";
  return { status: response.status, location, outcome: new URLSearchParams(location.split("?")[1] ?? ""), setCookie: response.headers.get("set-cookie") ?? "" };
}

/**
 * Presses Connect and opens the link in a browser, which passes through Switchboard (tying the
 * flow to that browser's cookie) on its way to Pipedrive's consent page.
 */
export async function startConnect(server: TestServer, token: string, purpose: "workspace" | "individual") {
  const started = await server.api("POST", purpose === "workspace" ? "/integrations/pipedrive/connect" : "/me/integrations/pipedrive/connect", { token });
  if (started.status !== 200) throw new Error(`connect answered ${started.status}: ${started.text}`);
  const link = started.body.authorizeUrl as string;
  const opened = await openConnectLink(server, link);
  if (!opened.authorizeUrl) throw new Error(`the connect link answered ${opened.status}: ${opened.location}`);
  return { link, ...opened, authorizeUrl: opened.authorizeUrl };
}

/** Opens a connect link (served by Switchboard at PUBLIC_URL) in a fresh browser: where it sends the browser, and the cookie it sets. */
export async function openConnectLink(server: TestServer, link: string) {
  const url = new URL(link);
  const response = await fetch(`${server.url}${url.pathname}${url.search}`, { redirect: "manual" });
  await response.arrayBuffer();
  const location = response.headers.get("location") ?? "";
  const toPipedrive = location !== "" && !location.startsWith(publicUrl);
  return {
    status: response.status,
    location,
    authorizeUrl: toPipedrive ? location : null,
    state: toPipedrive ? (new URL(location).searchParams.get("state") ?? "") : "",
    cookie: (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "",
  };
}

/** Presses Connect, "allows" on Pipedrive as `user`, and follows the callback in the same browser. */
export async function connect(server: TestServer, fake: FakePipedrive, token: string, purpose: "workspace" | "individual", user?: FakeUser) {
  const started = await startConnect(server, token, purpose);
  const result = await callback(server, { code: fake.issueAuthorizationCode(user), state: started.state }, started.cookie);
  return { ...result, state: started.state, cookie: started.cookie, authorizeUrl: started.authorizeUrl };
}

/** Waits until `check` stops throwing (background worker effects). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export const otherUser = (overrides: Partial<FakeUser> = {}): FakeUser => ({
  id: 22222,
  company_id: 67890,
  name: "Grace Hopper",
  email: "grace@acme.test",
  company_domain: "acme",
  company_name: "Acme Ltd",
  is_admin: false,
  ...overrides,
});
