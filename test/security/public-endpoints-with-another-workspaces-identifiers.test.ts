import { signWebhookBody } from "../../server/whatsapp/webhook-signature";
import { type FakeGraphApi, startFakeGraphApi } from "../fakes/graph-api";
import { inboundTextWebhook, statusWebhook } from "../fakes/whatsapp-webhooks";
import { startTestServer, type TestServer } from "../support/server";
import { eventually, openEventStream } from "../support/sse";

// Every public endpoint (and the live stream) driven by workspace A, the attacker, with A's own
// credentials and workspace B's identifiers: nothing of B's is read or changed. The Pipedrive
// endpoints are in pipedrive-endpoints-with-another-workspaces-identifiers.test.ts.
const serverAppSecret = "the-servers-meta-app-secret";
const verifyToken = "the-servers-verify-token";
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-cross-tenant";
const attackerAppSecret = "workspace-a-own-app-secret";
const password = "correct horse battery";
const customer = "16505551234";

let fake: FakeGraphApi;
let server: TestServer;
let attacker: Workspace;
let victim: Workspace;
let numberSequence = 0;

type Workspace = Awaited<ReturnType<typeof signUp>>;

/** A new customer signs up: a workspace with its Owner. */
async function signUp(label: string) {
  const email = `owner-${label}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const signup = await server.api("POST", "/signup", { body: { workspaceName: `Workspace ${label}`, name: `Owner ${label}`, email, password } });
  expect(signup.status).toBe(201);
  return {
    email,
    token: signup.body.token as string,
    workspaceId: signup.body.workspace.id as string,
    joinCode: signup.body.workspace.joinCode as string,
    memberId: signup.body.member.id as string,
  };
}

/** The Owner connects a Cloud API number registered at Meta under the workspace's WABA. */
async function connectNumber(workspace: Workspace, appSecret?: string) {
  numberSequence++;
  const phoneNumberId = String(706540352240000 + numberSequence);
  const wabaId = String(702290129340000 + numberSequence);
  const phoneNumber = `+1555079${String(2000 + numberSequence)}`;
  fake.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: phoneNumber });
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: workspace.token,
    body: { provider: "cloud", phoneNumber, cloud: { phoneNumberId, wabaId, accessToken, ...(appSecret ? { appSecret } : {}) } },
  });
  expect(connected.status).toBe(201);
  return phoneNumberId;
}

const webhookUrl = () => `${server.url}/api/v1/inbound/whatsapp`;
const customerWrites = (phoneNumberId: string, text: string) =>
  fake.deliverWebhook(webhookUrl(), serverAppSecret, inboundTextWebhook({ phoneNumberId, from: { phone: customer }, body: text, timestamp: now() }));
const now = () => Math.floor(Date.now() / 1000);
const chats = async (workspace: Workspace) =>
  (await server.api("GET", "/chats", { token: workspace.token })).body.data as { id: string; lastMessagePreview: string }[];
const memberEmails = async (workspace: Workspace) =>
  ((await server.api("GET", "/members", { token: workspace.token })).body.data as { email: string }[]).map((member) => member.email);
const logsIn = async (email: string, workspaceId?: string) =>
  (await server.api("POST", "/sessions", { body: { email, password, ...(workspaceId ? { workspaceId } : {}) } })).status;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url, WHATSAPP_APP_SECRET: serverAppSecret, WHATSAPP_VERIFY_TOKEN: verifyToken });
  attacker = await signUp("attacker");
  victim = await signUp("victim");
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe("a bearer token whose workspace part is swapped for another workspace's id", () => {
  it("the attacker's own secret under the victim's workspace id is refused on the API and on the live stream", async () => {
    const secret = attacker.token.split(".")[2];
    const swapped = `sbt.${victim.workspaceId}.${secret}`;
    expect((await server.api("GET", "/me", { token: attacker.token })).status).toBe(200);

    const me = await server.api("GET", "/me", { token: swapped });
    expect([me.status, me.body.code]).toEqual([401, "unauthenticated"]);
    expect((await server.api("GET", "/chats", { token: swapped })).status).toBe(401);
    expect((await server.api("GET", "/members", { token: swapped })).status).toBe(401);
    const stream = await openEventStream(`${server.url}/api/v1/events`, swapped);
    expect(stream.status).toBe(401);
    await stream.close();
  });
});

describe("a login that names another workspace", () => {
  it("the attacker's own email and password with the victim's workspace id get no token", async () => {
    const login = await server.api("POST", "/sessions", { body: { email: attacker.email, password, workspaceId: victim.workspaceId } });
    expect([login.status, login.body.token]).toEqual([401, undefined]);
    expect(await logsIn(attacker.email, attacker.workspaceId)).toBe(201);
  });
});

describe("a signup with the victim's email", () => {
  it("is refused, and the victim's account keeps its password and its workspace", async () => {
    const signup = await server.api("POST", "/signup", {
      body: { workspaceName: "Takeover", name: "Eve", email: victim.email, password: "eves own password" },
    });
    expect([signup.status, signup.body.token]).toEqual([409, undefined]);
    expect((await server.api("POST", "/sessions", { body: { email: victim.email, password: "eves own password" } })).status).toBe(401);
    const login = await server.api("POST", "/sessions", { body: { email: victim.email, password } });
    expect(login.status).toBe(201);
    expect(login.body.token).toMatch(new RegExp(`^sbt\\.${victim.workspaceId}\\.`));
  });
});

describe("a join request to the attacker's workspace naming the victim's email", () => {
  it("without the victim's password it is refused, files nothing, and the victim cannot be added", async () => {
    const asked = await server.api("POST", "/join-requests", {
      body: { joinCode: attacker.joinCode, name: "Victim (not really)", email: victim.email, password: "eves own password" },
    });
    expect([asked.status, asked.body.code]).toEqual([401, "unauthenticated"]);
    expect((await server.api("GET", "/join-requests", { token: attacker.token })).body.data).toEqual([]);
    expect(await memberEmails(attacker)).not.toContain(victim.email);
    expect(await logsIn(victim.email, attacker.workspaceId)).toBe(401);
  });
});

describe("an invitation of the attacker's workspace accepted for the victim's email", () => {
  it("without the victim's password it is refused: the victim's account joins nothing and keeps its password", async () => {
    const invite = await server.api("POST", "/invitations", { token: attacker.token, body: { email: victim.email, roleId: "agent" } });
    expect(invite.status).toBe(201);
    const acceptUrl = `/invitations/${invite.body.acceptToken}/accept`;

    const guessed = await server.api("POST", acceptUrl, { body: { name: "Victim", password: "eves own password" } });
    expect([guessed.status, guessed.body.token]).toEqual([401, undefined]);
    const bare = await server.api("POST", acceptUrl, { body: { name: "Victim" } });
    expect([bare.status, bare.body.token]).toEqual([400, undefined]);

    expect(await memberEmails(attacker)).not.toContain(victim.email);
    expect(await logsIn(victim.email, attacker.workspaceId)).toBe(401);
    expect((await server.api("POST", "/sessions", { body: { email: victim.email, password: "eves own password" } })).status).toBe(401);
    expect(await logsIn(victim.email, victim.workspaceId)).toBe(201);
  });
});

describe("an invitation accept token whose workspace part is swapped for another workspace's id", () => {
  it("is an unknown invitation, adds no one anywhere, and the genuine token still works", async () => {
    const invitedEmail = `invited-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const invite = await server.api("POST", "/invitations", { token: attacker.token, body: { email: invitedEmail, roleId: "agent" } });
    expect(invite.status).toBe(201);
    const [, , secret] = (invite.body.acceptToken as string).split(".");

    const swapped = await server.api("POST", `/invitations/inv.${victim.workspaceId}.${secret}/accept`, { body: { name: "Invited", password } });
    expect([swapped.status, swapped.body.token]).toEqual([404, undefined]);
    expect(await memberEmails(victim)).not.toContain(invitedEmail);

    const genuine = await server.api("POST", `/invitations/${invite.body.acceptToken}/accept`, { body: { name: "Invited", password } });
    expect(genuine.status).toBe(201);
    expect(genuine.body.token).toMatch(new RegExp(`^sbt\\.${attacker.workspaceId}\\.`));
    expect(await memberEmails(victim)).not.toContain(invitedEmail);
  });
});

