import { and, eq } from "drizzle-orm";
import { pipedriveCompanyRoutes, pipedriveConnections, pipedriveInstallations, webhookDeliveries } from "../../../server/db/schema";
import type { RouteDefinition } from "../../../server/http/route";
import { emitInboxEvent } from "../../../server/webhooks/outbox";
import type { FakeGraphApi } from "../../fakes/graph-api";
import type { FakeHubspot } from "../../fakes/hubspot";
import type { FakePipedrive } from "../../fakes/pipedrive";
import { type BuiltMember, insertCampaignDirectly, insertMemberDirectly, insertRoleDirectly, testPassword } from "../../support/factories";
import type { TestServer } from "../../support/server";
import type { Team } from "../../support/team";
import { connectSandbox, createTemplate, recipients } from "../campaigns/support";
import { connectThroughHubspot, newPortal, signedCardRequest } from "../hubspot/support";
import { callback, connect } from "../pipedrive/server-support";

// For each permission-gated route, a request that succeeds: what an allowed role's case in the
// role × route matrix sends (routes.test.ts), each in a fresh team, so it can assert the route's
// own 2xx rather than "anything but 500".

export type SuccessContext = { server: TestServer; fake: FakePipedrive; graph: FakeGraphApi; hubspot: FakeHubspot; team: Team; actor: BuiltMember };

/** The token the fake Graph API (routes.test.ts) is started with, and the WABA its numbers are registered in. */
export const graphAccessToken = "EAAGm0PX4ZCpsBAmatrix-access-token-0123456789";
const wabaId = "102290129340777";
export type SuccessRequest = { path: string; body?: unknown; headers?: Record<string, string> };

/** The status a route answers on success: the lowest 2xx it declares. */
export function successStatus(route: Pick<RouteDefinition, "responses">): number {
  const statuses = Object.keys(route.responses ?? {})
    .map(Number)
    .filter((status) => status >= 200 && status < 300);
  if (statuses.length === 0) throw new Error("the route declares no 2xx response");
  return Math.min(...statuses);
}

const unique = () => Math.random().toString(36).slice(2, 9);
const api = (context: SuccessContext, method: string, path: string, body?: unknown) =>
  context.server.api(method, path, { token: context.team.owner.token, body });

const randomPhone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

/**
 * A sandbox line and a chat on it that the customer opened (so replies are in the window), both the
 * actor's: their own line, or for a Collaborator (who connects none) the Owner's, with the chat assigned to them.
 */
async function lineWithChat(context: SuccessContext) {
  const { server, team, actor } = context;
  const lineOwner = actor.id === team.collaborator.id ? team.owner : actor;
  const accountId = await connectSandbox(server, lineOwner.token, randomPhone());
  const from = randomPhone();
  const inbound = await server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token: lineOwner.token, body: { from, text: "Hello?" } });
  if (inbound.status !== 201) throw new Error(`inbound: ${inbound.status} ${inbound.text}`);
  const chatId = inbound.body.chatId as string;
  if (lineOwner !== actor) await api(context, "PUT", `/chats/${chatId}/responsible`, { memberId: actor.id });
  return { accountId, chatId, from };
}

/** The reaction path of the customer's first message in a fresh line's chat. */
async function customerMessagePath(context: SuccessContext) {
  const { chatId } = await lineWithChat(context);
  const history = await api(context, "GET", `/chats/${chatId}/messages`);
  const inbound = (history.body.data as { id: string; direction: string }[]).find((message) => message.direction === "in");
  return `/chats/${chatId}/messages/${inbound?.id}/reaction`;
}

async function invitation(context: SuccessContext) {
  return (await api(context, "POST", "/invitations", { email: `invited-${unique()}@acme.test`, roleId: "agent" })).body.id as string;
}

async function joinRequest(context: SuccessContext) {
  const requested = await context.server.api("POST", "/join-requests", {
    body: { joinCode: context.team.workspace.joinCode, name: "Joiner", email: `joiner-${unique()}@acme.test`, password: "joining password" },
  });
  return requested.body.id as string;
}

