import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { insertMemberDirectly, insertRoleDirectly, insertTemplateDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-templates";
let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let templateOf: Record<"agent" | "teammate", string>;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  const create = async (token: string, name: string) =>
    (await server.api("POST", "/templates", { token, body: { name, body: "Hi {{name}}, order {{ order_id }} ships {{date}}." } })).body.template.id as string;
  templateOf = { agent: await create(team.agent.token, "Agent's"), teammate: await create(team.teammate.token, "Teammate's") };
  fake.reset();
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

type Role = "owner" | "admin" | "teammate" | "agent" | "collaborator";
// templates.use: all → everyone's, own → one's own, none → nothing (403 before any lookup).
const sees: Record<Role, ("agent" | "teammate")[] | "denied"> = {
  owner: ["agent", "teammate"],
  admin: ["agent", "teammate"],
  teammate: ["agent", "teammate"],
  agent: ["agent"],
  collaborator: "denied",
};

describe.each(Object.entries(sees) as [Role, (typeof sees)[Role]][])("templates.use for %s", (role, visible) => {
  it("lists exactly the templates the role may use; one may edit and delete exactly those (404 for the rest)", async () => {
    const token = team[role].token;
    const list = await server.api("GET", "/templates", { token });
    if (visible === "denied") {
      expect(list.body).toMatchObject({ status: 403, permission: "templates.use" });
      expect((await server.api("POST", "/templates", { token, body: { name: "x", body: "y" } })).status).toBe(403);
      expect((await server.api("PATCH", `/templates/${templateOf.agent}`, { token, body: { name: "x" } })).status).toBe(403);
      return;
    }
    expect(list.body.data.map((template: { id: string }) => template.id).sort()).toEqual(visible.map((owner) => templateOf[owner]).sort());
    for (const owner of ["agent", "teammate"] as const) {
      const expected = visible.includes(owner) ? 200 : 404;
      expect((await server.api("GET", `/templates/${templateOf[owner]}`, { token })).status).toBe(expected);
      expect((await server.api("PATCH", `/templates/${templateOf[owner]}`, { token, body: { name: `Renamed by ${role}` } })).status).toBe(expected);
    }
    for (const owner of ["agent", "teammate"] as const) {
      expect((await server.api("DELETE", `/templates/${templateOf[owner]}`, { token })).status).toBe(visible.includes(owner) ? 204 : 404);
    }
  });
});

describe("template lifecycle", () => {
  it("a template is owned by its creator, lists its variables and abilities; every change is logged", async () => {
    const created = await server.api("POST", "/templates", {
      token: team.agent.token,
      body: { name: "Shipping", body: "Hi {{name}}, {{order_id}} ships; {{name}} again", metaTemplateName: "order_update_v1", metaLanguage: "en_US" },
    });
    expect(created.status).toBe(201);
    expect(created.body.template).toEqual({
      id: expect.stringMatching(/^tpl_/),
      name: "Shipping",
      body: "Hi {{name}}, {{order_id}} ships; {{name}} again",
      variables: ["name", "order_id"],
      ownerId: team.agent.id,
      source: "local",
      metaTemplateName: "order_update_v1",
      metaLanguage: "en_US",
      metaStatus: null,
      metaCategory: null,
      accountId: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      abilities: { use: true, edit: true, delete: true },
    });
    const id = created.body.template.id;
    const edited = await server.api("PATCH", `/templates/${id}`, {
      token: team.agent.token,
      body: { body: "Hello {{name}}", metaTemplateName: null, metaLanguage: null },
    });
    expect(edited.body.template).toMatchObject({ body: "Hello {{name}}", variables: ["name"], metaTemplateName: null, metaLanguage: null });
    expect((await server.api("DELETE", `/templates/${id}`, { token: team.agent.token })).status).toBe(204);
    const log = await server.api("GET", `/audit-log?targetId=${id}`, { token: team.owner.token });
    expect(log.body.data.map((entry: { action: string }) => entry.action)).toEqual(["template.delete", "template.update", "template.create"]);
    expect(log.body.data[1].details).toEqual({
      changed: ["body", "metaTemplateName", "metaLanguage"],
      before: { body: "Hi {{name}}, {{order_id}} ships; {{name}} again", metaTemplateName: "order_update_v1", metaLanguage: "en_US" },
      after: { body: "Hello {{name}}", metaTemplateName: null, metaLanguage: null },
    });
  });

  it.each([
    ["an empty body", { name: "x", body: "  " }],
    ["a Meta name without a language", { name: "x", body: "y", metaTemplateName: "order_update" }],
    ["a Meta name with capitals", { name: "x", body: "y", metaTemplateName: "Order", metaLanguage: "en" }],
    ["an unknown field", { name: "x", body: "y", owner: "someone" }],
  ])("refuses %s (400)", async (_case, body) => {
    expect((await server.api("POST", "/templates", { token: team.agent.token, body })).status).toBe(400);
  });

  it("a custom role with templates.use: own sees only its own, like the Agent", async () => {
    const role = await insertRoleDirectly(server.database.db, team.workspace, { "templates.use": "own" });
    const member = await insertMemberDirectly(server.database.db, team.workspace, { roleId: role.id });
    const own = await insertTemplateDirectly(server.database.db, team.workspace, member.id);
    const list = await server.api("GET", "/templates", { token: member.token });
    expect(list.body.data.map((template: { id: string }) => template.id)).toEqual([own.id]);
  });
});

describe("syncing approved templates from Meta", () => {
  const wabaId = "102290129340398";
  const connectCloud = async (token: string, phoneNumberId: string) => {
    // Meta's side: the number is in the WABA our token manages (connecting checks it there).
    fake.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: `+1555078${phoneNumberId.slice(-4)}` });
    const connected = await server.api("POST", "/whatsapp-accounts", {
      token,
      body: { provider: "cloud", phoneNumber: `+1555078${phoneNumberId.slice(-4)}`, cloud: { phoneNumberId, wabaId, accessToken } },
    });
    expect(connected.status).toBe(201);
    // The tests count the calls a sync makes, not the connection's checks at Meta.
    fake.reset();
    return connected.body.account.id as string;
  };
  let phoneSequence = 0;
  const nextPhoneNumberId = () => String(207540352240000 + ++phoneSequence);
  const metaTemplate = (name: string, status: string, text: string) => ({
    id: `${name}-id`,
    name,
    language: "en_US",
    status,
    category: "UTILITY",
    components: [{ type: "BODY", text }],
  });

  it("imports every one, whatever its review state, as `meta` templates owned by the syncing Agent with their category and account; refreshes them on the next sync", async () => {
    const accountId = await connectCloud(team.agent.token, nextPhoneNumberId());
    fake.setTemplates(wabaId, [
      metaTemplate("order_update", "APPROVED", "Hi {{1}}, order {{2}} shipped"),
      metaTemplate("promo_draft", "PENDING", "Sale!"),
      metaTemplate("welcome", "APPROVED", "Welcome {{1}}"),
    ]);
    const synced = await server.api("POST", "/templates/sync", { token: team.agent.token, body: { accountId } });
    expect(synced.status).toBe(200);
    expect([synced.body.imported, synced.body.refreshed]).toEqual([3, 0]);
    expect(
      synced.body.data.map((template: Record<string, unknown>) => [
        template.name,
        template.source,
        template.metaTemplateName,
        template.metaLanguage,
        template.metaStatus,
        template.metaCategory,
        template.accountId,
        template.ownerId,
        template.variables,
      ]),
    ).toEqual([
      ["order_update (en_US)", "meta", "order_update", "en_US", "APPROVED", "UTILITY", accountId, team.agent.id, ["1", "2"]],
      ["promo_draft (en_US)", "meta", "promo_draft", "en_US", "PENDING", "UTILITY", accountId, team.agent.id, []],
      ["welcome (en_US)", "meta", "welcome", "en_US", "APPROVED", "UTILITY", accountId, team.agent.id, ["1"]],
    ]);
    expect(fake.requests.map((request) => [request.method, request.path, request.authorization])).toEqual([
      ["GET", `/v25.0/${wabaId}/message_templates`, `Bearer ${accessToken}`],
    ]);
    // Whoever templates.use allows may use them: the Agent and the Teammate, not another Agent.
    const otherAgent = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent" });
    const orderUpdate = synced.body.data[0].id;
    expect((await server.api("GET", `/templates/${orderUpdate}`, { token: team.teammate.token })).status).toBe(200);
    expect((await server.api("GET", `/templates/${orderUpdate}`, { token: otherAgent.token })).status).toBe(404);
    // Meta's text is Meta's: renaming is fine, editing the body is a 409.
    expect((await server.api("PATCH", `/templates/${orderUpdate}`, { token: team.agent.token, body: { body: "changed" } })).status).toBe(409);
    expect((await server.api("PATCH", `/templates/${orderUpdate}`, { token: team.agent.token, body: { name: "Order update" } })).body.template.name).toBe(
      "Order update",
    );

    fake.setTemplates(wabaId, [metaTemplate("order_update", "PAUSED", "Hi {{1}}, order {{2}} shipped")]);
    const again = await server.api("POST", "/templates/sync", { token: team.agent.token, body: { accountId } });
    expect([again.body.imported, again.body.refreshed, again.body.data[0].metaStatus, again.body.data[0].name]).toEqual([0, 1, "PAUSED", "Order update"]);
    const log = await server.api("GET", "/audit-log?action=template.sync", { token: team.owner.token });
    expect(log.body.data.map((entry: { details: unknown }) => entry.details)).toEqual([
      { fetched: 1, imported: 0, refreshed: 1 },
      { fetched: 3, imported: 3, refreshed: 0 },
    ]);
  });

  it("from a sandbox line: its registered templates, pending and rejected ones too (shown, not sendable)", async () => {
    const sandbox = (await server.api("POST", "/whatsapp-accounts", { token: team.agent.token, body: { provider: "sandbox", phoneNumber: "+15550109998" } }))
      .body.account.id;
    const synced = await server.api("POST", "/templates/sync", { token: team.agent.token, body: { accountId: sandbox } });
    expect(synced.status).toBe(200);
    expect(synced.body.imported).toBe(5);
    expect(
      synced.body.data.map((template: Record<string, unknown>) => [
        template.metaTemplateName,
        template.metaLanguage,
        template.metaStatus,
        template.metaCategory,
        template.source,
        template.accountId,
      ]),
    ).toEqual([
      ["order_update", "en_US", "APPROVED", "UTILITY", "meta", sandbox],
      ["appointment_reminder", "en_US", "APPROVED", "UTILITY", "meta", sandbox],
      ["follow_up", "en_US", "APPROVED", "MARKETING", "meta", sandbox],
      ["spring_sale", "en_US", "PENDING", "MARKETING", "meta", sandbox],
      ["win_back", "en_US", "REJECTED", "MARKETING", "meta", sandbox],
    ]);
    const log = await server.api("GET", `/audit-log?action=template.sync&targetId=${sandbox}`, { token: team.owner.token });
    expect(log.body.data.map((entry: { details: unknown }) => entry.details)).toEqual([{ fetched: 5, imported: 5, refreshed: 0 }]);
  });

  it("only from an account the caller may see: another member's account 404, Meta's refusal 409", async () => {
    const teammates = await connectCloud(team.teammate.token, nextPhoneNumberId());
    expect((await server.api("POST", "/templates/sync", { token: team.agent.token, body: { accountId: teammates } })).status).toBe(404);
    fake.expireToken();
    const refused = await server.api("POST", "/templates/sync", { token: team.teammate.token, body: { accountId: teammates } });
    expect(refused.body).toMatchObject({ status: 409, detail: expect.stringContaining("(190)") });
    expect((await server.api("POST", "/templates/sync", { token: team.collaborator.token, body: { accountId: teammates } })).status).toBe(403);
  });
});
