import { signPanelToken } from "../../server/pipedrive/panel-token";
import type { FakeDeal, FakePerson, FakePipedrive } from "../fakes/pipedrive";
import { connect, otherUser, panelSecret, pipedriveSuite } from "../server/pipedrive/server-support";
import { insertAccountDirectly, insertChatDirectly } from "../support/factories";
import type { TestServer } from "../support/server";
import type { Team } from "../support/team";

// The panel's deal or person id arrives unsigned in the iframe's URL, and the workspace's token
// (an Admin's) sees every deal. A member reads what Pipedrive shows their own Pipedrive user: with
// their own token when they have one; otherwise only the record the panel was opened on, and only
// if Pipedrive lists their user among those permitted to see it.

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

const company = 67890;
const adminsPipedriveUser = 12345;
const agentsPipedriveUser = otherUser({ id: 22222, name: "Agnes Agent", email: "agnes@acme.test" });
const teammatesPipedriveUser = otherUser({ id: 33333, name: "Tom Teammate", email: "tom@acme.test" });

let carla: FakePerson;
let secretContact: FakePerson;
/** Visible to the entire company (its participant Sid is not). */
let openDeal: FakeDeal;
let otherOpenDeal: FakeDeal;
/** "Owner & followers": the Admin owns it, nobody follows it. */
let hiddenDeal: FakeDeal;
/** "Owner & followers": the Teammate's Pipedrive user follows it. */
let followedDeal: FakeDeal;

beforeEach(async () => {
  expect((await connect(server, fake, team.admin.token, "workspace")).outcome.get("pipedrive")).toBe("connected");
  fake.addUser(agentsPipedriveUser);
  fake.addUser(teammatesPipedriveUser);
  expect(
    (await server.api("PUT", `/integrations/pipedrive/users/${agentsPipedriveUser.id}`, { token: team.admin.token, body: { memberId: team.agent.id } })).status,
  ).toBe(200);

  carla = fake.addPerson({ name: "Carla Customer", phones: [{ value: "+1 555 010 0001", label: "mobile", primary: true }] });
  secretContact = fake.addPerson({
    name: "Sid Secret",
    phones: [{ value: "+1 555 010 0666", label: "mobile", primary: true }],
    visible_to: 1,
    owner_id: adminsPipedriveUser,
  });
  // Sid takes part in it, but Pipedrive hides Sid from everyone but the Admin.
  openDeal = fake.addDeal({ title: "Kitchen refit", person_id: carla.id, participant_ids: [secretContact.id] });
  otherOpenDeal = fake.addDeal({ title: "Bathroom refit", person_id: carla.id });
  hiddenDeal = fake.addDeal({ title: "Board member's villa", person_id: secretContact.id, visible_to: 1, owner_id: adminsPipedriveUser });
  followedDeal = fake.addDeal({
    title: "Garden office",
    person_id: carla.id,
    visible_to: 1,
    owner_id: adminsPipedriveUser,
    follower_ids: [teammatesPipedriveUser.id],
  });
});

/** The panel opens on a record: the iframe URL's resource and selectedIds come with the signed token. */
const openPanel = async (pipedriveUserId: number, resource?: string, selectedIds?: string) => {
  const token = await signPanelToken(panelSecret, { userId: pipedriveUserId, companyId: company });
  const started = await server.api("POST", "/panel/pipedrive/session", { body: { token, resource, selectedIds } });
  expect(started.status).toBe(201);
  return started.body.token as string;
};
const context = (token: string, resource: string, id: number) => server.api("GET", `/panel/pipedrive/context?resource=${resource}&id=${id}`, { token });
const phonesIn = (body: { persons?: { phones: { raw: string }[] }[] }) => (body.persons ?? []).flatMap((person) => person.phones.map((phone) => phone.raw));

