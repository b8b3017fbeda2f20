import { createApp } from "../../../server/http/app";
import { allRoutes } from "../../../server/http/registry";
import { builtinRoleIds, builtinRoles, holds } from "../../../server/permissions";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import type { FakePipedrive } from "../../fakes/pipedrive";
import {
  insertAccountDirectly,
  insertCampaignDirectly,
  insertChatDirectly,
  insertMemberDirectly,
  insertRoleDirectly,
  insertTemplateDirectly,
  insertWorkspaceDirectly,
} from "../../support/factories";
import type { TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { hubspotConfigFor, startHubspotFakeForServer } from "../hubspot/support";
import { startPipedriveStack } from "../pipedrive/server-support";
import { graphAccessToken, successfulRequests, successStatus } from "./route-successes";

let server: TestServer;
let fake: FakePipedrive;
let graph: FakeGraphApi;
let hubspot: Awaited<ReturnType<typeof startHubspotFakeForServer>>;
beforeAll(async () => {
  graph = await startFakeGraphApi({ accessToken: graphAccessToken });
  hubspot = await startHubspotFakeForServer();
  ({ server, fake } = await startPipedriveStack({ GRAPH_API_BASE_URL: graph.url, ...hubspotConfigFor(hubspot) }));
  hubspot.registerServer(server);
});
afterAll(async () => {
  await server.close();
  await fake.close();
  await graph.close();
  await hubspot.close();
});

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

// The role × route matrix: every built-in role against every permission-gated route. A role that
// lacks the permission is refused before any lookup (403); a role that holds it gets through and,
// sent a request that can succeed (route-successes.ts), gets the route's own 2xx.
const gated = allRoutes.filter((route) => route.access.kind === "permission");
const matrix = gated.flatMap((route) =>
  builtinRoleIds.map((roleId) => {
    const permission = route.access.kind === "permission" ? route.access.permission : "team.manage";
    const actor = { ...builtinRoles[roleId], workspaceId: "", memberId: "", roleId, roleName: roleId, status: "active" as const, ownershipLock: false };
    return { route, roleId, permission, allowed: holds(actor, permission), name: `${roleId} ${key(route)}` };
  }),
);
const denied = matrix.filter((entry) => !entry.allowed);
const allowed = matrix.filter((entry) => entry.allowed).map((entry) => ({ ...entry, status: successStatus(entry.route) }));

describe(`role × gated route: ${matrix.length} cases, ${denied.length} denied and ${allowed.length} allowed`, () => {
  it("covers every gated route for every role, and each route has a request that succeeds", () => {
    expect(denied.length + allowed.length).toBe(gated.length * builtinRoleIds.length);
    expect(denied.length).toBeGreaterThan(0);
    expect(allowed.length).toBeGreaterThan(0);
    expect(gated.map(key).filter((route) => !successfulRequests[route])).toEqual([]);
  });

  describe(`denied: the gate answers 403 before any lookup (${denied.length} cases)`, () => {
    let team: Team;
    beforeAll(async () => {
      team = await insertTeamDirectly(server.database.db);
    });
    it.each(denied)("$name", async ({ route, roleId, permission }) => {
      const path = route.path.replace(/:(\w+)/g, "unknown_$1");
      const response = await server.api(route.method.toUpperCase(), path, { token: team[roleId].token, body: route.method === "get" ? undefined : {} });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: "permission_denied", permission, detail: expect.stringContaining(`(${builtinRoles[roleId].name})`) });
    });
  });

  describe(`allowed: the route answers its success status (${allowed.length} cases)`, () => {
    it.each(allowed)("$name → $status", async ({ route, roleId, status }) => {
      const team = await insertTeamDirectly(server.database.db);
      const request = await successfulRequests[key(route)]?.({ server, fake, graph, hubspot, team, actor: team[roleId] });
      if (!request) throw new Error(`no successful request for ${key(route)}: add one to route-successes.ts`);
      const response = await server.api(route.method.toUpperCase(), request.path, {
        token: team[roleId].token,
        body: request.body,
        headers: request.headers,
      });
      expect(response.status, response.text).toBe(status);
    });
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
    "put /chats/:id/messages/:messageId/reaction": { emoji: "👍" },
    "post /whatsapp-accounts/:id/sandbox/inbound": { from: "+15550001111", text: "hi" },
    "patch /templates/:id": { name: "Renamed" },
    "put /panel/pipedrive/chats/:id/link": { personId: 1 },
    "patch /webhooks/:id": { enabled: false },
    "put /whatsapp-accounts/:id/access": { subjectType: "role", subjectId: "teammate", access: "read" },
  };
  // Public routes whose path holds a credential rather than a record id.
  const credentialRoutes = ["post /invitations/:acceptToken/accept", "post /password-resets/:resetToken"];
  // Routes whose id is another system's (a Pipedrive user id), always read within the caller's workspace.
  const externalIdRoutes = ["put /integrations/pipedrive/users/:id"];

  it("an Owner of workspace B gets 404 for every workspace A resource, on every route with an id", async () => {
    const db = server.database.db;
    const a = await insertTeamDirectly(db);
    const intruder = await insertMemberDirectly(db, await insertWorkspaceDirectly(db), { roleId: "owner" });
    const customRole = await insertRoleDirectly(db, a.workspace, { "chats.view": "all" });
    const invitation = await server.api("POST", "/invitations", { token: a.owner.token, body: { email: "inv@a.test", roleId: "agent" } });
    const joinRequest = await server.api("POST", "/join-requests", {
      body: { joinCode: a.workspace.joinCode, name: "J", email: "j@a.test", password: "joining password" },
    });
    const apiToken = await server.api("POST", "/api-tokens", { token: a.owner.token, body: { name: "A's token" } });
    const account = await insertAccountDirectly(db, a.workspace, a.agent.id);
    const chat = await insertChatDirectly(db, a.workspace, account, { responsibleId: a.collaborator.id });
    const template = await insertTemplateDirectly(db, a.workspace, a.agent.id);
    const campaign = await insertCampaignDirectly(db, a.workspace, account, a.agent.id, { status: "awaiting_approval" });
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
      hubspot: chat.id,
      // A file's link names the workspace; without A's signature an intruder gets the same 404 as anyone.
      media: a.workspace.id,
      integrations: a.agent.id,
      webhooks: (await server.api("POST", "/webhooks", { token: a.owner.token, body: { url: "http://127.0.0.1:9/hook", events: ["message.created"] } })).body
        .webhook.id,
    };
    const withIds = allRoutes.filter((route) => route.path.includes("/:") && !credentialRoutes.includes(key(route)) && !externalIdRoutes.includes(key(route)));
    expect(withIds.length).toBeGreaterThan(5);
    for (const route of withIds) {
      const collection = route.path.split("/")[1] as string;
      const id = idsOfA[collection];
      expect(id, `no workspace A fixture for ${key(route)}: add one`).toBeDefined();
      const response = await server.api(route.method.toUpperCase(), route.path.replace(":id", id as string).replace(":workspaceId", id as string), {
        token: intruder.token,
        body: route.method === "get" || route.method === "delete" ? undefined : (validBodies[key(route)] ?? {}),
      });
      expect(response.status, `${key(route)}: ${response.text}`).toBe(404);
    }
    // A's data is untouched.
    expect((await server.api("GET", "/me", { token: a.agent.token })).body.member.roleId).toBe("agent");
  });
});
