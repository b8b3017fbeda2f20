import {
  type BuiltMember,
  insertAccountDirectly,
  insertCampaignDirectly,
  insertChatDirectly,
  insertMemberDirectly,
  insertRoleDirectly,
  insertTemplateDirectly,
  insertWorkspaceDirectly,
} from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// GET /me/explain answers with the sentence the real route's 403 carries: each case drives both.

let server: TestServer;
let team: Team;
let nightShift: BuiltMember;
let suspended: BuiltMember;
const records: Record<string, string> = {};
const responsibleOf: Record<string, string | null> = {};

beforeAll(async () => {
  server = await startTestServer();
  const db = server.database.db;
  team = await insertTeamDirectly(db);
  // A custom role that sees every chat but replies only in its own and assigns only its lines' or own chats.
  const role = await insertRoleDirectly(
    db,
    team.workspace,
    { "chats.view": "all", "chats.reply": "assigned", "chats.assign": "own", "chats.start": "own", "templates.use": "all" },
    "Night shift",
  );
  nightShift = await insertMemberDirectly(db, team.workspace, { roleId: role.id });
  suspended = await insertMemberDirectly(db, team.workspace, { roleId: "teammate", status: "suspended" });
  const ownerLine = await insertAccountDirectly(db, team.workspace, team.owner.id);
  const agentLine = await insertAccountDirectly(db, team.workspace, team.agent.id);
  records.ownerLine = ownerLine.id;
  records.agentLine = agentLine.id;
  const now = new Date();
  const chat = async (name: string, responsibleId: string | null) => {
    records[name] = (await insertChatDirectly(db, team.workspace, ownerLine, { responsibleId, customerWroteAt: now })).id;
    responsibleOf[name] = responsibleId;
  };
  await chat("collaboratorChat", team.collaborator.id);
  await chat("agentChat", team.agent.id);
  await chat("unassignedChat", null);
  records.agentTemplate = (await insertTemplateDirectly(db, team.workspace, team.agent.id)).id;
  records.ownerCampaign = (await insertCampaignDirectly(db, team.workspace, ownerLine, team.owner.id)).id;
});
afterAll(() => server.close());

const explain = (token: string, query: Record<string, string>) => server.api("GET", `/me/explain?${new URLSearchParams(query)}`, { token });

type Action = "reply" | "assign" | "start" | "send";
/** The real route for each action, sent so that only the permission can refuse it. */
function realRequest(action: Action, token: string, record: string) {
  const id = records[record] as string;
  switch (action) {
    case "reply":
      return server.api("POST", `/chats/${id}/messages`, { token, body: { text: "Hello from the test" } });
    case "assign":
      return server.api("PUT", `/chats/${id}/responsible`, { token, body: { memberId: responsibleOf[record] } });
    case "start":
      return server.api("POST", "/chats", { token, body: { accountId: id, phone: "+15557770001", text: "Hi" } });
    case "send":
      return server.api("POST", "/campaigns/preview", {
        token,
        body: { accountId: id, templateId: records.agentTemplate, recipients: [{ phone: "+15557770002", variables: { name: "Ada" } }] },
      });
  }
}
const permissionOf = { reply: "chats.reply", assign: "chats.assign", start: "chats.start", send: "campaigns.send" } as const;
const recordTypeOf = { reply: "chat", assign: "chat", start: "account", send: "account" } as const;

type Case = { who: "collaborator" | "agent" | "teammate" | "nightShift"; action: Action; record: string; expected: "allowed" | "denied"; sentence: string };
const cases: Case[] = [
  {
    who: "collaborator",
    action: "reply",
    record: "collaboratorChat",
    expected: "allowed",
    sentence: "Your role (Collaborator) allows you to reply in chats for chats you are responsible for.",
  },
  {
    who: "collaborator",
    action: "assign",
    record: "collaboratorChat",
    expected: "denied",
    sentence: "Your role (Collaborator) does not allow you to set the responsible of chats (chats.assign).",
  },
  {
    who: "collaborator",
    action: "start",
    record: "ownerLine",
    expected: "denied",
    sentence: "Your role (Collaborator) does not allow you to start chats (chats.start).",
  },
  {
    who: "collaborator",
    action: "send",
    record: "ownerLine",
    expected: "denied",
    sentence: "Your role (Collaborator) does not allow you to run mass sending (campaigns.send).",
  },
  {
    who: "nightShift",
    action: "reply",
    record: "unassignedChat",
    expected: "denied",
    sentence: "Your role (Night shift) allows you to reply in chats only for chats you are responsible for.",
  },
  {
    who: "nightShift",
    action: "assign",
    record: "agentChat",
    expected: "denied",
    sentence:
      "Your role (Night shift) allows you to set the responsible of chats only for chats of WhatsApp accounts you connected and chats you are responsible for.",
  },
  {
    who: "nightShift",
    action: "start",
    record: "ownerLine",
    expected: "denied",
    sentence: "Your role (Night shift) allows you to start chats only for WhatsApp accounts you connected.",
  },
  {
    who: "agent",
    action: "send",
    record: "ownerLine",
    expected: "denied",
    sentence: "Your role (Agent) allows you to run mass sending only for WhatsApp accounts you connected.",
  },
  {
    who: "agent",
    action: "send",
    record: "agentLine",
    expected: "allowed",
    sentence: "Your role (Agent) allows you to run mass sending for WhatsApp accounts you connected.",
  },
  {
    who: "agent",
    action: "reply",
    record: "agentChat",
    expected: "allowed",
    sentence: "Your role (Agent) allows you to reply in chats for chats of WhatsApp accounts you connected and chats you are responsible for.",
  },
  {
    who: "teammate",
    action: "assign",
    record: "unassignedChat",
    expected: "allowed",
    sentence: "Your role (Teammate) allows you to set the responsible of chats for every chat of the workspace.",
  },
  {
    who: "teammate",
    action: "start",
    record: "ownerLine",
    expected: "allowed",
    sentence: "Your role (Teammate) allows you to start chats for every WhatsApp account of the workspace.",
  },
];

