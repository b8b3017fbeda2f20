import { signPanelToken } from "../../server/pipedrive/panel-token";
import type { FakePipedrive } from "../fakes/pipedrive";
import { connect, otherUser, panelSecret, pipedriveSuite } from "../server/pipedrive/server-support";
import type { TestServer } from "../support/server";
import type { Team } from "../support/team";

// Linking a CRM user to a member lets whoever is that CRM user act as the member in the panel, so
// mapping is granting the member's role: the same limits as giving someone a role.

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

const company = 67890;
const adminsPipedriveUser = 12345;
const ownersPipedriveUser = otherUser({ id: 44444, name: "Olive Owner", email: "olive@acme.test" });
const agentsPipedriveUser = otherUser();

const mapUser = (token: string, pipedriveUserId: number, memberId: string | null) =>
  server.api("PUT", `/integrations/pipedrive/users/${pipedriveUserId}`, { token, body: { memberId } });
const panelSession = async (pipedriveUserId: number) =>
  server.api("POST", "/panel/pipedrive/session", { body: { token: await signPanelToken(panelSecret, { userId: pipedriveUserId, companyId: company }) } });
const mappingOf = async (pipedriveUserId: number) => {
  const users = await server.api("GET", "/integrations/pipedrive/users", { token: team.owner.token });
  return users.body.data.find((user: { pipedriveUserId: number }) => user.pipedriveUserId === pipedriveUserId)?.memberId ?? null;
};

describe("an Admin maps their Pipedrive user to the Owner and acts as the Owner in the panel", () => {
  it("is refused (409), and the panel session for that Pipedrive user still acts as the Admin", async () => {
    // The Admin connects the workspace with their own Pipedrive user, which maps it to them.
    expect((await connect(server, fake, team.admin.token, "workspace")).outcome.get("pipedrive")).toBe("connected");

    const refused = await mapUser(team.admin.token, adminsPipedriveUser, team.owner.id);

    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.body.detail).toContain("Owner");
    expect(await mappingOf(adminsPipedriveUser)).toBe(team.admin.id);
    const session = await panelSession(adminsPipedriveUser);
    expect(session.status).toBe(201);
    expect(session.body.member).toMatchObject({ id: team.admin.id, roleId: "admin" });
    expect((await server.api("GET", "/workspace/subscription", { token: session.body.token })).status).not.toBe(200);
  });

  it("the Owner may map a Pipedrive user to themselves", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    fake.addUser(ownersPipedriveUser);
    expect((await mapUser(team.owner.token, ownersPipedriveUser.id, team.owner.id)).status).toBe(200);
    expect((await panelSession(ownersPipedriveUser.id)).body.member.id).toBe(team.owner.id);
  });
});

describe("a member who manages integrations maps their Pipedrive user to someone whose role grants more", () => {
  it("is refused with 403 naming the permission the target holds beyond them", async () => {
    const role = await server.api("POST", "/roles", {
      token: team.owner.token,
      body: { name: "CRM admin", permissions: { "chats.view": "own", "integrations.workspace": true, "integrations.individual": true } },
    });
    expect(role.status).toBe(201);
    expect((await server.api("PATCH", `/members/${team.teammate.id}`, { token: team.owner.token, body: { roleId: role.body.role.id } })).status).toBe(200);
    // The CRM admin connects the workspace as their own Pipedrive user.
    await connect(server, fake, team.teammate.token, "workspace");

    const refused = await mapUser(team.teammate.token, adminsPipedriveUser, team.admin.id);

    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "permission_denied", permission: "chats.view" });
    expect((await panelSession(adminsPipedriveUser)).body.member.id).toBe(team.teammate.id);
  });
});

describe("an Admin takes over a link a member made with their own Pipedrive connection", () => {
  beforeEach(async () => {
    await connect(server, fake, team.admin.token, "workspace");
    await connect(server, fake, team.agent.token, "individual", agentsPipedriveUser);
  });

  it.each([
    ["maps the member's Pipedrive user to themselves", () => [agentsPipedriveUser.id, team.admin.id] as const],
    ["unmaps the member's Pipedrive user", () => [agentsPipedriveUser.id, null] as const],
    ["maps another Pipedrive user onto the member", () => [55555, team.agent.id] as const],
  ])("%s: refused (409), the member's link stays", async (_name, change) => {
    fake.addUser(otherUser({ id: 55555, name: "Mallory", email: "mallory@acme.test" }));
    const [pipedriveUserId, memberId] = change();

    const refused = await mapUser(team.admin.token, pipedriveUserId, memberId);

    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain("own");
    expect(await mappingOf(agentsPipedriveUser.id)).toBe(team.agent.id);
    expect((await panelSession(agentsPipedriveUser.id)).body.member.id).toBe(team.agent.id);
    expect((await panelSession(55555)).status).toBe(403);
  });
});

describe("an Admin steals the Owner's Pipedrive user link", () => {
  it("is refused (409) whether they take it or remove it", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    fake.addUser(ownersPipedriveUser);
    expect((await mapUser(team.owner.token, ownersPipedriveUser.id, team.owner.id)).status).toBe(200);

    expect((await mapUser(team.admin.token, ownersPipedriveUser.id, team.admin.id)).status).toBe(409);
    expect((await mapUser(team.admin.token, ownersPipedriveUser.id, null)).status).toBe(409);
    expect(await mappingOf(ownersPipedriveUser.id)).toBe(team.owner.id);
  });

  it("an Admin may still move a link an Admin made between members within their own role", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    fake.addUser(agentsPipedriveUser);
    expect((await mapUser(team.admin.token, agentsPipedriveUser.id, team.teammate.id)).status).toBe(200);
    expect((await mapUser(team.admin.token, agentsPipedriveUser.id, team.agent.id)).status).toBe(200);
    expect((await panelSession(agentsPipedriveUser.id)).body.member.id).toBe(team.agent.id);
  });
});