async function campaign(context: SuccessContext, status: "running" | "paused" | "awaiting_approval") {
  const { accountId } = await lineWithChat(context);
  return (await insertCampaignDirectly(context.server.database.db, context.team.workspace, { id: accountId }, context.actor.id, { status })).id;
}

async function webhook(context: SuccessContext) {
  const created = await api(context, "POST", "/webhooks", { url: "http://127.0.0.1:9/hook", events: ["message.created"] });
  return created.body.webhook.id as string;
}

/** A webhook with one delivery that ran out of attempts (no worker runs here, so it is marked so). */
async function failedDelivery(context: SuccessContext) {
  const webhookId = await webhook(context);
  const { workspace } = context.team;
  const db = context.server.database.db;
  await db.transaction((tx) => emitInboxEvent(tx, { type: "message.created", workspaceId: workspace.id, chatId: "chat_fixture" }, { n: 1 }));
  const [delivery] = await db
    .update(webhookDeliveries)
    .set({ status: "failed", attempts: 8, lastError: "HTTP 500" })
    .where(and(eq(webhookDeliveries.workspaceId, workspace.id), eq(webhookDeliveries.webhookId, webhookId)))
    .returning({ id: webhookDeliveries.id });
  return { webhookId, deliveryId: delivery?.id ?? "" };
}

/** Frees the fake's company 67890 (one workspace at a time) from the cases before. */
async function freePipedriveCompany({ server }: SuccessContext) {
  const db = server.database.db;
  await db.delete(pipedriveConnections).where(eq(pipedriveConnections.companyId, 67890));
  await db.delete(pipedriveInstallations).where(eq(pipedriveInstallations.companyId, 67890));
  await db.delete(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.companyId, 67890));
}

/** Connects the fresh team's workspace to the fake Pipedrive as its Admin (whose Pipedrive user is then theirs to remap). */
async function connectPipedrive(context: SuccessContext) {
  await freePipedriveCompany(context);
  await connect(context.server, context.fake, context.team.admin.token, "workspace");
}