describe("the live stream of one workspace while another workspace's customer writes", () => {
  it("the attacker's stream (also when it names the victim's workspace) hears nothing of the victim's; the victim's own stream does", async () => {
    const attackerNumber = await connectNumber(attacker);
    const victimNumber = await connectNumber(victim);
    const attackerStream = await openEventStream(`${server.url}/api/v1/events`, attacker.token);
    const namingVictim = await openEventStream(`${server.url}/api/v1/events?workspaceId=${victim.workspaceId}`, attacker.token);
    const victimStream = await openEventStream(`${server.url}/api/v1/events`, victim.token);
    expect([attackerStream.status, namingVictim.status, victimStream.status]).toEqual([200, 200, 200]);
    const texts = (stream: typeof victimStream) =>
      stream.events.filter((event) => event.type === "message.created").map((event) => event.data.message?.text as string);

    expect((await customerWrites(victimNumber, "The victim's customer's secret")).status).toBe(200);
    await eventually(() => expect(texts(victimStream)).toEqual(["The victim's customer's secret"]));
    // Then the attacker's own customer: once the attacker hears that, the victim's event has gone by.
    expect((await customerWrites(attackerNumber, "The attacker's own customer")).status).toBe(200);
    await eventually(() => expect(texts(attackerStream)).toEqual(["The attacker's own customer"]));
    await eventually(() => expect(texts(namingVictim)).toEqual(["The attacker's own customer"]));

    for (const stream of [attackerStream, namingVictim]) expect(JSON.stringify(stream.events)).not.toContain(victim.workspaceId);
    expect(texts(victimStream)).toEqual(["The victim's customer's secret"]);
    for (const stream of [attackerStream, namingVictim, victimStream]) await stream.close();
  });
});

