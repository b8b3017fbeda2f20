import { createApp } from "../../../server/http/app";
import { allRoutes } from "../../../server/http/registry";
import { builtinRoleIds, builtinRoles, holds } from "../../../server/permissions";
import { buildAccount, buildCampaign, buildChat, buildMember, buildRole, buildTemplate, buildWorkspace } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { buildTeam, type Team } from "../../support/team";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
function mountedRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) return Object.keys(layer.route.methods).map((method) => `${method} ${layer.route?.path}`);
    return layer.handle?.stack ? mountedRoutes(layer.handle.stack) : [];
  });
}

const key = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

describe("route registry", () => {
  it("every mounted API route comes from the registry, which declares its access", () => {
    const app = createApp(server.services) as unknown as { router: { stack: Layer[] } };
    const mounted = mountedRoutes(app.router.stack).filter((route) => route !== "get /openapi.json");
    expect(mounted.sort()).toEqual(allRoutes.map(key).sort());
    for (const route of allRoutes) {
      expect(["public", "member", "permission"], key(route)).toContain(route.access.kind);
      if (route.access.kind === "public") expect(route.access.why.length, key(route)).toBeGreaterThan(5);
    }
  });

  it("declares no route twice", () => {
    expect(new Set(allRoutes.map(key)).size).toBe(allRoutes.length);
  });
});

describe("the permission gate answers 403 before any lookup, for every role × gated route", () => {
  let team: Team;
  beforeAll(async () => {
    team = await buildTeam(server.database.db);
  });
  const gated = allRoutes.filter((route) => route.access.kind === "permission");
  const cases = gated.flatMap((route) => builtinRoleIds.map((roleId) => ({ route, roleId, name: `${roleId} ${key(route)}` })));

  it.each(cases)("$name", async ({ route, roleId }) => {
    const permission = route.access.kind === "permission" ? route.access.permission : "team.manage";
    const path = route.path.replace(/:(\w+)/g, "unknown_$1");
    const response = await server.api(route.method.toUpperCase(), path, { token: team[roleId].token, body: route.method === "get" ? undefined : {} });
    const actor = { ...builtinRoles[roleId], workspaceId: "", memberId: "", roleId, roleName: roleId, status: "active" as const };
    if (holds(actor, permission)) {
      expect(response.body?.permission, `${response.status} ${response.text}`).toBeUndefined();
      expect(response.status).not.toBe(500);
    } else {
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: "permission_denied", permission, detail: expect.stringContaining(`(${builtinRoles[roleId].name})`) });
    }
  });
});

describe("tenant isolation", () => {
  // A valid body for each route with an id, so the answer comes from the lookup, not validation.
  const validBodies: Record<string, unknown> = {
    "patch /members/:id": { roleId: "agent" },
    "patch /roles/:id": { name: "Renamed" },
    "post /join-requests/:id/accept": { roleId: "agent" },
    "post /chats/:id/messages": { text: "hello" },
    "put /chats/:id/responsible": { memberId: null },
    "post /whatsapp-accounts/:id/sandbox/inbound": { from: "+15550001111", text: "hi" },
    "patch /templates/:id": { name: "Renamed" },
    "put /panel/pipedrive/chats/:id/link": { personId: 1 },
  };
  // Public routes whose path holds a credential rather than a record id.
  const credentialRoutes = ["post /invitations/:acceptToken/accept"];
  // Routes whose id is another system's (a Pipedrive user id), always read within the caller's workspace.
  const externalIdRoutes = ["put /integrations/pipedrive/users/:id"];

  it("an Owner of workspace B gets 404 for every workspace A resource, on every route with an id", async () => {
    const db = server.database.db;
    const a = await buildTeam(db);
    const intruder = await buildMember(db, await buildWorkspace(db), { roleId: "owner" });
    const customRole = await buildRole(db, a.workspace, { "chats.view": "all" });
    const invitation = await server.api("POST", "/invitations", { token: a.owner.token, body: { email: "inv@a.test", roleId: "agent" } });
    const joinRequest = await server.api("POST", "/join-requests", {
      body: { joinCode: a.workspace.joinCode, name: "J", email: "j@a.test", password: "joining password" },
    });
    const apiToken = await server.api("POST", "/api-tokens", { token: a.owner.token, body: { name: "A's token" } });
    const account = await buildAccount(db, a.workspace, a.agent.id);
    const chat = await buildChat(db, a.workspace, account, { responsibleId: a.collaborator.id });
    const template = await buildTemplate(db, a.workspace, a.agent.id);
    const campaign = await buildCampaign(db, a.workspace, account, a.agent.id, { status: "awaiting_approval" });
    const idsOfA: Record<string, string> = {
      members: a.agent.id,
      roles: customRole.id,
      invitations: invitation.body.id,
      "join-requests": joinRequest.body.id,
      "api-tokens": apiToken.body.id,
      "whatsapp-accounts": account.id,
      chats: chat.id,
      templates: template.id,
      campaigns: campaign.id,
      panel: chat.id,
      webhooks: (await server.api("POST", "/webhooks", { token: a.owner.token, body: { url: "http://127.0.0.1:9/hook", events: ["message.created"] } })).body
        .webhook.id,
    };
    const withIds = allRoutes.filter((route) => route.path.includes("/:") && !credentialRoutes.includes(key(route)) && !externalIdRoutes.includes(key(route)));
    expect(withIds.length).toBeGreaterThan(5);
    for (const route of withIds) {
      const collection = route.path.split("/")[1] as string;
      const id = idsOfA[collection];
      expect(id, `no workspace A fixture for ${key(route)}: add one`).toBeDefined();
      const response = await server.api(route.method.toUpperCase(), route.path.replace(":id", id as string), {
        token: intruder.token,
        body: route.method === "get" || route.method === "delete" ? undefined : (validBodies[key(route)] ?? {}),
      });
      expect(response.status, `${key(route)}: ${response.text}`).toBe(404);
    }
    // A's data is untouched.
    expect((await server.api("GET", "/me", { token: a.agent.token })).body.member.roleId).toBe("agent");
  });
});
