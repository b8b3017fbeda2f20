import { and, eq } from "drizzle-orm";
import { authTokens } from "../../../server/db/schema";
import { loginCookieHeader } from "../../../server/identity/login-sessions";
import { sha256 } from "../../../server/ids";
import { testPassword } from "../../support/factories";
import { type ApiResponse, startTestServer, type TestServer } from "../../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const json = { "content-type": "application/json" };
const loginCookieOf = (response: ApiResponse) => response.headers.getSetCookie().find((cookie) => cookie.startsWith("switchboard_login="));
/** The `name=value` a browser sends back for the Set-Cookie of `response`. */
const cookiePair = (response: ApiResponse) => loginCookieOf(response)?.split(";")[0] ?? "";
const exchange = (cookie: string) => server.api("POST", "/sessions/cookie-exchange", { body: {}, headers: { ...json, cookie } });

let emails = 0;
async function signUp() {
  const email = `tabs${++emails}@cookies.test`;
  const signup = await server.api("POST", "/signup", { body: { workspaceName: "Cookie Co", name: "Ada Tabs", email, password: testPassword } });
  expect(signup.status).toBe(201);
  return { email, workspaceId: signup.body.workspace.id as string, memberId: signup.body.member.id as string, signup };
}
const logIn = (email: string, workspaceId?: string) => server.api("POST", "/sessions", { body: { email, password: testPassword, workspaceId } });

describe("the login-session cookie", () => {
  it("is set at login: HttpOnly, SameSite=Strict, only for the exchange route, for the session's 30 days", async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    expect(login.status).toBe(201);
    expect(login.headers.get("cache-control")).toBe("no-store");
    const [pair, ...attributes] = (loginCookieOf(login) ?? "").split("; ");
    expect(pair).toMatch(/^switchboard_login=sbl\./);
    expect(attributes).toEqual(["Path=/api/v1/sessions/cookie-exchange", "Max-Age=2592000", "HttpOnly", "SameSite=Strict"]);
    expect(pair).not.toContain(login.body.token.split(".")[2]);
  });

  it("is set at signup and when an invitation is accepted, and each exchanges for its member", async () => {
    const owner = await signUp();
    expect((await exchange(cookiePair(owner.signup))).body.member.id).toBe(owner.memberId);
    const invitation = await server.api("POST", "/invitations", {
      token: owner.signup.body.token,
      body: { email: "invited@cookies.test", roleId: "agent" },
    });
    const accepted = await server.api("POST", `/invitations/${invitation.body.acceptToken}/accept`, { body: { name: "Ivy Invited", password: testPassword } });
    expect(accepted.status).toBe(201);
    const tab = await exchange(cookiePair(accepted));
    expect(tab.body.member).toMatchObject({ id: accepted.body.member.id, email: "invited@cookies.test", roleId: "agent" });
  });

  it("carries Secure when PUBLIC_URL is https", () => {
    expect(loginCookieHeader({ publicUrl: "https://switchboard.example" }, "sbl.ws.secret")).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    expect(loginCookieHeader({ publicUrl: "http://localhost:3000" }, "sbl.ws.secret")).not.toContain("Secure");
  });

  it("is stored only as its secret's SHA-256, as a login session that is no bearer token", async () => {
    const { email, workspaceId } = await signUp();
    const cookie = cookiePair(await logIn(email));
    const secret = cookie.split(".")[2] ?? "";
    const [row] = await server.database.db
      .select({ kind: authTokens.kind, tokenHash: authTokens.tokenHash })
      .from(authTokens)
      .where(and(eq(authTokens.workspaceId, workspaceId), eq(authTokens.tokenHash, sha256(secret))));
    expect(row).toEqual({ kind: "login_session", tokenHash: sha256(secret) });
  });
});

