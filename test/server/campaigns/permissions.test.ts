import { campaignRecord } from "../../../server/campaigns/queries";
import { campaigns } from "../../../server/db/schema";
import { resolvePrincipal } from "../../../server/identity/tokens";
import { can, scope } from "../../../server/permissions";
import {
  type BuiltMember,
  insertAccountDirectly,
  insertCampaignDirectly,
  insertMemberDirectly,
  insertRoleDirectly,
  insertTemplateDirectly,
} from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// One workspace, three senders (Agent, Teammate, a custom "Broadcaster" with campaigns.send: own
// and campaigns.reports: all), each with their own account, template and campaign.
let server: TestServer;
let team: Team;
let broadcaster: BuiltMember;
type Owner = "agent" | "teammate" | "broadcaster";
const owners: Owner[] = ["agent", "teammate", "broadcaster"];
let accountOf: Record<Owner, string>;
let templateOf: Record<Owner, string>;
let campaignOf: Record<Owner, string>;

beforeAll(async () => {
  server = await startTestServer({ CAMPAIGN_DISPATCHER: "off" });
  const db = server.database.db;
  team = await insertTeamDirectly(db);
  const role = await insertRoleDirectly(
    db,
    team.workspace,
    { "chats.view": "all", "campaigns.send": "own", "campaigns.reports": "all", "templates.use": "own" },
    "Broadcaster",
  );
  broadcaster = await insertMemberDirectly(db, team.workspace, { roleId: role.id });
  const memberOf = (owner: Owner) => (owner === "broadcaster" ? broadcaster : team[owner]);
  accountOf = {} as typeof accountOf;
  templateOf = {} as typeof templateOf;
  campaignOf = {} as typeof campaignOf;
  for (const owner of owners) {
    const account = await insertAccountDirectly(db, team.workspace, memberOf(owner).id);
    accountOf[owner] = account.id;
    templateOf[owner] = (await insertTemplateDirectly(db, team.workspace, memberOf(owner).id)).id;
    campaignOf[owner] = (await insertCampaignDirectly(db, team.workspace, account, memberOf(owner).id)).id;
  }
});
afterAll(() => server.close());

type Actor = "owner" | "admin" | "teammate" | "agent" | "collaborator" | "broadcaster";
const tokenOf = (actor: Actor) => (actor === "broadcaster" ? broadcaster.token : team[actor].token);

// campaigns.reports: whose campaigns (and reports) each role sees.
const reports: Record<Actor, Owner[] | "denied"> = {
  owner: owners,
  admin: owners,
  teammate: owners,
  agent: ["agent"],
  collaborator: "denied",
  broadcaster: owners,
};

describe.each(Object.entries(reports) as [Actor, Owner[] | "denied"][])("campaigns.reports for %s", (actor, visible) => {
  it("predicate and SQL scope agree on whose campaigns the role sees", async () => {
    const principal = await resolvePrincipal(server.database.db, tokenOf(actor));
    if (!principal) throw new Error("no principal");
    const inScope = await server.database.db
      .select({ id: campaigns.id, createdBy: campaigns.createdBy, workspaceId: campaigns.workspaceId })
      .from(campaigns)
      .where(scope(principal, "campaigns.reports"));
    const expected = visible === "denied" ? [] : visible.map((owner) => campaignOf[owner]);
    expect(inScope.map((row) => row.id).sort()).toEqual([...expected].sort());
    for (const row of inScope) expect(can(principal, "campaigns.reports", campaignRecord(row))).toBe(true);
  });

  it("GET /campaigns lists exactly those; each one and its report is 200, the rest 404 (403 with none)", async () => {
    const token = tokenOf(actor);
    const list = await server.api("GET", "/campaigns", { token });
    if (visible === "denied") {
      expect(list.body).toMatchObject({ status: 403, permission: "campaigns.reports" });
      expect((await server.api("GET", `/campaigns/${campaignOf.agent}/report`, { token })).status).toBe(403);
      return;
    }
    expect(list.body.data.map((campaign: { id: string }) => campaign.id).sort()).toEqual(visible.map((owner) => campaignOf[owner]).sort());
    for (const owner of owners) {
      const expected = visible.includes(owner) ? 200 : 404;
      expect((await server.api("GET", `/campaigns/${campaignOf[owner]}`, { token })).status, `${actor} → ${owner}'s campaign`).toBe(expected);
      expect((await server.api("GET", `/campaigns/${campaignOf[owner]}/report`, { token })).status, `${actor} → ${owner}'s report`).toBe(expected);
    }
  });
});

