import type { FakePipedrive } from "../../fakes/pipedrive";
import type { TestServer } from "../../support/server";
import type { Team } from "../../support/team";
import { connect, otherUser, pipedriveSuite } from "./server-support";

// What the console's Integrations page reads: each Pipedrive user's link says whether the member
// connected their own account (only they change it) or an Admin mapped them.

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

type ListedUser = { pipedriveUserId: number; memberId: string | null; linkedBy: string | null; ownConnection: boolean };

describe("GET /integrations/pipedrive/users for the Integrations page", () => {
  it("tells a member's own connection from an Admin's mapping and from no link", async () => {
    const grace = otherUser();
    const mapped = otherUser({ id: 33333, name: "Mapped User", email: "mapped@acme.test" });
    const missing = otherUser({ id: 44444, name: "Nobody", email: "nobody@acme.test" });
    fake.addUser(mapped);
    fake.addUser(missing);
    expect((await connect(server, fake, team.admin.token, "workspace")).outcome.get("pipedrive")).toBe("connected");
    expect((await connect(server, fake, team.agent.token, "individual", grace)).outcome.get("pipedrive")).toBe("connected");
    const mapping = await server.api("PUT", `/integrations/pipedrive/users/${mapped.id}`, { token: team.admin.token, body: { memberId: team.teammate.id } });
    expect(mapping.status).toBe(200);

    const listed = await server.api("GET", "/integrations/pipedrive/users", { token: team.admin.token });
    expect(listed.status).toBe(200);
    const users = listed.body.data as ListedUser[];
    const find = (id: number) => users.find((user) => user.pipedriveUserId === id);
    // The workspace connection links its Admin, but the Admin's link stays an Admin's to change.
    expect(find(fake.user.id)).toMatchObject({ memberId: team.admin.id, linkedBy: team.admin.id, ownConnection: false });
    expect(find(grace.id)).toMatchObject({ memberId: team.agent.id, linkedBy: team.agent.id, ownConnection: true });
    expect(find(mapped.id)).toMatchObject({ memberId: team.teammate.id, linkedBy: team.admin.id, ownConnection: false });
    expect(find(missing.id)).toMatchObject({ memberId: null, linkedBy: null, ownConnection: false });
  });
});
