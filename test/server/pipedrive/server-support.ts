import { type FakePipedrive, type FakeUser, startFakePipedrive } from "../../fakes/pipedrive";
import { startTestServer, type TestServer } from "../../support/server";

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
  return { fake, server };
}

/** Calls our callback as the browser would after Pipedrive's consent page; answers the redirect. */
export async function callback(server: TestServer, query: Record<string, string>): Promise<{ status: number; location: string; outcome: URLSearchParams }> {
  const response = await fetch(`${server.url}/api/v1/integrations/pipedrive/callback?${new URLSearchParams(query)}`, { redirect: "manual" });
  await response.arrayBuffer();
  const location = response.headers.get("location") ?? "";
  return { status: response.status, location, outcome: new URLSearchParams(location.split("?")[1] ?? "") };
}

/** Presses Connect, "allows" on Pipedrive as `user`, and follows the callback. */
export async function connect(server: TestServer, fake: FakePipedrive, token: string, purpose: "workspace" | "individual", user?: FakeUser) {
  const started = await server.api("POST", purpose === "workspace" ? "/integrations/pipedrive/connect" : "/me/integrations/pipedrive/connect", { token });
  if (started.status !== 200) throw new Error(`connect answered ${started.status}: ${started.text}`);
  const state = new URL(started.body.authorizeUrl).searchParams.get("state") as string;
  const result = await callback(server, { code: fake.issueAuthorizationCode(user), state });
  return { ...result, state, authorizeUrl: started.body.authorizeUrl as string };
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