describe("the sentence is the real route's 403 detail", () => {
  it.each(cases)("$who $action on $record: $expected", async ({ who, action, record, expected, sentence }) => {
    const token = (who === "nightShift" ? nightShift : team[who]).token;
    const permission = permissionOf[action];
    const answer = await explain(token, { permission, recordType: recordTypeOf[action], recordId: records[record] as string });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ allowed: expected === "allowed", permission, sentence });
    const real = await realRequest(action, token, record);
    if (expected === "denied") {
      expect(real.status, real.text).toBe(403);
      expect(real.body).toMatchObject({ code: "permission_denied", permission: expect.any(String), detail: sentence });
    } else {
      expect([403, 404], real.text).not.toContain(real.status);
    }
  });

  it("a suspended member gets the suspended sentence, the detail of every route's 403", async () => {
    const answer = await explain(suspended.token, { permission: "chats.reply", recordType: "chat", recordId: records.unassignedChat as string });
    const real = await realRequest("reply", suspended.token, "unassignedChat");
    expect(real.status).toBe(403);
    expect(answer.body).toEqual({ allowed: false, permission: "chats.reply", sentence: real.body.detail });
    expect(answer.body.sentence).toBe("Your membership in this workspace is suspended.");
  });

  it("without a record: the gate's answer, the detail a gated route refuses with", async () => {
    const answer = await explain(team.collaborator.token, { permission: "team.manage" });
    const real = await server.api("POST", "/invitations", { token: team.collaborator.token, body: { email: "new@acme.test", roleId: "agent" } });
    expect(real.status).toBe(403);
    expect(answer.body).toEqual({ allowed: false, permission: "team.manage", sentence: real.body.detail });
    expect((await explain(team.admin.token, { permission: "team.manage" })).body).toEqual({
      allowed: true,
      permission: "team.manage",
      sentence: "Your role (Admin) allows you to manage the team (team.manage).",
    });
    expect((await explain(team.teammate.token, { permission: "chats.reply" })).body.sentence).toBe(
      "Your role (Teammate) allows you to reply in chats for every chat of the workspace.",
    );
  });
});

describe("records the caller may not see are 404, as on every route", () => {
  it("an invisible chat", async () => {
    const query = { permission: "chats.reply", recordType: "chat", recordId: records.unassignedChat as string };
    const answer = await explain(team.agent.token, query);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe("not_found");
    expect((await realRequest("reply", team.agent.token, "unassignedChat")).status).toBe(404);
  });

  it("another tenant's chat, account and campaign, even for their Owner-equivalent", async () => {
    const db = server.database.db;
    const other = await insertWorkspaceDirectly(db);
    const otherOwner = await insertMemberDirectly(db, other, { roleId: "owner" });
    const line = await insertAccountDirectly(db, other, otherOwner.id);
    const chat = await insertChatDirectly(db, other, line);
    const campaign = await insertCampaignDirectly(db, other, line, otherOwner.id);
    for (const query of [
      { permission: "chats.reply", recordType: "chat", recordId: chat.id },
      { permission: "chats.start", recordType: "account", recordId: line.id },
      { permission: "campaigns.send", recordType: "account", recordId: line.id },
      { permission: "campaigns.reports", recordType: "campaign", recordId: campaign.id },
    ]) {
      const answer = await explain(team.owner.token, query);
      expect(answer.status, query.permission).toBe(404);
    }
    // The record's own Owner gets an answer: the 404 is about visibility, not a missing record.
    expect((await explain(otherOwner.token, { permission: "chats.reply", recordType: "chat", recordId: chat.id })).status).toBe(200);
  });

  it("a template or campaign outside the member's scope", async () => {
    expect(
      (await explain(team.owner.token, { permission: "templates.use", recordType: "template", recordId: records.agentTemplate as string })).body.allowed,
    ).toBe(true);
    expect(
      (await explain(team.agent.token, { permission: "campaigns.reports", recordType: "campaign", recordId: records.ownerCampaign as string })).status,
    ).toBe(404);
  });
});

describe("400 for a malformed question", () => {
  it.each([
    ["an unknown permission", { permission: "chats.delete" }, "query.permission"],
    ["an unknown record kind", { permission: "chats.reply", recordType: "message", recordId: "x" }, "query.recordType"],
    ["a record type without an id", { permission: "chats.reply", recordType: "chat" }, "query.recordId"],
    ["an id without a record type", { permission: "chats.reply", recordId: "chat_1" }, "query.recordType"],
    ["a permission not decided on that kind of record", { permission: "team.manage", recordType: "chat", recordId: "chat_1" }, "query.recordType"],
    ["a permission decided on another kind", { permission: "chats.reply", recordType: "account", recordId: "wa_1" }, "query.recordType"],
  ])("%s", async (_name, query, path) => {
    const answer = await explain(team.owner.token, query as Record<string, string>);
    expect(answer.status).toBe(400);
    expect(answer.headers.get("content-type")).toContain("application/problem+json");
    expect(answer.body.code).toBe("invalid_request");
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual([path]);
    // The answer names no catalogue or rule internals (no list of permissions or record kinds).
    expect(answer.text).not.toMatch(/audit\.view|billing\.manage|campaign"|template"/);
  });
});
