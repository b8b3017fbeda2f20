import { startTestServer, type TestServer } from "../support/server";

// A join request filed for an email nobody had registered yet stayed pending; once the real owner
// of that email signed up, the attacker accepted the old request and the victim became a member
// of the attacker's workspace, which their next login (without a workspace id) then opened.

async function signup(server: TestServer, email: string, password: string) {
  const answer = await server.api("POST", "/signup", { body: { workspaceName: `Workspace of ${email}`, name: "Someone", email, password } });
  expect(answer.status).toBe(201);
  return answer.body as { token: string; workspace: { id: string; joinCode: string } };
}

describe("a join request filed before the victim signed up puts the victim into the attacker's workspace", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("accepting the stale request is refused, the victim is not added, and their login lands in their own workspace", async () => {
    const attacker = await signup(server, "attacker@example.test", "the attacker's password");
    const filed = await server.api("POST", "/join-requests", {
      body: { joinCode: attacker.workspace.joinCode, name: "Victim", email: "victim@example.test", password: "the attacker's choice" },
    });
    expect(filed.status).toBe(202);
    const victim = await signup(server, "victim@example.test", "the victim's own password");

    const accepted = await server.api("POST", `/join-requests/${filed.body.id}/accept`, { token: attacker.token, body: { roleId: "agent" } });
    expect(accepted.status).toBe(409);
    expect(accepted.body.code).toBe("conflict");
    const members = await server.api("GET", "/members", { token: attacker.token });
    expect(members.body.data.map((member: { email: string }) => member.email)).toEqual(["attacker@example.test"]);

    const login = await server.api("POST", "/sessions", { body: { email: "victim@example.test", password: "the victim's own password" } });
    expect(login.status).toBe(201);
    expect((await server.api("GET", "/me", { token: login.body.token })).body.workspace.id).toBe(victim.workspace.id);
    const intoAttackers = await server.api("POST", "/sessions", {
      body: { email: "victim@example.test", password: "the victim's own password", workspaceId: attacker.workspace.id },
    });
    expect(intoAttackers.status).toBe(401);
  });

  it("a request filed by an existing account with its password is still accepted, for that account", async () => {
    const owner = await signup(server, "owner-2@example.test", "the owner's password");
    await signup(server, "joiner-2@example.test", "the joiner's password");
    const filed = await server.api("POST", "/join-requests", {
      body: { joinCode: owner.workspace.joinCode, name: "Joiner", email: "joiner-2@example.test", password: "the joiner's password" },
    });
    expect(filed.status).toBe(202);
    const accepted = await server.api("POST", `/join-requests/${filed.body.id}/accept`, { token: owner.token, body: { roleId: "agent" } });
    expect(accepted.status).toBe(201);
    expect(accepted.body.member).toMatchObject({ email: "joiner-2@example.test", roleId: "agent" });
  });
});