// Launching needs campaigns.send on the account and templates.use on the template:
// 202 allowed · 404 not visible · 403 visible but not covered (or the permission is none).
const launches: [Actor, Owner, Owner, 202 | 403 | 404][] = [
  ["owner", "agent", "teammate", 202],
  ["teammate", "agent", "broadcaster", 202],
  ["teammate", "teammate", "teammate", 202],
  ["agent", "agent", "agent", 202],
  ["agent", "teammate", "agent", 404],
  ["agent", "agent", "teammate", 404],
  ["collaborator", "agent", "agent", 403],
  ["broadcaster", "broadcaster", "broadcaster", 202],
  // The Broadcaster sees every account (chats.view: all) but sends only from its own.
  ["broadcaster", "teammate", "broadcaster", 403],
  ["broadcaster", "broadcaster", "agent", 404],
];

describe("launching", () => {
  it.each(launches)("%s from %s's account with %s's template → %i", async (actor, accountOwner, templateOwner, expected) => {
    const launched = await server.api("POST", "/campaigns", {
      token: tokenOf(actor),
      body: { accountId: accountOf[accountOwner], templateId: templateOf[templateOwner], recipients: [{ phone: "+15550107000", name: "Ana" }] },
    });
    expect(launched.status, launched.text).toBe(expected);
    if (expected === 403) expect(launched.body.permission).toBe("campaigns.send");
    if (expected === 202)
      expect(launched.body.campaign).toMatchObject({
        accountId: accountOf[accountOwner],
        createdBy: (await resolvePrincipal(server.database.db, tokenOf(actor)))?.memberId,
        status: "running",
      });
  });

  it("a role with campaigns.send but templates.use none is refused before any lookup (403 templates.use)", async () => {
    const role = await insertRoleDirectly(server.database.db, team.workspace, { "campaigns.send": "all", "campaigns.reports": "all" });
    const member = await insertMemberDirectly(server.database.db, team.workspace, { roleId: role.id });
    const refused = await server.api("POST", "/campaigns", {
      token: member.token,
      body: { accountId: "wa_unknown", templateId: "tpl_unknown", recipients: [{ phone: "+15550107000" }] },
    });
    expect(refused.body).toMatchObject({ status: 403, permission: "templates.use" });
  });

  it("GET /whatsapp-accounts says where each member may run campaigns", async () => {
    const list = await server.api("GET", "/whatsapp-accounts", { token: broadcaster.token });
    const canRun = Object.fromEntries(list.body.data.map((account: { id: string; canRunCampaigns: boolean }) => [account.id, account.canRunCampaigns]));
    expect(canRun).toEqual({ [accountOf.agent]: false, [accountOf.teammate]: false, [accountOf.broadcaster]: true });
  });
});

// Steering a campaign: stopping (pause, cancel) is for its creator or a member whose
// campaigns.send covers its account; resuming needs that campaigns.send; approving, team.manage.
describe("steering the Agent's campaign", () => {
  const fresh = async (status: "running" | "paused" | "awaiting_approval") => {
    const account = { id: accountOf.agent };
    return (await insertCampaignDirectly(server.database.db, team.workspace, account, team.agent.id, { status })).id;
  };
  const steer = async (actor: Actor | "otherAgent", action: string, campaignId: string) => {
    const token = actor === "otherAgent" ? (await insertMemberDirectly(server.database.db, team.workspace, { roleId: "agent" })).token : tokenOf(actor);
    return server.api("POST", `/campaigns/${campaignId}/${action}`, { token });
  };
  const cases: [Actor | "otherAgent", string, "running" | "paused" | "awaiting_approval", number, string?][] = [
    ["agent", "pause", "running", 200],
    ["agent", "cancel", "running", 200],
    ["agent", "resume", "paused", 200],
    ["teammate", "pause", "running", 200],
    ["teammate", "resume", "paused", 200],
    ["broadcaster", "pause", "running", 403, "campaigns.send"],
    ["broadcaster", "resume", "paused", 403, "campaigns.send"],
    ["otherAgent", "pause", "running", 404],
    ["collaborator", "cancel", "running", 403, "campaigns.send"],
    ["teammate", "approve", "awaiting_approval", 403, "team.manage"],
    ["admin", "approve", "awaiting_approval", 200],
    ["agent", "resume", "running", 409],
    ["admin", "reject", "running", 409],
  ];
  it.each(cases)("%s may %s a %s campaign → %i", async (actor, action, status, expected, permission) => {
    const answer = await steer(actor, action, await fresh(status));
    expect(answer.status, answer.text).toBe(expected);
    if (permission) expect(answer.body.permission).toBe(permission);
  });

  it("abilities tell each viewer what they may do", async () => {
    const id = await fresh("running");
    const abilitiesOf = async (actor: Actor) => (await server.api("GET", `/campaigns/${id}`, { token: tokenOf(actor) })).body.abilities;
    expect(await abilitiesOf("agent")).toEqual({ pause: true, resume: false, cancel: true, approve: false, report: true });
    expect(await abilitiesOf("broadcaster")).toEqual({ pause: false, resume: false, cancel: false, approve: false, report: true });
    expect(await abilitiesOf("admin")).toEqual({ pause: true, resume: false, cancel: true, approve: false, report: true });
  });
});