describe("POST /sessions/cookie-exchange", () => {
  it("answers a new tab a token of its own for the cookie's member, without setting any cookie", async () => {
    const { email, memberId, workspaceId } = await signUp();
    const login = await logIn(email);
    const tab = await exchange(cookiePair(login));
    expect(tab.status).toBe(201);
    expect(tab.headers.get("cache-control")).toBe("no-store");
    expect(tab.headers.getSetCookie()).toEqual([]);
    expect(tab.body).toEqual({ token: expect.stringMatching(/^sbt\./), member: expect.objectContaining({ id: memberId, email }) });
    expect(tab.body.token).not.toBe(login.body.token);
    const me = await server.api("GET", "/me", { token: tab.body.token });
    expect(me.status).toBe(200);
    expect(me.body.workspace.id).toBe(workspaceId);
  });

  it("answers 401 problem+json to a browser without the cookie", async () => {
    const refused = await server.api("POST", "/sessions/cookie-exchange", { body: {} });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.body).toMatchObject({ code: "unauthenticated", detail: "This browser has no login session; log in." });
  });

  it("logging out in one tab ends the login session: every tab of that browser, and its cookie", async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    const elsewhere = await logIn(email);
    const cookie = cookiePair(login);
    const otherTab = (await exchange(cookie)).body.token;
    const logout = await server.api("DELETE", "/sessions/current", { token: login.body.token });
    expect(logout.status).toBe(204);
    expect(loginCookieOf(logout)).toBe("switchboard_login=; Path=/api/v1/sessions/cookie-exchange; Max-Age=0; HttpOnly; SameSite=Strict");
    expect((await server.api("GET", "/me", { token: login.body.token })).status).toBe(401);
    expect((await server.api("GET", "/me", { token: otherTab })).status).toBe(401);
    const stale = await exchange(cookie);
    expect(stale.status).toBe(401);
    expect(loginCookieOf(stale)).toContain("Max-Age=0");
    // Another browser's login is another login session.
    expect((await server.api("GET", "/me", { token: elsewhere.body.token })).status).toBe(200);
    expect((await exchange(cookiePair(elsewhere))).status).toBe(201);
  });

  it("a tab opened from the cookie logs the whole browser out too", async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    const openedTab = (await exchange(cookiePair(login))).body.token;
    expect((await server.api("DELETE", "/sessions/current", { token: openedTab })).status).toBe(204);
    expect((await server.api("GET", "/me", { token: login.body.token })).status).toBe(401);
    expect((await exchange(cookiePair(login))).status).toBe(401);
  });

  it("a password change ends the other browsers' login sessions and keeps this browser's tabs", async () => {
    const { email } = await signUp();
    const here = await logIn(email);
    const hereOtherTab = (await exchange(cookiePair(here))).body.token;
    const there = await logIn(email);
    const changed = await server.api("PUT", "/me/password", {
      token: here.body.token,
      body: { currentPassword: testPassword, newPassword: "a new long password" },
    });
    expect(changed.status).toBe(204);
    expect((await exchange(cookiePair(there))).status).toBe(401);
    expect((await server.api("GET", "/me", { token: there.body.token })).status).toBe(401);
    expect((await server.api("GET", "/me", { token: hereOtherTab })).status).toBe(200);
    expect((await exchange(cookiePair(here))).status).toBe(201);
  });

  it("a suspended or removed member's cookie no longer exchanges", async () => {
    const owner = await signUp();
    const invite = async (email: string) => {
      const invitation = await server.api("POST", "/invitations", { token: owner.signup.body.token, body: { email, roleId: "agent" } });
      return server.api("POST", `/invitations/${invitation.body.acceptToken}/accept`, { body: { name: "Tab Person", password: testPassword } });
    };
    const suspended = await invite("suspended@cookies.test");
    const removed = await invite("removed@cookies.test");
    expect([(await exchange(cookiePair(suspended))).status, (await exchange(cookiePair(removed))).status]).toEqual([201, 201]);
    expect((await server.api("POST", `/members/${suspended.body.member.id}/suspend`, { token: owner.signup.body.token })).status).toBe(200);
    expect((await server.api("DELETE", `/members/${removed.body.member.id}`, { token: owner.signup.body.token })).status).toBe(204);
    expect((await exchange(cookiePair(suspended))).status).toBe(401);
    expect((await exchange(cookiePair(removed))).status).toBe(401);
  });
});

describe("the exchange's rate limit", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ LOGIN_LIMIT_PER_IP: "3" });
  });
  afterAll(() => limited.close());

  it("counts refused cookies against the address like wrong passwords; a good cookie gives its point back", async () => {
    const signup = await limited.api("POST", "/signup", {
      body: { workspaceName: "Limited", name: "Lim", email: "lim@cookies.test", password: testPassword },
    });
    const good = cookiePair(signup);
    const send = (cookie: string) => limited.api("POST", "/sessions/cookie-exchange", { body: {}, headers: { ...json, cookie } });
    for (let round = 0; round < 4; round += 1) expect((await send(good)).status).toBe(201);
    const forged = `switchboard_login=sbl.${signup.body.workspace.id}.guessed-secret`;
    // The signup spent one of the address's 3 points; two refused cookies spend the rest.
    expect((await send(forged)).status).toBe(401);
    expect((await send(forged)).status).toBe(401);
    const refused = await send(forged);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe("rate_limited");
    expect((await send(good)).status).toBe(429);
  });
});