describe("a member reads a deal Pipedrive hides from them through the panel", () => {
  it("without their own connection, the panel opened on that deal answers 404 and no phone", async () => {
    const panel = await openPanel(agentsPipedriveUser.id, "deal", String(hiddenDeal.id));

    const answer = await context(panel, "deal", hiddenDeal.id);

    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain("+1 555 010 0666");
    expect(fake.requests.some((request) => request.path === `/api/v1/deals/${hiddenDeal.id}/permittedUsers`)).toBe(true);
  });

  it("without their own connection, a deal Pipedrive lets them see is read through the workspace's, saying their own shows more", async () => {
    const panel = await openPanel(agentsPipedriveUser.id, "deal", String(openDeal.id));

    const answer = await context(panel, "deal", openDeal.id);

    expect(answer.status).toBe(200);
    expect(answer.body.ownConnection).toBe(false);
    expect(phonesIn(answer.body)).toEqual(["+1 555 010 0001"]);
  });

  it("with their own connection, Pipedrive's answer to their own token decides: hidden 404, followed 200", async () => {
    await connect(server, fake, team.teammate.token, "individual", teammatesPipedriveUser);
    const panel = await openPanel(teammatesPipedriveUser.id, "deal", String(openDeal.id));

    expect((await context(panel, "deal", hiddenDeal.id)).status).toBe(404);
    const followed = await context(panel, "deal", followedDeal.id);

    expect(followed.status).toBe(200);
    expect(followed.body.ownConnection).toBe(true);
    expect(phonesIn(followed.body)).toEqual(["+1 555 010 0001"]);
    const dealReads = fake.requests.filter((request) => request.path.startsWith("/api/v2/deals/"));
    expect(dealReads.map((request) => request.pipedriveUserId)).toEqual([teammatesPipedriveUser.id, teammatesPipedriveUser.id]);
  });

  it("outside the panel, a member without their own connection reads no record (403)", async () => {
    const answer = await context(team.agent.token, "deal", openDeal.id);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: "crm_not_linked", missing: "individual_connection" });
  });

  it("outside the panel, being mapped to the Pipedrive user whose installation serves the workspace lends no token (403)", async () => {
    const mapped = await server.api("PUT", `/integrations/pipedrive/users/${adminsPipedriveUser}`, {
      token: team.owner.token,
      body: { memberId: team.teammate.id },
    });
    expect(mapped.status).toBe(200);

    const answer = await context(team.teammate.token, "deal", hiddenDeal.id);

    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain("+1 555 010 0666");
  });
});

describe("the panel session asks for another record than it was opened on", () => {
  it("reads of another deal or person are refused (404), though Pipedrive would show them", async () => {
    const panel = await openPanel(agentsPipedriveUser.id, "deal", String(openDeal.id));

    expect((await context(panel, "deal", otherOpenDeal.id)).status).toBe(404);
    expect((await context(panel, "person", carla.id)).status).toBe(404);
    expect((await context(panel, "deal", hiddenDeal.id)).status).toBe(404);
    expect((await context(panel, "deal", openDeal.id)).status).toBe(200);
  });

  it("a panel opened on no record (or several) reads none", async () => {
    for (const selectedIds of [undefined, `${openDeal.id},${otherOpenDeal.id}`]) {
      const panel = await openPanel(agentsPipedriveUser.id, "deal", selectedIds);
      expect((await context(panel, "deal", openDeal.id)).status).toBe(404);
    }
  });

  it("linking a chat to another deal, or to a person not on the panel's deal, is refused (404)", async () => {
    const account = await insertAccountDirectly(server.database.db, team.workspace, team.agent.id);
    const chat = await insertChatDirectly(server.database.db, team.workspace, account, { phone: "+15550100001" });
    const panel = await openPanel(agentsPipedriveUser.id, "deal", String(openDeal.id));
    const link = (body: object) => server.api("PUT", `/panel/pipedrive/chats/${chat.id}/link`, { token: panel, body });

    expect((await link({ personId: carla.id, dealId: hiddenDeal.id })).status).toBe(404);
    expect((await link({ personId: carla.id, dealId: otherOpenDeal.id })).status).toBe(404);
    expect((await link({ personId: secretContact.id, dealId: openDeal.id })).status).toBe(404);
    expect((await link({ personId: carla.id })).status).toBe(404);
    const linked = await link({ personId: carla.id, dealId: openDeal.id });
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({ chatId: chat.id, personId: carla.id, dealId: openDeal.id });
  });
});
