import { startTestServer, type TestServer } from "../support/server";

// POST /sessions answered 429 after 10 wrong passwords, but POST /join-requests (with the
// attacker's own join code and the victim's email) and POST /invitations/:token/accept (an
// invitation the attacker sent to the victim's email from their own workspace) checked the same
// password with no limit at all: unlimited guesses, and a 202/201 on the right one.

const victimPassword = "the victim's real password";
const wrongGuess = (attempt: number) => `wrong guess number ${attempt}`;

async function signup(server: TestServer, email: string, password = "an attacker password") {
  const answer = await server.api("POST", "/signup", { body: { workspaceName: `Workspace of ${email}`, name: "Someone", email, password } });
  expect(answer.status).toBe(201);
  return answer.body as { token: string; workspace: { id: string; joinCode: string } };
}

const login = (server: TestServer, email: string, password: string) => server.api("POST", "/sessions", { body: { email, password } });
const guessViaJoinRequest = (server: TestServer, joinCode: string, email: string, password: string) =>
  server.api("POST", "/join-requests", { body: { joinCode, name: "Not the victim", email, password } });
async function invitationTo(server: TestServer, attacker: { token: string }, email: string): Promise<string> {
  const invitation = await server.api("POST", "/invitations", { token: attacker.token, body: { email, roleId: "agent" } });
  expect(invitation.status).toBe(201);
  return invitation.body.acceptToken;
}
const guessViaInvitation = (server: TestServer, acceptToken: string, password: string) =>
  server.api("POST", `/invitations/${acceptToken}/accept`, { body: { name: "Not the victim", password } });

function expectRateLimited(answer: { status: number; body: { code?: string }; headers: Headers }) {
  expect(answer.status).toBe(429);
  expect(answer.body.code).toBe("rate_limited");
  expect(answer.headers.get("content-type")).toContain("application/problem+json");
  expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
}

describe("an attacker guesses a victim's password around the login limit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("once /sessions is limited for the victim's email, a join request and an invitation accept answer 429 too, even with the right password", async () => {
    await signup(server, "victim-spent@example.test", victimPassword);
    const attacker = await signup(server, "attacker-spent@example.test");
    for (let attempt = 0; attempt < 10; attempt++) expect((await login(server, "victim-spent@example.test", wrongGuess(attempt))).status).toBe(401);
    expectRateLimited(await login(server, "victim-spent@example.test", victimPassword));

    expectRateLimited(await guessViaJoinRequest(server, attacker.workspace.joinCode, "victim-spent@example.test", victimPassword));
    expectRateLimited(await guessViaJoinRequest(server, attacker.workspace.joinCode, "victim-spent@example.test", "another wrong guess"));
    const acceptToken = await invitationTo(server, attacker, "victim-spent@example.test");
    expectRateLimited(await guessViaInvitation(server, acceptToken, victimPassword));
    expectRateLimited(await guessViaInvitation(server, acceptToken, "another wrong guess"));
    expect((await server.api("GET", "/join-requests", { token: attacker.token })).body.data).toEqual([]);
  });

  it("wrong guesses through join requests alone spend the victim's limit: the 11th guess and then the victim's login answer 429", async () => {
    await signup(server, "victim-join@example.test", victimPassword);
    const attacker = await signup(server, "attacker-join@example.test");
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await guessViaJoinRequest(server, attacker.workspace.joinCode, "victim-join@example.test", wrongGuess(attempt))).status).toBe(401);
    }
    expectRateLimited(await guessViaJoinRequest(server, attacker.workspace.joinCode, "victim-join@example.test", victimPassword));
    expectRateLimited(await login(server, "victim-join@example.test", victimPassword));
  });

  it("wrong guesses through an invitation accept alone spend the victim's limit too", async () => {
    await signup(server, "victim-invite@example.test", victimPassword);
    const attacker = await signup(server, "attacker-invite@example.test");
    const acceptToken = await invitationTo(server, attacker, "victim-invite@example.test");
    for (let attempt = 0; attempt < 10; attempt++) expect((await guessViaInvitation(server, acceptToken, wrongGuess(attempt))).status).toBe(401);
    expectRateLimited(await guessViaInvitation(server, acceptToken, victimPassword));
    expectRateLimited(await login(server, "victim-invite@example.test", victimPassword));
  });

  it("a successful login clears the account's failures, so the victim is not locked out by their own typos", async () => {
    await signup(server, "typo@example.test", victimPassword);
    for (let attempt = 0; attempt < 9; attempt++) expect((await login(server, "typo@example.test", wrongGuess(attempt))).status).toBe(401);
    expect((await login(server, "typo@example.test", victimPassword)).status).toBe(201);
    for (let attempt = 0; attempt < 9; attempt++) expect((await login(server, "typo@example.test", wrongGuess(attempt))).status).toBe(401);
    expect((await login(server, "typo@example.test", victimPassword)).status).toBe(201);
  });
});

describe("an attacker sprays guesses over many accounts from one address", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOGIN_LIMIT_PER_IP: "6" });
  });
  afterAll(() => server.close());

  it("failed checks on /sessions, join requests and invitation accepts share one per-address budget", async () => {
    const attacker = await signup(server, "sprayer@example.test");
    const victims = ["a", "b", "c", "d", "e", "f"].map((name) => `spray-${name}@example.test`);
    expect((await login(server, victims[0] as string, "Winter2026!")).status).toBe(401);
    expect((await login(server, victims[1] as string, "Winter2026!")).status).toBe(401);
    expect((await guessViaJoinRequest(server, attacker.workspace.joinCode, victims[2] as string, "Winter2026!")).status).toBe(202);
    const acceptToken = await invitationTo(server, attacker, victims[3] as string);
    expect((await guessViaInvitation(server, acceptToken, "Winter2026!")).status).toBe(201);
    // The signup above spent one point of this address as well: the budget of 6 is now gone.
    expect((await login(server, victims[4] as string, "Winter2026!")).status).toBe(401);
    expectRateLimited(await login(server, victims[5] as string, "Winter2026!"));
    expectRateLimited(await guessViaJoinRequest(server, attacker.workspace.joinCode, victims[5] as string, "Winter2026!"));
  });
});
