import type { FakePerson, FakePipedrive } from "../../fakes/pipedrive";
import { insertAccountDirectly } from "../../support/factories";
import type { TestServer } from "../../support/server";
import type { Team } from "../../support/team";
import { connect, eventually, otherUser, pipedriveSuite } from "./server-support";

// Pipedrive installs per user (pipedrive.md §1.2a, §1.3): each user's uninstall notice removes
// that user's installation only; the workspace connection needs reconnecting only when the
// installation serving it goes. Every journey goes through OAuth against the fake.

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

const admin = { id: 12345, company_id: 67890 };
const grace = otherUser();
const integrations = () => server.api("GET", "/integrations", { token: team.admin.token });
const mine = (token: string) => server.api("GET", "/me/integrations", { token });
/** The Admin connects the workspace as Pipedrive user 12345; the Agent connects their own user 22222. */
async function adminAndAgentConnected() {
  expect((await connect(server, fake, team.admin.token, "workspace")).outcome.get("pipedrive")).toBe("connected");
  expect((await connect(server, fake, team.agent.token, "individual", grace)).outcome.get("pipedrive")).toBe("connected");
}

describe("Pipedrive's uninstall notice is per user", () => {
  it("an Agent's uninstall removes only the Agent's installation: the Admin and the workspace keep working", async () => {
    await adminAndAgentConnected();

    expect((await fake.uninstall(grace.company_id, grace.id)).status).toBe(200);

    expect((await mine(team.agent.token)).body.pipedrive).toMatchObject({ status: "not_connected", workspace: { status: "connected" } });
    expect((await integrations()).body.pipedrive).toMatchObject({ status: "connected", companyId: 67890, servedBy: admin.id });
    const users = await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token });
    expect(users.status).toBe(200);
    const log = await server.api("GET", "/audit-log?action=pipedrive.uninstall", { token: team.owner.token });
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({ details: { pipedriveUserId: grace.id, memberId: team.agent.id, servedWorkspace: false } });
  });

  it("the serving user's uninstall: the workspace connection shows reconnect required and who can fix it; a member's own installation keeps working", async () => {
    const account = await insertAccountDirectly(server.database.db, team.workspace, team.admin.id);
    const person: FakePerson = fake.addPerson({ name: "Carla Customer", phones: [{ value: "+1 555 010 0001", label: "mobile", primary: true }] });
    await connect(server, fake, team.admin.token, "workspace");
    await connect(server, fake, team.teammate.token, "individual", grace);

    expect((await fake.uninstall(admin.company_id, admin.id)).status).toBe(200);

    const workspace = (await integrations()).body.pipedrive;
    expect(workspace).toMatchObject({
      status: "reconnect_required",
      reconnectReason: "uninstalled",
      reconnectHint: expect.stringContaining("/#/integrations"),
    });
    expect(workspace.reconnectBy).toEqual(
      expect.arrayContaining([
        { memberId: team.owner.id, name: expect.any(String) },
        { memberId: team.admin.id, name: expect.any(String) },
      ]),
    );
    expect(workspace.reconnectBy.map((fixer: { memberId: string }) => fixer.memberId)).not.toContain(team.teammate.id);
    expect((await mine(team.teammate.token)).body.pipedrive).toMatchObject({
      status: "connected",
      pipedriveUserId: grace.id,
      workspace: { status: "reconnect_required", reconnectBy: workspace.reconnectBy },
    });
    expect((await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token })).status).toBe(409);

    // The Teammate's chat is still logged, through the Teammate's own installation.
    const inbound = await server.api("POST", `/whatsapp-accounts/${account.id}/sandbox/inbound`, {
      token: team.admin.token,
      body: { from: "+15550100001", name: "Carla", text: "Still there?" },
    });
    expect(inbound.status).toBe(201);
    const chatId = inbound.body.chatId as string;
    await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.admin.token, body: { memberId: team.teammate.id } });
    expect((await server.api("POST", `/chats/${chatId}/messages`, { token: team.teammate.token, body: { text: "Yes, Grace here" } })).status).toBe(201);
    await eventually(() => expect(fake.notes.some((note) => note.content.includes("Yes, Grace here"))).toBe(true));
    expect(fake.notes.find((note) => note.content.includes("Yes, Grace here"))).toMatchObject({ user_id: grace.id, person_id: person.id });

    // An Admin reconnects: the workspace works again.
    await connect(server, fake, team.admin.token, "workspace");
    expect((await integrations()).body.pipedrive).toMatchObject({ status: "connected", servedBy: admin.id });
  });
});