export const successfulRequests: Record<string, (context: SuccessContext) => Promise<SuccessRequest>> = {
  "patch /members/:id": async ({ team }) => ({ path: `/members/${team.collaborator.id}`, body: { roleId: "agent" } }),
  "post /members/:id/suspend": async ({ team }) => ({ path: `/members/${team.collaborator.id}/suspend` }),
  "delete /members/:id": async ({ team }) => ({ path: `/members/${team.collaborator.id}` }),
  "post /members/:id/activate": async ({ server, team }) => ({
    path: `/members/${(await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent", status: "suspended" })).id}/activate`,
  }),
  "post /workspace/ownership": async ({ team }) => ({ path: "/workspace/ownership", body: { memberId: team.admin.id } }),
  "post /invitations": async () => ({ path: "/invitations", body: { email: `invited-${unique()}@acme.test`, roleId: "agent" } }),
  "get /invitations": async () => ({ path: "/invitations" }),
  "delete /invitations/:id": async (context) => ({ path: `/invitations/${await invitation(context)}` }),
  "get /join-requests": async () => ({ path: "/join-requests" }),
  "post /join-requests/:id/accept": async (context) => ({ path: `/join-requests/${await joinRequest(context)}/accept`, body: { roleId: "agent" } }),
  "post /join-requests/:id/reject": async (context) => ({ path: `/join-requests/${await joinRequest(context)}/reject` }),
  "post /roles": async () => ({ path: "/roles", body: { name: `Role ${unique()}`, permissions: { "chats.view": "all" } } }),
  "patch /roles/:id": async ({ server, team }) => ({
    path: `/roles/${(await insertRoleDirectly(server.database.db, team.workspace, { "chats.view": "all" })).id}`,
    body: { name: `Renamed ${unique()}` },
  }),
  "delete /roles/:id": async ({ server, team }) => ({
    path: `/roles/${(await insertRoleDirectly(server.database.db, team.workspace, { "chats.view": "all" })).id}`,
  }),
  "get /workspace/subscription": async () => ({ path: "/workspace/subscription" }),
  "put /workspace/subscription": async () => ({ path: "/workspace/subscription", body: { plan: "pro" } }),
  "patch /workspace": async () => ({ path: "/workspace", body: { defaultCountry: "GB" } }),
  "delete /workspace": async ({ team }) => ({ path: "/workspace", body: { confirm: team.workspace.name } }),
  "get /audit-log": async () => ({ path: "/audit-log" }),
  "get /audit-log/export": async () => ({ path: "/audit-log/export" }),
  "get /whatsapp-accounts/setup": async () => ({ path: "/whatsapp-accounts/setup" }),
  "post /whatsapp-accounts/check": async ({ graph }) => {
    const phoneNumberId = `1065403${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
    graph.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: "+1 555-078-9001" });
    return { path: "/whatsapp-accounts/check", body: { phoneNumberId, wabaId, accessToken: graphAccessToken } };
  },
  "post /whatsapp-accounts": async () => ({
    path: "/whatsapp-accounts",
    body: { provider: "sandbox", phoneNumber: randomPhone(), displayName: "Line" },
  }),
  "post /whatsapp-accounts/:id/sandbox/inbound": async (context) => ({
    path: `/whatsapp-accounts/${(await lineWithChat(context)).accountId}/sandbox/inbound`,
    body: { from: "+15550001111", text: "hi" },
  }),
  "get /whatsapp-accounts/:id/access": async (context) => ({
    path: `/whatsapp-accounts/${await connectSandbox(context.server, context.team.owner.token, randomPhone())}/access`,
  }),
  "put /whatsapp-accounts/:id/access": async (context) => ({
    path: `/whatsapp-accounts/${await connectSandbox(context.server, context.team.owner.token, randomPhone())}/access`,
    body: { subjectType: "member", subjectId: context.team.teammate.id, access: "read" },
  }),
  "get /roles/:id/access": async () => ({ path: "/roles/teammate/access" }),
  "get /chats": async () => ({ path: "/chats" }),
  "get /chats/:id": async (context) => ({ path: `/chats/${(await lineWithChat(context)).chatId}` }),
  "post /chats": async (context) => {
    const { accountId, from } = await lineWithChat(context);
    return { path: "/chats", body: { accountId, phone: from, text: "Following up" } };
  },
  "get /chats/:id/messages": async (context) => ({ path: `/chats/${(await lineWithChat(context)).chatId}/messages` }),
  "post /chats/:id/messages": async (context) => ({ path: `/chats/${(await lineWithChat(context)).chatId}/messages`, body: { text: "Hello!" } }),
  "post /chats/:id/media": async (context) => ({
    path: `/chats/${(await lineWithChat(context)).chatId}/media?fileName=note.txt`,
    body: "A note for you",
    headers: { "content-type": "text/plain" },
  }),
  "get /chats/:id/messages/:messageId/media": async (context) => {
    const { accountId, chatId, from } = await lineWithChat(context);
    // The customer sends the sandbox's sample photo into the same chat (stored at once, ready).
    const lineOwner = context.actor.id === context.team.collaborator.id ? context.team.owner : context.actor;
    const sent = await context.server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, {
      token: lineOwner.token,
      body: { from, media: "photo" },
    });
    if (sent.status !== 201 || sent.body.chatId !== chatId) throw new Error(`media inbound: ${sent.status} ${sent.text}`);
    return { path: `/chats/${chatId}/messages/${sent.body.messageId}/media` };
  },
  "put /chats/:id/responsible": async (context) => ({
    path: `/chats/${(await lineWithChat(context)).chatId}/responsible`,
    body: { memberId: context.actor.id },
  }),
  // Someone else holds the actor's chat under the lock: asking succeeds (the Collaborator, without chats.assign, is refused at the gate).
  "post /chats/:id/take-over-requests": async (context) => {
    const { chatId } = await lineWithChat(context);
    const holder = context.actor.id === context.team.admin.id ? context.team.owner : context.team.admin;
    await api(context, "PUT", `/chats/${chatId}/responsible`, { memberId: holder.id });
    await api(context, "PATCH", "/workspace", { ownershipLock: true });
    return { path: `/chats/${chatId}/take-over-requests` };
  },
  "put /chats/:id/messages/:messageId/reaction": async (context) => ({ path: await customerMessagePath(context), body: { emoji: "👍" } }),
  "delete /chats/:id/messages/:messageId/reaction": async (context) => {
    const path = await customerMessagePath(context);
    const reacted = await context.server.api("PUT", path, { token: context.actor.token, body: { emoji: "👍" } });
    if (reacted.status !== 200) throw new Error(`reaction: ${reacted.status} ${reacted.text}`);
    return { path };
  },
  "delete /chats/:id/messages/:messageId": async (context) => ({ path: (await customerMessagePath(context)).replace(/\/reaction$/, "") }),
  "put /chats/:id/read": async (context) => ({ path: `/chats/${(await lineWithChat(context)).chatId}/read`, body: {} }),
  "delete /chats/:id/read": async (context) => ({ path: `/chats/${(await lineWithChat(context)).chatId}/read` }),
  "get /me/unread": async () => ({ path: "/me/unread" }),
  "get /exports/chats": async () => ({ path: "/exports/chats" }),
  "get /templates": async () => ({ path: "/templates" }),
  "get /templates/:id": async ({ server, actor }) => ({ path: `/templates/${await createTemplate(server, actor.token)}` }),
  "post /templates": async () => ({ path: "/templates", body: { name: `Template ${unique()}`, body: "Hello {{name}}" } }),
  "patch /templates/:id": async ({ server, actor }) => ({
    path: `/templates/${await createTemplate(server, actor.token)}`,
    body: { name: `Renamed ${unique()}` },
  }),
  "delete /templates/:id": async ({ server, actor }) => ({ path: `/templates/${await createTemplate(server, actor.token)}` }),
  "post /templates/sync": async (context) => ({ path: "/templates/sync", body: { accountId: (await lineWithChat(context)).accountId } }),
  "post /campaigns": async (context) => ({
    path: "/campaigns",
    body: {
      accountId: (await lineWithChat(context)).accountId,
      templateId: await createTemplate(context.server, context.actor.token),
      recipients: recipients(1),
    },
  }),
  "post /campaigns/preview": async (context) => ({
    path: "/campaigns/preview",
    body: {
      accountId: (await lineWithChat(context)).accountId,
      templateId: await createTemplate(context.server, context.actor.token),
      recipients: recipients(1),
    },
  }),
  "get /campaigns": async () => ({ path: "/campaigns" }),
  "get /campaigns/:id": async (context) => ({ path: `/campaigns/${await campaign(context, "paused")}` }),
  "get /campaigns/:id/report": async (context) => ({ path: `/campaigns/${await campaign(context, "paused")}/report` }),
  "post /campaigns/:id/pause": async (context) => ({ path: `/campaigns/${await campaign(context, "running")}/pause` }),
  "post /campaigns/:id/resume": async (context) => ({ path: `/campaigns/${await campaign(context, "paused")}/resume` }),
  "post /campaigns/:id/cancel": async (context) => ({ path: `/campaigns/${await campaign(context, "paused")}/cancel` }),
  "post /campaigns/:id/approve": async (context) => ({ path: `/campaigns/${await campaign(context, "awaiting_approval")}/approve` }),
  "post /campaigns/:id/reject": async (context) => ({ path: `/campaigns/${await campaign(context, "awaiting_approval")}/reject` }),
  "put /campaign-settings": async () => ({ path: "/campaign-settings", body: { dailyRecipientCap: 1000 } }),
  "get /webhooks": async () => ({ path: "/webhooks" }),
  "post /webhooks": async () => ({ path: "/webhooks", body: { url: "https://hooks.example.com/switchboard", events: ["message.created"] } }),
  "delete /webhooks/:id": async (context) => ({ path: `/webhooks/${await webhook(context)}` }),
  "get /webhooks/:id/deliveries": async (context) => ({ path: `/webhooks/${await webhook(context)}/deliveries` }),
  "patch /webhooks/:id": async (context) => ({ path: `/webhooks/${await webhook(context)}`, body: { enabled: false } }),
  "post /webhooks/:id/deliveries/:deliveryId/retry": async (context) => {
    const { webhookId, deliveryId } = await failedDelivery(context);
    return { path: `/webhooks/${webhookId}/deliveries/${deliveryId}/retry` };
  },
  "get /integrations/api-key": async () => ({ path: "/integrations/api-key" }),
  "post /integrations/api-key": async () => ({ path: "/integrations/api-key" }),
  "delete /integrations/api-key": async (context) => {
    await api(context, "POST", "/integrations/api-key");
    return { path: "/integrations/api-key" };
  },
  "post /integrations/pipedrive/connect": async () => ({ path: "/integrations/pipedrive/connect" }),
  "post /integrations/hubspot/connect": async () => ({ path: "/integrations/hubspot/connect" }),
  "delete /integrations/hubspot": async ({ server, hubspot, actor }) => {
    await connectThroughHubspot(server, hubspot, actor.token, newPortal(hubspot));
    return { path: "/integrations/hubspot" };
  },
  "put /integrations/hubspot/settings": async () => ({ path: "/integrations/hubspot/settings", body: { logging: "per_message" } }),
  "get /integrations/hubspot/links": async ({ server, hubspot, actor }) => {
    await connectThroughHubspot(server, hubspot, actor.token, newPortal(hubspot));
    return { path: "/integrations/hubspot/links" };
  },
  "delete /integrations/hubspot/links/:id": async ({ server, hubspot, actor, team }) => {
    const hubId = newPortal(hubspot);
    await connectThroughHubspot(server, hubspot, actor.token, hubId);
    // The teammate links HubSpot user 2 from the card, as a rep would.
    const card = await signedCardRequest(server, hubspot, `?portalId=${hubId}&userId=2`, { objectTypeId: "0-1", objectId: "1" });
    const context = new URL(card.body.linkUri).hash.slice(1);
    await server.api("POST", "/hubspot/panel/session", { body: { context, email: team.teammate.email, password: testPassword } });
    return { path: `/integrations/hubspot/links/${team.teammate.id}` };
  },
  "post /me/integrations/pipedrive/connect": async () => ({ path: "/me/integrations/pipedrive/connect" }),
  "post /integrations/pipedrive/install": async (context) => {
    const { server, fake } = context;
    await freePipedriveCompany(context);
    // "Install now" in the Marketplace: the browser that finished it carries the claim.
    const landed = await callback(server, { code: fake.issueAuthorizationCode() });
    return { path: "/integrations/pipedrive/install", headers: { cookie: landed.setCookie.split(";")[0] ?? "" } };
  },
  "post /integrations/pipedrive/install/individual": async (context) => {
    const { server, fake } = context;
    await freePipedriveCompany(context);
    // A rep's own "Install now" in the Marketplace, kept by them in the browser that finished it.
    const landed = await callback(server, { code: fake.issueAuthorizationCode() });
    return { path: "/integrations/pipedrive/install/individual", headers: { cookie: landed.setCookie.split(";")[0] ?? "" } };
  },
  "get /integrations": async () => ({ path: "/integrations" }),
  "delete /integrations/pipedrive": async (context) => {
    await connectPipedrive(context);
    return { path: "/integrations/pipedrive" };
  },
  "put /integrations/pipedrive/settings": async () => ({ path: "/integrations/pipedrive/settings", body: { logging: "activity" } }),
  "get /integrations/pipedrive/users": async (context) => {
    await connectPipedrive(context);
    return { path: "/integrations/pipedrive/users" };
  },
  "put /integrations/pipedrive/users/:id": async (context) => {
    await connectPipedrive(context);
    return { path: `/integrations/pipedrive/users/${context.fake.user.id}`, body: { memberId: context.actor.id } };
  },
};
