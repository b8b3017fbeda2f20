import { testPassword } from "../support/factories";
import { type ApiResponse, startTestServer, type TestServer } from "../support/server";

// The login-session cookie opens new console tabs without a password. Whoever is not this browser's
// own console page — another site's form or script, a script reading cookies, someone holding a
// copied tab token, another member, another workspace's member — must get nothing from it.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const json = { "content-type": "application/json" };
const loginCookieOf = (response: ApiResponse) => response.headers.getSetCookie().find((cookie) => cookie.startsWith("switchboard_login="));
const cookiePair = (response: ApiResponse) => loginCookieOf(response)?.split(";")[0] ?? "";
const exchange = (cookie: string, headers: Record<string, string> = {}) =>
  server.api("POST", "/sessions/cookie-exchange", { body: {}, headers: { ...json, cookie, ...headers } });

let people = 0;
async function signUp(email = `victim${++people}@attack.test`) {
  const signup = await server.api("POST", "/signup", { body: { workspaceName: `Target ${people}`, name: "Vic Tim", email, password: testPassword } });
  expect(signup.status).toBe(201);
  return { email, signup, cookie: cookiePair(signup), workspaceId: signup.body.workspace.id as string, memberId: signup.body.member.id as string };
}

describe("another site's page", () => {
  it("cannot spend the cookie with a form post (no JSON content type, with or without a body)", async () => {
    const { cookie } = await signUp();
    expect((await exchange(cookie)).status).toBe(201);
    const withFields = await server.api("POST", "/sessions/cookie-exchange", {
      rawBody: "a=1",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    });
    const empty = await server.api("POST", "/sessions/cookie-exchange", { headers: { "content-type": "text/plain", cookie } });
    const noType = await server.api("POST", "/sessions/cookie-exchange", { headers: { cookie } });
    for (const refused of [withFields, empty, noType]) {
      expect(refused.status).toBe(415);
      expect(refused.text).not.toContain("sbt.");
    }
  });

  it("cannot spend it from another origin, even a sibling subdomain of the same site", async () => {
    const { cookie } = await signUp();
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "http://attacker.localhost:3000" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const headers of crossSite) {
      const refused = await exchange(cookie, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.body).toMatchObject({ code: "cross_site_request" });
      expect(refused.text).not.toContain("sbt.");
    }
    // The console's own page passes the same check.
    expect((await exchange(cookie, { origin: server.url, "sec-fetch-site": "same-origin" })).status).toBe(201);
  });
});

describe("a script or a copied credential", () => {
  it("cannot read the cookie: HttpOnly, SameSite=Strict, sent to the exchange route only", async () => {
    const { signup } = await signUp();
    expect(loginCookieOf(signup)).toMatch(/; Path=\/api\/v1\/sessions\/cookie-exchange; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  });

  it("cannot use the cookie's value as a bearer token, as it is or dressed as one", async () => {
    const { cookie } = await signUp();
    const value = decodeURIComponent(cookie.slice("switchboard_login=".length));
    for (const token of [value, value.replace(/^sbl\./, "sbt.")]) {
      const refused = await server.api("GET", "/me", { token });
      expect(refused.status, token.slice(0, 4)).toBe(401);
    }
  });

  it("cannot mint a cookie (or a tab token) with a stolen tab token", async () => {
    const { signup } = await signUp();
    const stolen = signup.body.token as string;
    const minted = await server.api("POST", "/sessions/cookie-exchange", { token: stolen, body: {}, headers: json });
    expect(minted.status).toBe(401);
    expect(minted.headers.getSetCookie()).toEqual([]);
    expect((await server.api("GET", "/me", { token: stolen })).headers.getSetCookie()).toEqual([]);
  });

  it("cannot use a cookie whose login session was logged out", async () => {
    const { email } = await signUp();
    const login = await server.api("POST", "/sessions", { body: { email, password: testPassword } });
    const kept = cookiePair(login);
    expect((await server.api("DELETE", "/sessions/current", { token: login.body.token })).status).toBe(204);
    const replayed = await exchange(kept);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toMatchObject({ code: "unauthenticated" });
  });
});

describe("another member or workspace", () => {
  it("gets a token for the cookie's own member only, whatever bearer token or body comes with it", async () => {
    const victim = await signUp();
    const attacker = await signUp();
    const asAttacker = await exchange(attacker.cookie, { authorization: `Bearer ${victim.signup.body.token}` });
    expect(asAttacker.status).toBe(201);
    expect(asAttacker.body.member.id).toBe(attacker.memberId);
    expect((await server.api("GET", "/me", { token: asAttacker.body.token })).body.workspace.id).toBe(attacker.workspaceId);
    const naming = await server.api("POST", "/sessions/cookie-exchange", {
      body: { workspaceId: victim.workspaceId },
      headers: { ...json, cookie: attacker.cookie },
    });
    expect(naming.status).toBe(400);
  });

  it("cannot point its cookie at another workspace", async () => {
    const victim = await signUp();
    const attacker = await signUp();
    const retargeted = attacker.cookie.replace(attacker.workspaceId, victim.workspaceId);
    expect(retargeted).toContain(victim.workspaceId);
    expect((await exchange(retargeted)).status).toBe(401);
  });

  it("a member of two workspaces: the cookie opens only the workspace that login proved", async () => {
    const first = await signUp("both@attack.test");
    const second = await server.api("POST", "/invitations", {
      token: (await signUp()).signup.body.token,
      body: { email: "both@attack.test", roleId: "agent" },
    });
    expect((await server.api("POST", `/invitations/${second.body.acceptToken}/accept`, { body: { name: "Both", password: testPassword } })).status).toBe(201);
    const intoFirst = await server.api("POST", "/sessions", { body: { email: "both@attack.test", password: testPassword, workspaceId: first.workspaceId } });
    const tab = await exchange(cookiePair(intoFirst));
    expect((await server.api("GET", "/me", { token: tab.body.token })).body.workspace.id).toBe(first.workspaceId);
  });
});