describe("disconnecting from Switchboard revokes at Pipedrive", () => {
  const revokes = () => fake.requests.filter((request) => request.path === "/oauth/revoke");

  it("a member's disconnect revokes their refresh token (Basic auth, form body), then removes their installation only", async () => {
    await adminAndAgentConnected();
    fake.requests.length = 0;

    expect((await server.api("DELETE", "/me/integrations/pipedrive", { token: team.agent.token })).status).toBe(204);

    expect(revokes()).toEqual([
      expect.objectContaining({
        method: "POST",
        authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString("base64")}`,
        contentType: expect.stringContaining("application/x-www-form-urlencoded"),
        body: { token: expect.stringMatching(/^67890:22222:/), token_type_hint: "refresh_token" },
      }),
    ]);
    expect(fake.isInstalled(67890, grace.id)).toBe(false);
    expect(fake.isInstalled(67890, admin.id)).toBe(true);
    expect((await mine(team.agent.token)).body.pipedrive.status).toBe("not_connected");
    expect((await integrations()).body.pipedrive.status).toBe("connected");
  });

  it("the workspace disconnect revokes every installation it removes", async () => {
    await adminAndAgentConnected();
    fake.requests.length = 0;

    expect((await server.api("DELETE", "/integrations/pipedrive", { token: team.admin.token })).status).toBe(204);

    expect(revokes()).toHaveLength(2);
    expect(fake.isInstalled(67890, admin.id)).toBe(false);
    expect(fake.isInstalled(67890, grace.id)).toBe(false);
    expect((await integrations()).body.pipedrive.status).toBe("not_connected");
    expect((await mine(team.agent.token)).body.pipedrive.status).toBe("not_connected");
  });

  it("a revoke that fails (503) is logged, and the installation is removed anyway", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    fake.failNextRevoke(503);

    expect((await server.api("DELETE", "/integrations/pipedrive", { token: team.admin.token })).status).toBe(204);

    expect((await integrations()).body.pipedrive.status).toBe("not_connected");
    const log = await server.api("GET", "/audit-log?action=pipedrive.disconnect", { token: team.owner.token });
    expect(log.body.data[0]).toMatchObject({ details: { revokes: [{ pipedriveUserId: admin.id, revoked: false }] } });
  });
});

describe("Pipedrive's app-sharing notice", () => {
  it("is recorded: GET /integrations lists the user the app was shared with, and whether they connected", async () => {
    await connect(server, fake, team.admin.token, "workspace");

    expect((await fake.shareApp(67890, grace.id)).status).toBe(200);

    expect((await integrations()).body.pipedrive.sharedWith).toEqual([{ pipedriveUserId: grace.id, memberId: null, connected: false }]);
    await connect(server, fake, team.agent.token, "individual", grace);
    expect((await integrations()).body.pipedrive.sharedWith).toEqual([{ pipedriveUserId: grace.id, memberId: team.agent.id, connected: true }]);
    const log = await server.api("GET", "/audit-log?action=pipedrive.app_shared", { token: team.owner.token });
    expect(log.body.data).toHaveLength(1);

    expect((await fake.shareApp(67890, grace.id, false)).status).toBe(200);
    expect((await integrations()).body.pipedrive.sharedWith).toEqual([]);
  });

  it("without Pipedrive's client credentials it is refused and nothing is recorded", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    const forged = await fetch(`${server.url}/api/v1/integrations/pipedrive/callback`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${fake.clientId}:guess`).toString("base64")}` },
      body: JSON.stringify({ company_id: 67890, user_id: grace.id, isShared: true }),
    });
    expect(forged.status).toBe(401);
    expect((await integrations()).body.pipedrive.sharedWith).toEqual([]);
  });
});