describe("Meta's verification handshake with a verify token that is not the server's", () => {
  it("is refused with 403 and echoes nothing; the server's own token is answered", async () => {
    const handshake = (token: string) =>
      fetch(`${webhookUrl()}?${new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444" })}`);
    const refused = await handshake(attackerAppSecret);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain("1158201444");
    const answered = await handshake(verifyToken);
    expect([answered.status, await answered.text()]).toEqual([200, "1158201444"]);
  });
});

describe("a workspace signs a delivery status for another workspace's message with its own app secret", () => {
  it("under its own number or under the victim's, the victim's message keeps its status and its stream hears nothing; Meta's own status applies", async () => {
    const attackerNumber = await connectNumber(attacker, attackerAppSecret);
    const victimNumber = await connectNumber(victim);
    expect((await customerWrites(victimNumber, "Do you ship to Lisbon?")).status).toBe(200);
    const chatId = (await chats(victim)).find((candidate) => candidate.lastMessagePreview === "Do you ship to Lisbon?")?.id as string;
    expect(chatId).toBeDefined();
    const sentBefore = fake.sentMessages.length;
    const reply = await server.api("POST", `/chats/${chatId}/messages`, { token: victim.token, body: { text: "Yes, in two days." } });
    expect(reply.status).toBe(201);
    const wamid = fake.sentMessages[sentBefore]?.wamid as string;
    expect(wamid).toMatch(/^wamid\./);
    const replyStatus = async () =>
      ((await server.api("GET", `/chats/${chatId}/messages`, { token: victim.token })).body.data as { id: string; status: string; error: unknown }[]).find(
        (message) => message.id === reply.body.message.id,
      );
    const victimStream = await openEventStream(`${server.url}/api/v1/events`, victim.token);

    const failed = (phoneNumberId: string) =>
      statusWebhook({
        phoneNumberId,
        wamid,
        status: "failed",
        recipient: { phone: customer },
        timestamp: now(),
        errors: [{ code: 131026, title: "Message undeliverable" }],
      });
    expect((await fake.deliverWebhook(webhookUrl(), attackerAppSecret, failed(attackerNumber))).status).toBe(200);
    // Under the victim's number alone, the attacker's secret is not one the body may be signed with.
    expect((await fake.deliverWebhook(webhookUrl(), attackerAppSecret, failed(victimNumber))).status).toBe(401);
    expect(await replyStatus()).toMatchObject({ status: "sent", error: null });

    // Meta's own status for the same message is applied: the attempts above changed nothing.
    const delivered = statusWebhook({ phoneNumberId: victimNumber, wamid, status: "delivered", recipient: { phone: customer }, timestamp: now() });
    expect((await fake.deliverWebhook(webhookUrl(), serverAppSecret, delivered)).status).toBe(200);
    expect(await replyStatus()).toMatchObject({ status: "delivered", error: null });
    await eventually(() => expect(victimStream.events.map((event) => event.type)).toEqual(["message.status"]));
    expect(victimStream.events[0]?.data.message).toMatchObject({ status: "delivered" });
    await victimStream.close();
  });
});

describe("a workspace signs a webhook that names another workspace's number in a form the pre-parse scan does not see", () => {
  it("the entry written with JSON escapes is dropped: the victim's inbox never shows it; the signer's own entry is stored", async () => {
    const attackerNumber = await connectNumber(attacker, attackerAppSecret);
    const victimNumber = await connectNumber(victim);
    const entries = [
      { phoneNumberId: attackerNumber, text: "On the attacker's own number" },
      { phoneNumberId: victimNumber, text: "Hidden from the scan: click https://evil.example" },
    ].flatMap(({ phoneNumberId, text }) => inboundTextWebhook({ phoneNumberId, from: { phone: customer }, body: text, timestamp: now() }).entry);
    const plain = JSON.stringify({ object: "whatsapp_business_account", entry: entries });
    const escapedId = [...victimNumber].map((digit) => `\\u00${digit.charCodeAt(0).toString(16)}`).join("");
    const body = plain.replace(`"phone_number_id":"${victimNumber}"`, `"phone_number_id":"${escapedId}"`);
    expect(body).not.toContain(victimNumber);
    expect(JSON.parse(body).entry[1].changes[0].value.metadata.phone_number_id).toBe(victimNumber);

    const response = await fetch(webhookUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signWebhookBody(attackerAppSecret, body) },
      body,
    });

    expect([response.status, await response.text()]).toEqual([200, JSON.stringify({ received: 1 })]);
    expect((await chats(attacker)).map((chat) => chat.lastMessagePreview)).toContain("On the attacker's own number");
    expect(JSON.stringify(await chats(victim))).not.toContain("Hidden from the scan");
  });
});
