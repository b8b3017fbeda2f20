import { parseHash } from "../../../extension/console/routing/hash-route";
import { startTestServer, type TestServer } from "../../support/server";

// A team begins the way its people do, through the HTTP routes the console calls and nothing
// written into storage: the Owner signs up, invites an Agent and sends the link the console shows;
// the Agent opens it, accepts, logs out and logs back in with the password they chose.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** The link the console's Invitations panel shows to send (extension/console/team/InvitationsPanel.tsx acceptLinkFor). */
const acceptLinkFor = (acceptToken: string) => `${server.url}/#/accept/${encodeURIComponent(acceptToken)}`;

describe("signup → invite by link → accept → login", () => {
  it("the invited Agent ends up logged in to the Owner's workspace with the Agent role, and the invitation is spent", async () => {
    const signup = await server.api("POST", "/signup", {
      body: { workspaceName: "Acme Support", name: "Olive Owner", email: "olive@journey.test", password: "olive's long password" },
    });
    expect(signup.status).toBe(201);
    expect(signup.body.member).toMatchObject({ name: "Olive Owner", roleId: "owner", status: "active" });
    const owner = signup.body.token as string;
    const workspaceId = signup.body.workspace.id as string;

    const invitation = await server.api("POST", "/invitations", { token: owner, body: { email: "arthur@journey.test", roleId: "agent" } });
    expect(invitation.status).toBe(201);
    expect((await server.api("GET", "/invitations", { token: owner })).body.data).toEqual([
      expect.objectContaining({ id: invitation.body.id, email: "arthur@journey.test", roleId: "agent" }),
    ]);

    // The Agent opens the link: the console reads the page and the token from the hash.
    const route = parseHash(new URL(acceptLinkFor(invitation.body.acceptToken)).hash);
    if (route.page !== "accept") throw new Error(`the link opens ${route.page}, not the accept page`);
    const accepted = await server.api("POST", `/invitations/${encodeURIComponent(route.acceptToken)}/accept`, {
      body: { name: "Arthur Agent", password: "arthur's long password" },
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body.member).toEqual({ id: expect.any(String), name: "Arthur Agent", email: "arthur@journey.test", roleId: "agent", status: "active" });

    // Logging out ends that session; logging in with the chosen password starts another.
    expect((await server.api("DELETE", "/sessions/current", { token: accepted.body.token })).status).toBe(204);
    expect((await server.api("GET", "/me", { token: accepted.body.token })).status).toBe(401);
    const wrong = await server.api("POST", "/sessions", { body: { email: "arthur@journey.test", password: "not arthur's password" } });
    expect(wrong.status).toBe(401);
    const login = await server.api("POST", "/sessions", { body: { email: "arthur@journey.test", password: "arthur's long password" } });
    expect(login.status).toBe(201);
    const me = await server.api("GET", "/me", { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      member: { id: accepted.body.member.id, name: "Arthur Agent", roleId: "agent" },
      role: { id: "agent" },
      workspace: { id: workspaceId, name: "Acme Support" },
    });

    // The Owner sees the Agent on the team and nothing pending; the link doesn't work twice.
    const members = await server.api("GET", "/members", { token: owner });
    expect(members.body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: accepted.body.member.id, name: "Arthur Agent", roleId: "agent", status: "active" })]),
    );
    expect((await server.api("GET", "/invitations", { token: owner })).body.data).toEqual([]);
    const again = await server.api("POST", `/invitations/${encodeURIComponent(route.acceptToken)}/accept`, {
      body: { name: "Someone Else", password: "another long password" },
    });
    expect(again.status).toBe(404);
  });
});
